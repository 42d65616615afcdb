"""Grade one session: competencies, de-escalation, proportionality, critical errors and the result."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from simulator import i18n
from simulator.engine.model import BEHAVIOURS, ESCALATION, RAPPORT, Scenario
from simulator.engine.session import ReplayMismatch, Session
from simulator.i18n import N_, _, data_text, ngettext

from .context import Context, context_for
from .room import room_story
from .rubric import Rubric
from .trace import Trace, read_trace
from .words import QUOTE_MARKS, filled, grade_words, labels, person_words, scene_label

REPORT_FORMAT = 2  # 2: grades per decision, major errors, behaviour-based proportionality, summary page
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
    graded: list = field(default_factory=list)  # every decision on the final path with its grade
    major_errors: list = field(default_factory=list)
    mistakes: list = field(default_factory=list)
    chance: list = field(default_factory=list)  # decisions whose reaction was drawn at random
    summary: dict = field(default_factory=dict)  # the first page: result, takeaways, questions
    ending: dict | None = None
    decisions: int = 0
    undos: int = 0
    complete: bool = True
    warnings: list = field(default_factory=list)
    room: list = field(default_factory=list)  # who else took part: instructors' picks, notes, votes (scoring/room.py)
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
    return filled(value.get(language, ctx.scenario.language)) if value is not None else ""


def _words(value, ctx: Context, language: str) -> str:
    """A rubric or scenario string that may be a map of languages (a scenario's `scoring:` text); a
    plain string of Parley's own rubric in the interface language."""
    if isinstance(value, Mapping):
        return value.get(language) or value.get(ctx.scenario.language) or next(iter(value.values()), "")
    return data_text(value)


SEVERITY_WORDS = {"none": N_("no offense"), "minor": N_("minor"), "moderate": N_("moderate"),
                  "serious": N_("serious"), "violent": N_("violent")}


def _graham_words(notes) -> str:
    """The Graham factors that moved a force allowance, in the interface language."""
    words = []
    for kind, value in notes:
        if kind == "severity":
            severity, lowers = value
            shown = _(SEVERITY_WORDS[severity]) if severity in SEVERITY_WORDS else severity
            words.append((_("the offense is {severity}, which lowers it") if lowers else
                          _("the offense is {severity}, which raises it")).format(severity=shown))
        elif kind == "weapon":
            words.append(_("a weapon is involved ({weapon})").format(weapon=value))
        else:
            words.append(_("the person is no danger to anyone else"))
    if not words:
        return _("Graham factors: no adjustment.")
    return _("Graham factors: {factors}.").format(factors="; ".join(words))


def _force_why(ctx: Context, force: str, shows: str, allowed: str, proportionate: bool, lang: str,
               values: tuple) -> str:
    """Why a use of force was or was not in proportion, in the interface language, naming the person
    as the officer knew them then (`values`: the state before the decision)."""
    sc = ctx.scenario
    names = sc.behaviour.force_names
    doing = data_text(sc.behaviour.behaviour_names.get(shows, shows))
    who = person_words(sc, values, lang)
    template = (_("{who_start} was {doing}; that allows at most {allowed}, and {force} is within it.") if proportionate
                else _("{who_start} was {doing}; that allows at most {allowed}, and {force} is beyond it."))
    sentence = template.format(who_start=who[:1].upper() + who[1:], doing=doing[:1].lower() + doing[1:],
                               allowed=data_text(names[allowed]).lower(), force=data_text(names[force]).lower())
    return sentence + " " + _graham_words(ctx.allowed_notes.get(shows, ()))


def grade(scenario: Scenario, log: list[dict], rubric: Rubric | None = None, *, language: str | None = None) -> Report:
    """Grade the final path of the session recorded in `log` (undone decisions are ignored).

    Pure and deterministic: no I/O, no clock; the same scenario, log and rubric give the same report.
    `rubric` defaults to the shipped rubric; the scenario's `scoring:` section is always merged in.

    Every decision is graded by the grade the scenario gives it (raised to critical when it triggers
    a critical error); the overall score is 100 minus each decision's points (docs/scoring.md).

    The log is replayed through the engine first (`verify_log`): a log recorded on another scenario
    or another version of its file, or whose events do not replay, raises `LogMismatch` and is not
    graded.
    """
    from .debrief import build_debrief  # the debrief builds on the grading context
    log = verify_log(scenario, log)
    ctx = context_for(scenario, rubric)
    lang = language or scenario.language
    trace = read_trace(scenario, log)
    g = _grade_path(ctx, trace, lang)
    desc = _deescalation(ctx, trace)
    force_used = desc["force_used"]
    result, rule_id, rule = _result(ctx, trace, g, lang)
    ending = None
    index = scenario.target_index.get(trace.ending) if trace.ending is not None else None
    if index is not None and scenario.is_ending(index):
        e = scenario.ending_at(index)
        outcome = effective_outcome(e.outcome, force_used)
        ending = {"id": e.id, "outcome": outcome, "written_outcome": e.outcome, "title": _text(e.title, ctx, lang)}
        desc["ending_outcome"] = outcome
    report = Report(
        scenario={"id": scenario.id, "version": scenario.version, "content_hash": scenario.content_hash},
        rubric={"name": ctx.rubric.name, "version": ctx.rubric.version},
        result=result, result_rule=rule, result_rule_id=rule_id, overall=g["overall"],
        competencies=g["competencies"], deescalation=desc, proportionality=g["force_rows"],
        critical_errors=g["critical"], ending=ending, decisions=len(trace.decisions), undos=trace.undos,
        complete=trace.ending is not None)
    report.graded = g["graded"]
    report.major_errors = g["major"]
    report.mistakes = g["mistakes"]
    report.warnings = _warnings(scenario, log, trace)
    report.room = room_story(scenario, log, lang)
    build_debrief(ctx, trace, report, lang, g["candidates"])
    return report


def effective_outcome(written: str, force_used: bool) -> str:
    """An ending's outcome as graded: an ending reached after force is never resolved or referred."""
    return "force-used" if force_used and written in ("resolved", "referred") else written


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


def deduction(ctx: Context, grade_name: str, key: str = "overall") -> float:
    """Points a decision of this grade takes off the overall score (or a competency's)."""
    return 0.0 if grade_name == "good" else float(ctx.rubric.grades[grade_name][key])


def _facts(ctx: Context, choice, pre: tuple) -> tuple:
    """(grade, credits, against, force-row template, critical errors) of a decision, memoised on what
    they depend on (`Context.state_key`, and the distress level for a force row), not on the whole
    state: their number is bounded by the scenario, whatever states sessions visit."""
    key = ("facts", choice.id, ctx.state_key(choice, pre), pre[ESCALATION] if choice.force is not None else None)
    hit = ctx.memo.get(key)
    if hit is not None:
        return hit
    sc, ev = ctx.scenario, ctx.rubric.evidence
    tier = ctx.effective_grade(choice, pre)
    credits = []
    if tier in ("good", "acceptable"):  # evidence is credited only to the decision that earned it
        credits = [(i, "tag", tag) for i, w, tag in ctx.contributions[choice.id] if w > 0]
        restraint = ev.get("restraint")
        if (restraint and choice.force is None and not choice.is_timeout
                and ctx.comp_index.get(restraint["competency"]) is not None):
            node = sc.nodes[choice.node]
            if any(c.force not in (None, "presence") and (c.test is None or c.test(pre)) for c in node.choices):
                credits.append((ctx.comp_index[restraint["competency"]], "restraint", None))
    against = ctx.counts_against(choice) if tier != "good" else ()
    row = None
    if choice.force is not None:
        fc = ctx.force_check(choice, pre)
        g = sc.graham
        names = sc.behaviour.behaviour_names
        row = {"force": fc.force, "force_name": data_text(sc.behaviour.force_names[fc.force]), "rank": fc.rank,
               "shows": fc.shows, "shows_name": data_text(names.get(fc.shows, fc.shows)), "distress": pre[ESCALATION],
               "distress_name": sc.behaviour.level_names[pre[ESCALATION]], "allowed": fc.allowed,
               "allowed_rank": fc.allowed_rank, "proportionate": fc.proportionate, "lower_alternatives": fc.lower,
               "alternative_available": bool(fc.lower),
               "graham": None if g is None else {"offence_severity": g.offence_severity, "weapon": g.weapon,
                                                 "danger_to_others": g.danger_to_others},
               "why": fc.why}
    crit = tuple(ctx.decision_errors_for(choice, sc.nodes[choice.node].id, pre))
    hit = ctx.memo[key] = (tier, tuple(credits), against, row, crit)
    return hit


def _grade_path(ctx: Context, trace: Trace, lang: str) -> dict:
    """Every decision's grade, the competencies, force rows, errors and key-decision candidates."""
    from .debrief import decision_values
    sc, rubric = ctx.scenario, ctx.rubric
    n = len(rubric.competencies)
    observed = [False] * n
    lost = [0.0] * n
    evidence: list[list] = [[] for _i in range(n)]
    ev = rubric.evidence
    reveal = ctx.comp_index.get((ev.get("factor_revealed") or {}).get("competency"))
    force_rows, critical, major, mistakes, candidates, graded = [], [], [], [], [], []
    escalators: list[dict] = []  # poor decisions after which the person's behaviour got worse
    total = 0.0
    choices = sc.choice_by_id
    words = labels(ctx.memo, sc, lang)
    made = [(d, choices[d.choice]) for d in trace.decisions if d.choice in choices]
    # how each decision compares with the options it had, looked up together (scoring/exact.py)
    valued = decision_values(ctx, [(choice, d.pre) for d, choice in made])
    pulling_away = BEHAVIOURS.index("pulling-away")
    shows = _shows_index(ctx)
    for (d, choice), kd in zip(made, valued):
        tier, credits, against, row, crit = _facts(ctx, choice, d.pre)
        scene = words.scene(d.node)
        text = words.choice(choice)
        ref = {"node": d.node, "scene": scene, "choice": d.choice, "text": text, "t": d.t}
        points = deduction(ctx, tier)
        total += points
        ids, names = _against(ctx, against)
        graded.append({**ref, "grade": tier, "written_grade": choice.grade or "good", "points": points,
                       "against": list(ids), "against_names": list(names),
                       "timer": d.timer, "feedback": words.feedback_filled(choice)})
        if kd is not None:
            candidates.append((kd, d))
        if d.revealed and reveal is not None and tier in ("good", "acceptable"):
            credits = credits + ((reveal, "factor-revealed", None),)
        for i, kind, tag in credits:
            observed[i] = True
            evidence[i].append({**ref, "kind": kind, "tag": tag, "effect": "helpful", "grade": tier, "points": 0})
        if against:
            lose = deduction(ctx, tier, "competency")
            for i in against:
                observed[i] = True
                lost[i] += lose
                evidence[i].append({**ref, "kind": "grade", "tag": None, "effect": "harmful", "grade": tier,
                                    "points": lose})
        if crit:
            for ce, fc in crit:
                why = _words(ce.why, ctx, lang)
                if fc is not None:
                    why += " " + _force_why(ctx, fc.force, fc.shows, fc.allowed, fc.proportionate, lang, d.pre)
                critical.append({**ref, "id": ce.id, "name": _words(ce.name, ctx, lang), "why": why,
                                 "source": ce.source})
        elif tier == "critical":  # graded critical by the scenario itself
            critical.append({**ref, "id": "graded-critical", "name": _("A critical error in this scenario"),
                             "why": words.feedback_filled(choice), "source": "scenario"})
        elif tier == "major":
            major.append({**ref, "why": words.feedback_filled(choice), "against": list(names)})
        elif tier == "mistake":
            mistakes.append({**ref, "why": words.feedback_filled(choice), "against": list(names)})
        here = shows[choice.node]
        if row is not None:
            jeopardy = here >= pulling_away and choice.force not in ("presence", "verbal")
            created = [dict(e) for e in escalators] if jeopardy else []
            alt = row["lower_alternatives"][0] if row["lower_alternatives"] else None
            full = {**ref, **row, "grade": tier, "officer_created": bool(created), "created_by": created,
                    "alternative": words.choice(choices[alt]) if alt else None}
            full["why"] = _force_why(ctx, row["force"], row["shows"], row["allowed"], row["proportionate"], lang, d.pre)
            if created:
                full["why"] += " " + _("The threat it answered was created by the officer's own earlier choices "
                                       "({choices}): officer-created jeopardy, which does not excuse the force.").format(
                    choices="; ".join(_at(e["text"], e["scene"], 1000) for e in created))
            force_rows.append(full)
        if tier in ("mistake", "major", "critical"):
            target = sc.target_index.get(d.target)
            if target is not None and not sc.is_ending(target) and shows[target] > here:
                escalators.append(ref)
    if trace.ending is not None:
        seen = {e["id"] for e in critical}
        for ce in ctx.ending_errors(trace.ending):
            if ce.id in seen:
                continue  # already reported at the decision that led here
            critical.append({"node": trace.ending, "scene": scene_label(sc, trace.ending, lang), "choice": None,
                             "text": None, "t": trace.t_end, "id": ce.id, "name": _words(ce.name, ctx, lang),
                             "why": _words(ce.why, ctx, lang),
                             "source": ce.source})
    competencies = []
    for i, comp in enumerate(rubric.competencies):
        score = max(0, int(round(100.0 - lost[i]))) if observed[i] else None
        items = evidence[i]
        harmful = [e for e in items if e["effect"] == "harmful"]
        competencies.append({"id": comp.id, "name": data_text(comp.name), "weight": comp.weight, "observed": observed[i],
                             "score": score, "helpful": len(items) - len(harmful), "harmful": len(harmful),
                             "points_lost": lost[i], "explanation": _explain(comp, score, items, harmful, words.derived),
                             "evidence": items})
    overall = max(0, int(round(100.0 - total))) if graded else None
    return {"graded": graded, "competencies": competencies, "force_rows": force_rows, "critical": critical,
            "major": major, "mistakes": mistakes, "candidates": candidates, "overall": overall,
            "points_lost": total}


def _against(ctx: Context, against: tuple) -> tuple:
    """(ids, names in the interface language) of the competencies a decision counts against."""
    key = ("against-names", against, i18n._translations)
    hit = ctx.memo.get(key)
    if hit is None:
        comps = ctx.rubric.competencies
        hit = ctx.memo[key] = (tuple(comps[i].id for i in against), tuple(data_text(comps[i].name) for i in against))
    return hit


def _shows_index(ctx: Context) -> list:
    """Per node index: where what the person shows there stands in BEHAVIOURS."""
    shows = ctx.memo.get("shows-index")
    if shows is None:
        shows = ctx.memo["shows-index"] = [BEHAVIOURS.index(nd.shows or "compliant") for nd in ctx.scenario.nodes]
    return shows


def _quote(text: str, limit: int = 90) -> str:
    """`text` in quotation marks, cut at `limit`; a text that already begins or ends with a quotation
    mark (an option that is a spoken line) gets none of ours, so marks are never doubled."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    if text and (text[0] in QUOTE_MARKS or text.rstrip("…")[-1:] in QUOTE_MARKS):
        return text
    return "“" + text + "”"


def _at(text: str, scene: str, limit: int = 90) -> str:
    """A quoted choice and where it was made: “...” at Scene."""
    return _("{choice} at {scene}").format(choice=_quote(text, limit), scene=scene)


def _explain(comp, score, items: list, harmful: list, derived: dict | None = None) -> str:
    """One plain-language line, in words a trainee reads: what showed it and what counted against it.
    `derived` (a `Labels.derived`) keeps the phrases that depend only on the scenario and the languages."""
    if derived is None:
        derived = {}
    if score is None:
        key = ("not-observed", comp.id, comp.name)
        hit = derived.get(key)
        if hit is None:
            name = data_text(comp.name)
            hit = derived[key] = _("Not observed: no decision on this path showed or needed {competency}.").format(
                competency=name[:1].lower() + name[1:])
        return hit
    if not harmful:
        first = items[0]
        more = len({e["choice"] for e in items})
        return ngettext("No decision counted against it. Shown once, for example {example}.",
                        "No decision counted against it. Shown in {n} decisions, for example {example}.",
                        more).format(n=more, example=_at_cached(derived, first["text"], first["scene"]))
    head = ngettext("{n} decision counted against it:", "{n} decisions counted against it:",
                    len(harmful)).format(n=len(harmful))
    rows = []
    for e in harmful[:3]:
        key = ("harmful", e["text"], e["scene"], e["grade"], e["points"])
        row = derived.get(key)
        if row is None:
            row = derived[key] = _("{decision} ({grade}, {points} points)").format(
                decision=_at(e["text"], e["scene"]), grade=grade_words(e["grade"]), points=f"{e['points']:g}")
        rows.append(row)
    return head + " " + "; ".join(rows) + ("; …" if len(harmful) > 3 else "") + "."


def _at_cached(derived: dict, text: str, scene: str) -> str:
    key = ("at", text, scene)
    hit = derived.get(key)
    if hit is None:
        hit = derived[key] = _at(text, scene)
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
            force_used = choice is not None and choice.force not in (None, "presence", "verbal")
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
        for (t0, lv), (t1, _level) in zip(points, points[1:] + [(total, None)]):
            span = max(0.0, t1 - t0)
            weighted += lv * span
            if lv >= 4:
                high += span
        mean = weighted / total
        basis = "seconds"
    else:
        lvls = [lv for _t, lv in points[:-1]] or [level]
        mean, high, basis = sum(lvls) / len(lvls), 0.0, "decisions"
    final = trace.decisions[-1].post[ESCALATION] if trace.decisions else level
    rapport = trace.decisions[-1].post[RAPPORT] if trace.decisions else trace.initial[RAPPORT]
    names = sc.behaviour.level_names
    return {
        "start": level, "start_name": names[level], "peak": peak, "peak_name": names[peak], "final": final, "final_name": names[final],
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


def _result(ctx: Context, trace: Trace, g: dict, lang: str) -> tuple[str, str, str]:
    """The result and the rule that decided it, in words (docs/scoring.md, "The result")."""
    th = ctx.rubric.thresholds
    overall = g["overall"]
    if g["critical"]:
        scenes: dict = {}
        english = {ce.id: ce.name for ce in ctx.rubric.critical_errors}  # the record stays in English
        for e in g["critical"]:
            name = english.get(e["id"], "A critical error in this scenario")
            if isinstance(name, Mapping):
                name = name.get(ctx.scenario.language) or next(iter(name.values()), "")
            scenes.setdefault(name, []).append(e["scene"])
        names = "; ".join(f"{name} ({'; '.join(dict.fromkeys(where))})" for name, where in scenes.items())
        return FAIL, "critical-error", f"Fail: a critical error fails the run whatever the points: {names}."
    # A low score fails before any rule that caps at "needs practice": otherwise a major error, or
    # stopping before the ending, would lift a failing run to needs practice (a worse decision
    # must never give a better result).
    if overall is not None and overall < th["fail_below"]:
        return FAIL, "overall-below-fail", f"Fail: the overall score {overall} is below {th['fail_below']:g}."
    if trace.ending is None:
        return NEEDS_PRACTICE, "incomplete", "Needs practice: the scenario was not played to an ending."
    if overall is None:
        return NEEDS_PRACTICE, "nothing-observed", "Needs practice: no decision was made."
    if g["major"]:
        names = "; ".join(f"{_quote(e['text'], 60)} at {e['scene']}" for e in g["major"])
        return (NEEDS_PRACTICE, "major-error",
                f"Needs practice: a major error caps the result, whatever the points: {names}.")
    if overall < th["pass"]:
        return (NEEDS_PRACTICE, "overall-below-pass",
                f"Needs practice: the overall score {overall} is below the pass mark {th['pass']:g}.")
    n = len(g["mistakes"])
    return (PASS, "pass", f"Pass: overall {overall} is at least {th['pass']:g}, with no critical or major error"
                          + (f" and {n} mistake{'s' if n != 1 else ''}." if n else " and no mistake."))
