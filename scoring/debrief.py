"""Debrief content, in words for people: the first page (result, takeaways, questions), key decisions
with better alternatives ranked by value, chance reactions, perspectives, objectives and feedback.
Ids stay in the JSON for tools; every sentence a person reads names scenes by label and choices by text."""
from __future__ import annotations

from simulator.engine.model import ESCALATION, GRADES, RAPPORT
from simulator.i18n import N_, _, ngettext

from .context import Context
from .trace import Trace
from .values import option_values
from .words import MISSED, clip, closed, grade_words, labels, person_words, quoted, scene_label

KEY_DECISIONS = 3
TAKEAWAYS, QUESTIONS = 3, 2
GOOD_ENOUGH = ("good", "acceptable")  # a better option is never itself a mistake or an error


def _t(value, ctx: Context, lang: str) -> str:
    return value.get(lang, ctx.scenario.language) if value is not None else ""


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    for stop in (". ", "! ", "? "):
        i = text.find(stop)
        if 0 < i < 220:
            return text[:i + 1]
    return text if len(text) <= 220 else text[:219].rstrip() + "…"


def build_debrief(ctx: Context, trace: Trace, report, lang: str, candidates: list) -> None:
    """Fill the debrief parts of `report`: timeline, key decisions, chance, perspectives, objectives,
    feedback and the first page (`summary`)."""
    sc = ctx.scenario
    words = labels(ctx.memo, sc, lang)
    timeline = [{"t": 0.0, "escalation": trace.initial[ESCALATION], "rapport": trace.initial[RAPPORT],
                 "node": trace.start, "scene": words.scene(trace.start), "choice": None, "label": _("Start"),
                 "kind": "start"}]
    feedback, perspectives, chance = [], [], []
    start_view = sc.nodes[sc.target_index[trace.start]].perspective if trace.start in sc.target_index else None
    if start_view is not None:
        perspectives.append({"node": trace.start, "scene": words.scene(trace.start), "t": 0.0,
                             "text": _t(start_view, ctx, lang)})
    graded = {(g["node"], g["choice"], g["t"]): g for g in report.graded}
    choices = sc.choice_by_id
    target_index = sc.target_index
    nodes = sc.nodes
    n_nodes = len(nodes)
    views = words.derived  # node index -> its perspective in `lang`; (probability, grade) -> chance note
    for d in trace.decisions:
        choice = choices.get(d.choice)
        if choice is None:
            continue
        label = words.choice(choice)
        scene = words.scene(d.node)
        pre, post, t = d.pre, d.post, d.t
        g = graded.get((d.node, d.choice, t))
        grade = g.get("grade") if g is not None else None
        timeline.append({"t": t, "escalation": post[ESCALATION], "rapport": post[RAPPORT], "node": d.node,
                         "scene": scene, "choice": d.choice, "label": label, "kind": "timer" if d.timer else "choice",
                         "escalation_before": pre[ESCALATION], "rapport_before": pre[RAPPORT],
                         "grade": grade})
        feedback.append({"node": d.node, "scene": scene, "choice": d.choice, "t": t, "text": label,
                         "feedback": words.feedback(choice), "grade": grade})
        if d.outcome is not None and d.probability < 1:
            outcome = choice.outcomes[d.outcome] if d.outcome < len(choice.outcomes) else None
            reaction = _t(outcome.text, ctx, lang) if outcome is not None and outcome.text is not None else ""
            note = views.get(("chance", d.probability, grade))
            if note is None:
                note = views[("chance", d.probability, grade)] = _chance_note(d.probability, grade)
            chance.append({"node": d.node, "scene": scene, "choice": d.choice, "text": label, "t": t,
                           "probability": d.probability, "reaction": reaction, "grade": grade,
                           "note": note})
        index = target_index.get(d.target)
        if index is not None and index < n_nodes:
            view = views.get(("perspective", index), False)
            if view is False:
                seen = nodes[index].perspective
                view = views[("perspective", index)] = _t(seen, ctx, lang) if seen is not None else None
            if view is not None:
                perspectives.append({"node": d.target, "scene": words.scene(d.target), "t": t, "text": view})
    if trace.ending is not None and trace.ending in sc.target_index:
        e = sc.ending_at(sc.target_index[trace.ending])
        final = trace.decisions[-1].post if trace.decisions else trace.initial
        title = _t(e.title, ctx, lang)
        timeline.append({"t": trace.t_end, "escalation": final[ESCALATION], "rapport": final[RAPPORT],
                         "node": trace.ending, "scene": title, "choice": None,
                         "label": _("Ending: {title}").format(title=title),
                         "kind": "ending"})
        if e.perspective is not None:
            perspectives.append({"node": trace.ending, "scene": title, "t": trace.t_end,
                                 "text": _t(e.perspective, ctx, lang)})
    report.timeline = timeline
    report.feedback = feedback
    report.perspectives = perspectives
    report.chance = chance
    report.key_decisions = key_decisions(ctx, candidates, lang)
    report.objectives = objectives(ctx, trace, report, lang)
    report.summary = first_page(ctx, report, lang, trace)


def _chance_note(probability: float, grade: str | None) -> str:
    """What chance did after a decision (whoever it was who reacted: the person, a bystander, a device)."""
    odds = _odds(probability)
    if grade in GOOD_ENOUGH:
        return _("What happened next was partly chance ({odds}). Your decision was sound; the grade "
                 "counts the decision, not the luck.").format(odds=odds)
    return _("What happened next was partly chance ({odds}). The grade counts the decision, not the "
             "luck: a better or worse reaction would not have changed it.").format(odds=odds)


def _odds(p: float) -> str:
    """A probability in words people use: "about 1 in 4"."""
    if p >= 0.95:
        return _("almost always")
    n = max(2, round(1 / p)) if p > 0 else 0
    if p <= 0 or n > 20:
        return _("rarely")
    if abs(1 / n - p) <= 0.04:
        return _("about 1 in {n}").format(n=n)
    return _("about {k} in 10").format(k=round(p * 10))


# --- key decisions -----------------------------------------------------------------------------

def decision_value(ctx: Context, chosen, pre: tuple):
    """How one decision compares with the options it had, or None when it cannot be valued:
    (regret, severity, stake, chosen, better or None, method). Options are valued by the expected
    final score with good play afterwards, over every random reaction (exact, or a short lookahead
    for very large scenarios); `better` is the highest-valued option graded good or acceptable that
    beats the choice by at least `min_gain` points, and only for a choice that was not itself good.
    Grading looks most decisions up in `scoring.exact.DecisionTable` instead (the same numbers)."""
    if chosen is None:
        return None
    rows, method = option_values(ctx, chosen.node, pre)
    values = {c.id: q for q, c in rows if q is not None}
    q_chosen = values.get(chosen.id)
    if q_chosen is None:
        return None
    tier = ctx.effective_grade(chosen, pre)
    better = None
    if tier != "good":
        min_gain = ctx.rubric.key_decisions.get("min_gain", 1.0)
        ranked = []
        for q, c in rows:
            if q is None or c.is_timeout or c.id == chosen.id:
                continue
            grade = ctx.effective_grade(c, pre)
            if grade in GOOD_ENOUGH:
                ranked.append((q, GRADES.index(grade), c))
        if ranked:
            top = min(ranked, key=lambda r: (-r[0], r[1], r[2].id))
            if top[0] >= q_chosen + min_gain:
                better = top[2]
    best = max(values.values())
    worst = min(values.values())
    regret = round(values[better.id] - q_chosen, 9) if better is not None else 0.0
    return (regret, GRADES.index(tier), round(best - worst, 9), chosen, better, method)


# `decision_values` remembers at most this many (choice, state) rows, then forgets them all at once:
# bounded memory however many distinct states the sessions graded in a process visit. A row is kept
# as plain numbers and ids (no objects), so that the memo adds nothing for the garbage collector
# to traverse.
DECISION_MEMO = 250_000


def decision_values(ctx: Context, made: list) -> list:
    """`scoring.debrief.decision_value` of each (choice, state before it) in `made`, a whole session's
    decisions at once. Those not valued before are looked up together in the exact analysis's
    `DecisionTable` (one sorted search for all of them: a look-up per state, not a computation),
    else valued one by one."""
    from .exact import decision_table
    memo = ctx.memo.get("decision-values")
    if memo is None:
        memo = ctx.memo["decision-values"] = {}
    by_id = ctx.memo.get("options-by-id")
    if by_id is None:
        by_id = ctx.memo["options-by-id"] = {}
    out: list = []
    todo = []
    for k, (choice, pre) in enumerate(made):
        row = memo.get((choice.id, pre))
        if row is None:
            todo.append(k)
            out.append(None)
        elif row:
            out.append((row[0], row[1], row[2], choice, by_id[row[3]] if row[3] is not None else None, row[4]))
        else:
            out.append(None)  # () : no row
    if not todo:
        return out
    wanted = [made[k] for k in todo]
    table = decision_table(ctx)
    found = table.values(ctx, wanted) if table is not None else None
    if found is None:
        found = [False] * len(wanted)
    if len(memo) + len(todo) > DECISION_MEMO:
        memo.clear()
    for k, kd, (choice, pre) in zip(todo, found, wanted):
        if kd is False:
            kd = decision_value(ctx, choice, pre)
        out[k] = kd
        if kd is None:
            memo[(choice.id, pre)] = ()
        else:
            better = kd[4]
            if better is not None:
                by_id[better.id] = better
            memo[(choice.id, pre)] = (kd[0], kd[1], kd[2], better.id if better is not None else None, kd[5])
    return out

def key_decisions(ctx: Context, candidates: list, lang: str) -> list:
    """The decisions that mattered most, in play order: those where a better option would have
    raised the expected final score most, then the most serious grades, then where most was at
    stake (the options differed most)."""
    words = labels(ctx.memo, ctx.scenario, lang)
    ordered = sorted(((kd, d) for kd, d in candidates),
                     key=lambda r: (-r[0][0], -r[0][1], -r[0][2], r[1].index))[:KEY_DECISIONS]
    out = []
    for (regret, severity, stake, chosen, better, method), d in sorted(ordered, key=lambda r: r[1].index):
        tier = GRADES[severity]
        text = words.choice(chosen)
        scene = words.scene(d.node)
        fb = words.feedback(chosen)
        if tier == "good":
            why = (_("You chose well: {choice}").format(choice=closed(text)) + " " + fb).strip()
        else:
            why = (_("You chose {choice}: {grade}.").format(choice=quoted(text), grade=grade_words(tier))
                   + " " + fb).strip()
        if better is None:
            row = {"choice": None, "text": None,
                   "why": _("No other option here was clearly better.") if tier != "good" else ""}
        else:
            btext = words.choice(better)
            row = {"choice": better.id, "text": btext,
                   "why": (_("A better option here: {choice}").format(choice=closed(btext)) + " "
                           + words.feedback(better)).strip()}
        lesson = _first_sentence(words.feedback(better) if better is not None else fb)
        out.append({"node": d.node, "scene": scene, "choice": d.choice, "text": text, "t": d.t, "grade": tier,
                    "why": why, "better": row, "lesson": lesson, "gain": round(regret, 3), "stake": round(stake, 3),
                    "method": method})
    return out


# --- the first page ----------------------------------------------------------------------------

RESULT_WORDS = {"pass": N_("Pass"), "needs-practice": N_("Needs practice"), "fail": N_("Fail")}


def headline(ctx: Context, report) -> str:
    """The rule that decided the result, in the interface language: the same sentence as
    `report.result_rule` (which the record keeps in English), built from `result_rule_id`. Names of
    critical errors, scenes and choices are the rubric's and the scenario's own words."""
    rule, score, th = report.result_rule_id, report.overall, ctx.rubric.thresholds
    if rule == "critical-error":
        scenes: dict = {}
        for e in report.critical_errors:
            scenes.setdefault(e["name"], []).append(e["scene"])
        names = "; ".join(f"{name} ({'; '.join(dict.fromkeys(where))})" for name, where in scenes.items())
        return _("Fail: a critical error fails the run whatever the points: {errors}.").format(errors=names)
    if rule == "overall-below-fail":
        return _("Fail: the overall score {score} is below {limit}.").format(score=score, limit=f"{th['fail_below']:g}")
    if rule == "incomplete":
        return _("Needs practice: the scenario was not played to an ending.")
    if rule == "nothing-observed":
        return _("Needs practice: no decision was made.")
    if rule == "major-error":
        names = "; ".join(_("{choice} at {scene}").format(choice=quoted(clip(e["text"], 60)), scene=e["scene"])
                          for e in report.major_errors)
        return _("Needs practice: a major error caps the result, whatever the points: {errors}.").format(errors=names)
    if rule == "overall-below-pass":
        return _("Needs practice: the overall score {score} is below the pass mark {limit}.").format(
            score=score, limit=f"{th['pass']:g}")
    if rule == "pass":
        n = len(report.mistakes)
        if not n:
            return _("Pass: overall {score} is at least {limit}, with no critical or major error and no mistake.").format(
                score=score, limit=f"{th['pass']:g}")
        return ngettext("Pass: overall {score} is at least {limit}, with no critical or major error and {n} mistake.",
                        "Pass: overall {score} is at least {limit}, with no critical or major error and {n} mistakes.",
                        n).format(score=score, limit=f"{th['pass']:g}", n=n)
    return report.result_rule


def first_page(ctx: Context, report, lang: str, trace: Trace | None = None) -> dict:
    """What an instructor puts on a projector: the result in one line, three takeaways and two
    discussion questions (the scenario's own, or drawn from the key decisions)."""
    sc = ctx.scenario
    takeaways = [_t(t, ctx, lang) for t in sc.takeaways][:TAKEAWAYS]
    if not takeaways:
        for k in report.key_decisions:
            if k["lesson"] and k["lesson"] not in takeaways:
                takeaways.append(_("{scene}: {lesson}").format(scene=k["scene"], lesson=k["lesson"]))
    questions = [_t(q, ctx, lang) for q in sc.questions][:QUESTIONS]
    if not questions:
        last = (trace.decisions[-1].post if trace.decisions else trace.initial) if trace else sc.initial_values
        subject = person_words(sc, last, lang)
        for k in report.key_decisions[:QUESTIONS]:
            questions.append(_("At {scene}, what did {person} see and hear, and what else could you have done?")
                             .format(scene=k["scene"], person=subject))
    counts = {"mistake": len(report.mistakes), "major": len(report.major_errors),
              "critical": len(report.critical_errors)}
    return {"result": report.result, "result_words": _(RESULT_WORDS[report.result]) if report.result in RESULT_WORDS else report.result,
            "overall": report.overall, "headline": headline(ctx, report), "counts": counts,
            "takeaways": takeaways, "questions": questions}


# --- learning objectives -----------------------------------------------------------------------

def objectives(ctx: Context, trace: Trace, report, lang: str) -> list:
    """Each learning objective met, missed, or not assessed (no mapping in the scenario). Only a
    decision graded good or acceptable can meet an objective; any decision can miss one."""
    sc = ctx.scenario
    mapping = ctx.rubric.objectives
    scores = {c["id"]: c["score"] for c in report.competencies}
    names = {c["id"]: c["name"] for c in report.competencies}
    grades = {(g["node"], g["choice"], g["t"]): g["grade"] for g in report.graded}
    words = labels(ctx.memo, sc, lang)
    out = []
    for obj in sc.objectives:
        entry = mapping.get(obj.id)
        row = {"id": obj.id, "text": _t(obj.text, ctx, lang), "met": None, "evidence": [], "why": ""}
        if entry is None:
            row["why"] = _("The scenario does not say how to assess this objective.")
            out.append(row)
            continue
        met_by, missed_by = entry.get("met_by") or {}, entry.get("missed_by") or {}
        hits, misses = [], []
        revealed = False
        for d in trace.decisions:
            choice = sc.choice_by_id.get(d.choice)
            if choice is None:
                continue
            tags = set(choice.tags)
            tier = grades.get((d.node, d.choice, d.t), "good")
            ref = {"node": d.node, "scene": words.scene(d.node), "choice": d.choice,
                   "text": words.choice(choice), "t": d.t}
            sound = tier in GOOD_ENOUGH
            if sound and (d.choice in (met_by.get("choices") or ()) or tags & set(met_by.get("tags") or ())):
                hits.append({**ref, "effect": "meets"})
            if d.choice in (missed_by.get("choices") or ()) or tags & set(missed_by.get("tags") or ()):
                misses.append({**ref, "effect": "misses"})
            revealed = revealed or (d.revealed and sound)
        if trace.ending in (missed_by.get("endings") or ()):
            misses.append({"node": trace.ending, "scene": scene_label(sc, trace.ending, lang), "choice": None,
                           "text": None, "t": trace.t_end, "effect": "misses"})
        reasons = []
        ok = True
        if (met_by.get("choices") or met_by.get("tags")) and not hits:
            ok = False
            reasons.append(_("no decision on this path met it"))
        if met_by.get("factor_revealed") and not revealed:
            ok = False
            reasons.append(_("what was really going on was never found out by a sound decision"))
        for cid, minimum in (met_by.get("competencies") or {}).items():
            score = scores.get(cid)
            if score is None or score < minimum:
                ok = False
                shown = _("not observed") if score is None else str(score)
                reasons.append(_("{competency} scored {score}, below {minimum}")
                               .format(competency=names.get(cid, cid), score=shown, minimum=f"{minimum:g}"))
        if misses:
            ok = False
            reasons.append("; ".join(_("{choice} at {scene}").format(choice=quoted(m["text"]), scene=m["scene"])
                                     if m["text"] else _("the ending: {scene}").format(scene=m["scene"])
                                     for m in misses))
        row["met"] = ok
        row["evidence"] = hits + misses
        row["why"] = _("Met.") if ok else _(MISSED) + "; ".join(reasons) + "."
        out.append(row)
    return out
