"""Debrief content: timeline, key decisions with better alternatives (from the graph), perspectives,
learning objectives and the feedback of the choices made."""
from __future__ import annotations

from simulator.engine.model import ESCALATION, RAPPORT

from .context import Context
from .trace import Trace
from .values import option_values, search_for

KEY_DECISIONS = 3


def _texts(ctx: Context, lang: str) -> dict:
    """Cached per language: choice id -> (label, feedback); target id -> perspective or None."""
    key = ("texts", lang)
    hit = ctx.memo.get(key)
    if hit is None:
        sc = ctx.scenario
        text = lambda v: v.get(lang, sc.language) if v is not None else None  # noqa: E731
        hit = {"choice": {cid: (text(c.text) or cid, text(c.feedback) or "") for cid, c in sc.choice_by_id.items()},
               "perspective": {n.id: text(n.perspective) for n in sc.nodes},
               "ending": {e.id: (text(e.title), text(e.perspective)) for e in sc.endings}}
        ctx.memo[key] = hit
    return hit


def build_debrief(ctx: Context, trace: Trace, report, lang: str, candidates: list) -> None:
    """Fill the debrief parts of `report` (timeline, key_decisions, perspectives, objectives, feedback)."""
    texts = _texts(ctx, lang)
    choice_text, node_view = texts["choice"], texts["perspective"]
    timeline = [{"t": 0.0, "escalation": trace.initial[ESCALATION], "rapport": trace.initial[RAPPORT],
                 "node": trace.start, "choice": None, "label": "Start", "kind": "start"}]
    feedback, perspectives = [], []
    if node_view.get(trace.start) is not None:
        perspectives.append({"node": trace.start, "t": 0.0, "text": node_view[trace.start]})
    for d in trace.decisions:
        label, fb = choice_text.get(d.choice, (d.choice, ""))
        pre, post, t = d.pre, d.post, d.t
        timeline.append({"t": t, "escalation": post[ESCALATION], "rapport": post[RAPPORT], "node": d.node,
                         "choice": d.choice, "label": label, "kind": "timer" if d.timer else "choice",
                         "escalation_before": pre[ESCALATION], "rapport_before": pre[RAPPORT]})
        feedback.append({"node": d.node, "choice": d.choice, "t": t, "text": label, "feedback": fb})
        view = node_view.get(d.target)
        if view is not None:
            perspectives.append({"node": d.target, "t": t, "text": view})
    if trace.ending is not None:
        title, view = texts["ending"].get(trace.ending, (trace.ending, None))
        final = trace.decisions[-1].post if trace.decisions else trace.initial
        timeline.append({"t": trace.t_end, "escalation": final[ESCALATION], "rapport": final[RAPPORT],
                         "node": trace.ending, "choice": None, "label": "Ending: " + title, "kind": "ending"})
        if view is not None:
            perspectives.append({"node": trace.ending, "t": trace.t_end, "text": view})
    report.timeline = timeline
    report.feedback = feedback
    report.perspectives = perspectives
    report.key_decisions = key_decisions(ctx, candidates, lang)
    report.objectives = objectives(ctx, trace, report)


def _tags_phrase(ctx: Context, choice, sign: int) -> str:
    tags = ctx.scenario.behaviour.tags
    picked = []
    for tag in choice.tags:
        if (tags.get(tag, {}).get("polarity") == "helpful") == (sign > 0) and tags.get(tag, {}).get("polarity") != "neutral":
            picked.append(tag)
    return ", ".join(picked)


def _movement(pre: tuple, post: tuple) -> str:
    parts = []
    for name, slot in (("Escalation", ESCALATION), ("rapport", RAPPORT)):
        a, b = pre[slot], post[slot]
        parts.append(f"{name} stayed at {a}" if a == b else f"{name} went from {a} to {b}")
    return ", ".join(parts) + "."


def _expected(search, at, values, choice) -> tuple[float, float]:
    """(expected escalation right after, expected rapport right after) of a choice."""
    br = search.branches(at, values, choice)
    return (sum(p * nv[ESCALATION] for _, p, _, nv, _ in br), sum(p * nv[RAPPORT] for _, p, _, nv, _ in br))


def key_decisions(ctx: Context, rows: list, lang: str) -> list:
    """The decisions that mattered most: largest gap between the best available option's expected
    value (this decision's reward plus the best achievable play afterwards, over every random
    outcome, solved exactly; or a short lookahead for very large scenarios) and the chosen one's;
    ties broken by how much was at stake at that decision (best minus worst option).

    `rows` holds one candidate per decision: (-regret, -stake, index, decision, chosen, better,
    value chosen, value best, method), from `decision_value`.
    """
    rows.sort(key=lambda r: r[:3])
    out = []
    for neg_regret, neg_stake, _, d, chosen, better, q_chosen, best_q, method in sorted(rows[:KEY_DECISIONS],
                                                                                      key=lambda r: r[2]):
        why, better_row = _explain_decision(ctx, d, chosen, better, q_chosen, best_q, lang)
        out.append({"node": d.node, "choice": d.choice, "t": d.t, "why": why, "better": better_row,
                    "regret": round(-neg_regret, 3), "stake": round(-neg_stake, 3),
                    "value_chosen": round(q_chosen, 3), "value_best": round(best_q, 3), "method": method})
    return out


def decision_value(ctx: Context, chosen, pre: tuple):
    """(-regret, -stake, chosen, better or None, value chosen, value best, method) of taking
    `chosen` in state `pre`, or None when it cannot be valued."""
    min_gain = ctx.rubric.decision_value.get("min_gain", 1.0)
    if chosen is None:
        return None
    summary = _option_summary(ctx, chosen.node, pre)
    if summary is None:
        return None
    best_q, best, worst_q, values, method = summary
    q_chosen = values.get(chosen.id)
    if q_chosen is None:
        return None
    regret = best_q - q_chosen if best.id != chosen.id else 0.0
    return (-round(regret, 9), -round(best_q - worst_q, 9), chosen, best if regret >= min_gain else None,
            q_chosen, best_q, method)


def _option_summary(ctx: Context, at: int, pre: tuple):
    key = ("summary", at, pre)
    hit = ctx.memo.get(key, False)
    if hit is not False:
        return hit
    rows, method = option_values(ctx, at, pre)
    real = [(q, c) for q, c in rows if q is not None and not c.is_timeout]
    if not real:
        ctx.memo[key] = None
        return None
    best_q, best = max(real, key=lambda qc: qc[0])
    worst_q = min(q for q, _ in rows if q is not None)
    hit = ctx.memo[key] = (best_q, best, worst_q, {c.id: q for q, c in rows if q is not None}, method)
    return hit


def _explain_decision(ctx: Context, d, chosen, better, q_chosen: float, best_q: float, lang: str):
    key = ("explain", chosen.id, better.id if better else None, d.pre, d.post, lang)
    hit = ctx.memo.get(key)
    if hit is not None:
        return hit[0], dict(hit[1])
    sc = ctx.scenario
    search = search_for(ctx, True)
    text = lambda v: v.get(lang, sc.language) if v is not None else ""  # noqa: E731
    at = chosen.node
    errors = ctx.decision_errors_for(chosen, d.node, d.pre)
    why = f"You chose '{text(chosen.text) or chosen.id}'."
    bad = _tags_phrase(ctx, chosen, -1)
    if bad:
        why += f" It showed {bad}."
    why += " " + _movement(d.pre, d.post)
    if errors:
        why += " It was a critical error: " + ", ".join(ce.name for ce, _ in errors) + "."
    if better is None:
        row = {"choice": None, "text": None,
               "why": "This was already a strong option here (no alternative was clearly better); "
                      "much depended on it, because the options here differed widely."}
    else:
        e_c, r_c = _expected(search, at, d.pre, chosen)
        e_b, r_b = _expected(search, at, d.pre, better)
        good = _tags_phrase(ctx, better, +1)
        bwhy = f"'{text(better.text) or better.id}'"
        bwhy += f" shows {good}" if good else " avoids the harm in your choice"
        bwhy += (f"; it leads to escalation {e_b:.1f} and rapport {r_b:.1f} on average, against {e_c:.1f} and "
                 f"{r_c:.1f} for your choice, and with good play afterwards its expected value is {best_q:.1f} "
                 f"against {q_chosen:.1f}.")
        if errors and not ctx.decision_errors_for(better, d.node, d.pre):
            bwhy += " It is not a critical error."
        row = {"choice": better.id, "text": text(better.text), "why": bwhy}
    ctx.memo[key] = (why, row)
    return why, dict(row)


def objectives(ctx: Context, trace: Trace, report) -> list:
    """Each learning objective met, missed, or not assessed (no mapping in the scenario)."""
    sc = ctx.scenario
    mapping = ctx.rubric.objectives
    scores = {c["id"]: c["score"] for c in report.competencies}
    out = []
    for obj in sc.objectives:
        entry = mapping.get(obj.id)
        row = {"id": obj.id, "text": obj.text.get(sc.language, sc.language), "met": None, "evidence": [], "why": ""}
        if entry is None:
            row["why"] = "The scenario does not say how to assess this objective."
            out.append(row)
            continue
        met_by, missed_by = entry.get("met_by") or {}, entry.get("missed_by") or {}
        hits, misses = [], []
        for d in trace.decisions:
            choice = sc.choice_by_id.get(d.choice)
            tags = set(choice.tags) if choice else set()
            ref = {"node": d.node, "choice": d.choice, "t": d.t}
            if d.choice in (met_by.get("choices") or ()) or tags & set(met_by.get("tags") or ()):
                hits.append({**ref, "effect": "meets"})
            if d.choice in (missed_by.get("choices") or ()) or tags & set(missed_by.get("tags") or ()):
                misses.append({**ref, "effect": "misses"})
        if trace.ending in (missed_by.get("endings") or ()):
            misses.append({"node": trace.ending, "choice": None, "t": trace.t_end, "effect": "misses"})
        reasons = []
        ok = True
        if (met_by.get("choices") or met_by.get("tags")) and not hits:
            ok = False
            reasons.append("none of the decisions that meet it were taken")
        if met_by.get("factor_revealed") and not any(d.revealed for d in trace.decisions):
            ok = False
            reasons.append("the hidden factor was never uncovered")
        for cid, minimum in (met_by.get("competencies") or {}).items():
            score = scores.get(cid)
            if score is None or score < minimum:
                ok = False
                reasons.append(f"{cid} scored {'not observed' if score is None else score}, below {minimum:g}")
        if misses:
            ok = False
            reasons.append("decisions that miss it were taken: " + ", ".join(m["choice"] or m["node"] for m in misses))
        row["met"] = ok
        row["evidence"] = hits + misses
        row["why"] = "Met." if ok else "Missed: " + "; ".join(reasons) + "."
        out.append(row)
    return out
