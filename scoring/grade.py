"""Grade one session: competencies, de-escalation, proportionality, critical errors and the result."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

from simulator.engine.model import ESCALATION, RAPPORT, Scenario
from simulator.engine.session import ReplayMismatch, Session

from .context import Context, context_for
from .rubric import Rubric
from .trace import Trace, read_trace

REPORT_FORMAT = 1
PASS, NEEDS_PRACTICE, FAIL = "pass", "needs-practice", "fail"


class LogMismatch(ReplayMismatch):
    """`grade` refuses a log that does not belong to the scenario: recorded on another scenario or
    another version of its file (content hash), malformed, or with events that do not replay through
    the engine. The message says which; it is a `ReplayMismatch` (an engine error) as well."""


def verify_log(scenario: Scenario, log) -> list[dict]:
    """The events of `log` as the engine derives them, or `LogMismatch` when `log` does not replay
    through the engine on `scenario`.

    The inputs are re-run with the random reactions the log records (so logs of enumerated
    playthroughs, `scoring.paths.record_log`, verify too), and the log may stop anywhere (a session
    stopped early); every event it has must equal what the engine derives. The events returned are
    the engine's own (plain JSON types), as many as `log` has."""
    try:
        session = Session.replay(scenario, log, outcomes="log", partial=True, exact=False)
    except ReplayMismatch as exc:
        raise LogMismatch(f"this log does not belong to scenario {scenario.id!r}: {exc}") from exc
    return session.log[:len(log)]


@dataclass
class Report:
    """A score report. `to_json()` gives plain JSON data; the keys are documented in docs/scoring.md."""

    scenario: dict
    rubric: dict
    result: str
    result_rule: str
    result_rule_id: str
    overall: int | None
    competencies: list
    deescalation: dict
    proportionality: list
    critical_errors: list
    timeline: list = field(default_factory=list)
    key_decisions: list = field(default_factory=list)
    perspectives: list = field(default_factory=list)
    objectives: list = field(default_factory=list)
    feedback: list = field(default_factory=list)
    ending: dict | None = None
    decisions: int = 0
    undos: int = 0
    complete: bool = True
    warnings: list = field(default_factory=list)
    format: int = REPORT_FORMAT

    def to_json(self) -> dict:
        """The report as plain JSON data (dicts, lists, strings, numbers, booleans, None); a fresh
        copy, so changing it does not change the report."""
        return {f.name: _copy(getattr(self, f.name)) for f in fields(self)}

    def dumps(self) -> str:
        """The report as pretty, stable JSON text."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)


def _copy(value):
    """A deep copy of plain JSON data (tuples become lists)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


def _text(value, ctx: Context, language: str) -> str:
    return value.get(language, ctx.scenario.language) if value is not None else ""


def grade(scenario: Scenario, log: list[dict], rubric: Rubric | None = None, *, language: str | None = None) -> Report:
    """Grade the final path of the session recorded in `log` (undone decisions are ignored).

    Pure and deterministic: no I/O, no clock; the same scenario, log and rubric give the same report.
    `rubric` defaults to the shipped rubric; the scenario's `scoring:` section is always merged in.

    The log is replayed through the engine first (`verify_log`): a log recorded on another scenario
    or another version of its file, or whose events do not replay, raises `LogMismatch` and is not
    graded.
    """
    from .debrief import build_debrief  # the debrief builds on the grading context
    log = verify_log(scenario, log)
    ctx = context_for(scenario, rubric)
    lang = language or scenario.language
    trace = read_trace(scenario, log)
    competencies, force_rows, errors, candidates = _competencies(ctx, trace)
    desc = _deescalation(ctx, trace)
    overall = _overall(ctx, competencies)
    result, rule_id, rule = _result(ctx, trace, competencies, overall, errors, desc)
    ending = None
    index = scenario.target_index.get(trace.ending) if trace.ending is not None else None
    if index is not None and scenario.is_ending(index):
        e = scenario.ending_at(index)
        ending = {"id": e.id, "outcome": e.outcome, "title": _text(e.title, ctx, lang)}
    report = Report(
        scenario={"id": scenario.id, "version": scenario.version, "content_hash": scenario.content_hash},
        rubric={"name": ctx.rubric.name, "version": ctx.rubric.version},
        result=result, result_rule=rule, result_rule_id=rule_id, overall=overall,
        competencies=competencies, deescalation=desc, proportionality=force_rows, critical_errors=errors,
        ending=ending, decisions=len(trace.decisions), undos=trace.undos, complete=trace.ending is not None)
    report.warnings = _warnings(scenario, log, trace)
    build_debrief(ctx, trace, report, lang, candidates)
    return report


def _warnings(scenario: Scenario, log: list[dict], trace: Trace) -> list:
    """Problems with the log itself: another scenario, another version of this one, unknown ids."""
    out = []
    info = log[0].get("scenario", {}) if log and log[0].get("type") == "session_started" else {}
    if info.get("id") not in (None, scenario.id):
        out.append(f"the log was recorded on scenario {info.get('id')!r}, not {scenario.id!r}")
    elif info.get("content_hash") and scenario.content_hash and info["content_hash"] != scenario.content_hash:
        out.append("the scenario file has changed since this session was recorded; decisions whose ids still exist are graded")
    unknown = sorted({d.choice for d in trace.decisions if d.choice not in scenario.choice_by_id})
    if unknown:
        out.append("choices not in this scenario were ignored: " + ", ".join(unknown))
    return out


def _facts(ctx: Context, choice, pre: tuple) -> tuple:
    """Cached per (choice, state): evidence items, force-row template, the critical errors it
    triggers, and its key-decision value (see debrief.decision_value)."""
    key = ("facts", choice.id, pre)
    hit = ctx.memo.get(key)
    if hit is not None:
        return hit
    from .debrief import decision_value
    sc, ev = ctx.scenario, ctx.rubric.evidence
    items = [(i, w, "tag", tag, "helpful" if w > 0 else "harmful") for i, w, tag in ctx.contributions[choice.id]]
    row = None
    restraint = False
    prop = ctx.comp_index.get("proportionality")
    if choice.force is not None:
        fc = ctx.force_check(choice, pre)
        w = (ev["force_disproportionate"] if not fc.proportionate else
             ev["force_lower_alternative"] if fc.lower else ev["force_proportionate"])
        if prop is not None and w:
            items.append((prop, w, "force", choice.force, "helpful" if w > 0 else "harmful"))
        g = sc.graham
        row = {"force": fc.force, "force_name": sc.behaviour.force_names[fc.force], "rank": fc.rank,
               "level": fc.level, "level_name": sc.behaviour.level_names[fc.level], "allowed": fc.allowed,
               "allowed_rank": fc.allowed_rank, "proportionate": fc.proportionate, "lower_alternatives": fc.lower,
               "alternative_available": bool(fc.lower),
               "graham": None if g is None else {"offence_severity": g.offence_severity, "weapon": g.weapon,
                                                 "danger_to_others": g.danger_to_others},
               "why": fc.why}
    elif not choice.is_timeout and ev.get("restraint") and ctx.comp_index.get(ev["restraint"]["competency"]) is not None:
        node = sc.nodes[choice.node]
        restraint = any(c.force is not None and c.force != "presence" and (c.test is None or c.test(pre))
                        for c in node.choices)
        if restraint:
            w = ev["restraint"]["weight"]
            items.append((ctx.comp_index[ev["restraint"]["competency"]], w, "restraint", None,
                          "helpful" if w > 0 else "harmful"))
    crit = tuple(ctx.decision_errors_for(choice, sc.nodes[choice.node].id, pre))
    hit = ctx.memo[key] = (tuple(items), row, crit, decision_value(ctx, choice, pre))
    return hit


def _competencies(ctx: Context, trace: Trace) -> tuple[list, list, list, list]:
    """Competencies, force rows, critical errors and key-decision candidates, in one pass."""
    sc, rubric = ctx.scenario, ctx.rubric
    n = len(rubric.competencies)
    pos, neg = [0.0] * n, [0.0] * n
    evidence: list[list] = [[] for _ in range(n)]
    ev = rubric.evidence
    reveal = ctx.comp_index.get((ev.get("factor_revealed") or {}).get("competency"))
    reveal_w = ev["factor_revealed"]["weight"] if reveal is not None else 0
    force_rows, errors, candidates = [], [], []
    good = [0] * n
    best: list = [None] * n
    worst: list = [None] * n
    best_w, worst_w = [0.0] * n, [0.0] * n
    choices = sc.choice_by_id
    for d in trace.decisions:
        choice = choices.get(d.choice)
        if choice is None:
            continue
        items, row, crit, kd = _facts(ctx, choice, d.pre)
        if crit:
            for ce, fc in crit:
                errors.append({"id": ce.id, "name": ce.name, "node": d.node, "choice": d.choice, "t": d.t,
                               "why": ce.why if fc is None else f"{ce.why} {fc.why}", "source": ce.source})
        if kd is not None:
            candidates.append((kd[0], kd[1], d.index, d) + kd[2:])
        if d.revealed and reveal is not None:
            items = items + ((reveal, reveal_w, "factor-revealed", None, "helpful" if reveal_w > 0 else "harmful"),)
        node, cid, t = d.node, d.choice, d.t
        for i, w, kind, tag, effect in items:
            e = {"node": node, "choice": cid, "t": t, "kind": kind, "tag": tag, "weight": w, "effect": effect}
            evidence[i].append(e)
            if w > 0:
                pos[i] += w
                good[i] += 1
                if w > best_w[i]:
                    best_w[i] = w
                    best[i] = e
            else:
                neg[i] -= w
                if w < worst_w[i]:
                    worst_w[i] = w
                    worst[i] = e
        if row is not None:
            force_rows.append({"node": node, "choice": cid, "t": t, **row})
    out = []
    for i, comp in enumerate(rubric.competencies):
        total = pos[i] + neg[i]
        observed = total > 0
        score = int(round(100.0 * pos[i] / total)) if observed else None
        items = evidence[i]
        out.append({"id": comp.id, "name": comp.name, "weight": comp.weight, "observed": observed, "score": score,
                    "helpful": good[i], "harmful": len(items) - good[i],
                    "explanation": _explain(ctx, comp, score, good[i], len(items) - good[i], best[i], worst[i]),
                    "evidence": items})
    if trace.ending is not None:
        seen = {e["id"] for e in errors}
        for ce in ctx.ending_errors(trace.ending):
            if ce.id in seen:
                continue  # already reported at the decision that led here
            errors.append({"id": ce.id, "name": ce.name, "node": trace.ending, "choice": None, "t": trace.t_end,
                           "why": ce.why, "source": ce.source})
    return out, force_rows, errors, candidates


def _describe(e: dict, tags) -> str:
    if e["kind"] == "tag":
        what = tags.get(e["tag"], {}).get("description", e["tag"])
        return f"{e['choice']} at {e['node']} ({e['tag']}: {what[0].lower() + what[1:].rstrip('.')})"
    if e["kind"] == "factor-revealed":
        return f"{e['choice']} at {e['node']} (it revealed what was really going on)"
    if e["kind"] == "restraint":
        return f"{e['choice']} at {e['node']} (no force, though force was an option)"
    return f"{e['choice']} at {e['node']} ({e['tag']} force)"


def _explain(ctx: Context, comp, score, n_good: int, n_bad: int, best, worst) -> str:
    """One plain-language line: how many helpful and harmful actions, the best and the weakest."""
    if score is None:
        return f"Not observed: no decision on this path showed {comp.name[0].lower() + comp.name[1:]}."
    ident = lambda e: None if e is None else (e["choice"], e["node"], e["kind"], e["tag"])
    key = ("explain-comp", comp.id, n_good, n_bad, ident(best), ident(worst))
    hit = ctx.memo.get(key)
    if hit is not None:
        return hit
    tags = ctx.scenario.behaviour.tags
    parts = [f"{n_good} helpful and {n_bad} harmful action{'s' if n_bad != 1 else ''}."]
    if best is not None:
        parts.append(f"Best: {_describe(best, tags)}.")
    if worst is not None:
        parts.append(f"Weakest: {_describe(worst, tags)}.")
    hit = ctx.memo[key] = " ".join(parts)
    return hit


def _deescalation(ctx: Context, trace: Trace) -> dict:
    sc = ctx.scenario
    level = trace.initial[ESCALATION]
    points = [(0.0, level)] + [(d.t, d.post[ESCALATION]) for d in trace.decisions]
    peak = level
    counts = {"own": [0, 0], "random": [0, 0], "timer": [0, 0], "recovery": [0, 0]}
    levels = {"own": [0, 0], "random": [0, 0], "timer": [0, 0], "recovery": [0, 0]}
    force_used = False
    choices = sc.choice_by_id
    for d in trace.decisions:
        if not force_used:
            choice = choices.get(d.choice)
            force_used = choice is not None and choice.force is not None
        for e in d.escalation:
            peak = max(peak, e["to"])
            causes = e.get("causes")
            if causes is None or len(causes) < 2:  # one cause: the level change is its change
                kind = e["cause"].get("kind")
                parts = {("timer" if d.timer else "random" if kind == "outcome" else
                          "recovery" if kind == "recovery" else "own"): e["to"] - e["from"]}
            else:  # several causes netted into one change: split it by what each contributed
                parts = {}
                for cause in causes:
                    kind = cause.get("kind")
                    who = "timer" if d.timer else "random" if kind == "outcome" else "recovery" if kind == "recovery" else "own"
                    parts[who] = parts.get(who, 0) + cause.get("delta", 0)
            for who, delta in parts.items():
                if delta:
                    k = 0 if delta > 0 else 1
                    counts[who][k] += 1
                    levels[who][k] += abs(delta)
    total = trace.t_end
    if total > 0:
        weighted = high = 0.0
        for (t0, lv), (t1, _) in zip(points, points[1:] + [(total, None)]):
            span = max(0.0, t1 - t0)
            weighted += lv * span
            if lv >= 4:
                high += span
        mean = weighted / total
        basis = "seconds"
    else:
        lvls = [lv for _, lv in points[:-1]] or [level]
        mean, high, basis = sum(lvls) / len(lvls), 0.0, "decisions"
    final = trace.decisions[-1].post[ESCALATION] if trace.decisions else level
    rapport = trace.decisions[-1].post[RAPPORT] if trace.decisions else trace.initial[RAPPORT]
    names = sc.behaviour.level_names
    return {
        "start": level, "peak": peak, "peak_name": names[peak], "final": final, "final_name": names[final],
        "final_rapport": rapport, "time_weighted_mean": round(mean, 3), "time_basis": basis,
        "seconds_at_4_or_above": round(high, 3), "duration": round(total, 3),
        "rises_by_own_choices": counts["own"][0], "falls_by_own_choices": counts["own"][1],
        "levels_raised_by_own_choices": levels["own"][0], "levels_lowered_by_own_choices": levels["own"][1],
        "rises_by_other_causes": {k: counts[k][0] for k in ("random", "timer", "recovery")},
        "falls_by_other_causes": {k: counts[k][1] for k in ("random", "timer", "recovery")},
        "force_used": force_used,
        "resolved_without_force": (not force_used and trace.ending_outcome in ("resolved", "referred")),
        "ending_outcome": trace.ending_outcome,
    }


def _overall(ctx: Context, competencies: list) -> int | None:
    num = den = 0.0
    for c in competencies:
        if c["observed"] and c["weight"] > 0:
            num += c["weight"] * c["score"]
            den += c["weight"]
    return int(round(num / den)) if den else None


def _result(ctx: Context, trace: Trace, competencies, overall, errors, desc) -> tuple[str, str, str]:
    th = ctx.rubric.thresholds
    if errors:
        names = ", ".join(dict.fromkeys(f"{e['name']} ({e['choice'] or e['node']})" for e in errors))
        return FAIL, "critical-error", f"Fail: a critical error fails the run whatever the points: {names}."
    if trace.ending is None:
        return NEEDS_PRACTICE, "incomplete", "Needs practice: the scenario was not played to an ending."
    if overall is None:
        return NEEDS_PRACTICE, "nothing-observed", "Needs practice: no competency was observed on this path."
    if overall < th["fail_below"]:
        return FAIL, "overall-below-fail", f"Fail: the overall score {overall} is below {th['fail_below']:g}."
    if overall < th["pass"]:
        return (NEEDS_PRACTICE, "overall-below-pass",
                f"Needs practice: the overall score {overall} is below the pass mark {th['pass']:g}.")
    low = [c for c in competencies if c["observed"] and c["score"] < th["competency_floor"]]
    if low:
        names = ", ".join(f"{c['name']} ({c['score']})" for c in low)
        return (NEEDS_PRACTICE, "competency-below-floor",
                f"Needs practice: overall {overall} passes, but these competencies are below {th['competency_floor']:g}: {names}.")
    if desc["final"] > th["max_final_escalation"]:
        return (NEEDS_PRACTICE, "final-escalation-high",
                f"Needs practice: the encounter ended at escalation level {desc['final']}, above {th['max_final_escalation']}.")
    return (PASS, "pass", f"Pass: overall {overall} is at least {th['pass']:g}, no competency is below "
                          f"{th['competency_floor']:g}, the encounter ended at level {desc['final']}, and there were no critical errors.")
