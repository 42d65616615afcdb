"""Front-end helpers the CLI calls: a plain-text, screen-reader-friendly debrief and the JSON report."""
from __future__ import annotations

import json
import textwrap

from simulator.i18n import N_, _, ngettext
from simulator.vocabulary import word

from .grade import LogMismatch, grade
from .words import closed, quoted, raised_lowered

_RESULT_NAMES = {"pass": N_("PASS"), "needs-practice": N_("NEEDS PRACTICE"), "fail": N_("FAIL")}
_OBJECTIVE_STATES = {True: N_("Met"), False: N_("Missed"), None: N_("Not assessed")}


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=88, initial_indent=indent, subsequent_indent=indent + "  ")


def text_debrief(session) -> str:
    """The debrief of a finished (or stopped) text-mode session as plain numbered lines, no tables
    drawn with symbols, so that screen readers read it in order."""
    try:
        report = grade(session.scenario, session.log, language=session.language).to_json()
    except LogMismatch as exc:
        return refusal_text(exc)
    return _render_text(report)


def refusal_text(exc: Exception) -> str:
    """What the debrief says instead of a report when grading refused the log (`LogMismatch`)."""
    return "\n".join([_("=== Score report ==="),
                      _wrap(_("No score report: grading refused this log. {reason}").format(reason=exc), ""),
                      _wrap(_("A report is only made for a log that replays exactly on the scenario it was recorded "
                              "on (the same scenario id and the same version of its file)."), "")])


def clock(seconds: float) -> str:
    """Seconds into the scenario as people read a clock: "2 min 05 s", "45 s" (never milliseconds)."""
    whole = int(round(seconds))
    if whole >= 60:
        return _("{minutes} min {seconds} s").format(minutes=whole // 60, seconds=f"{whole % 60:02d}")
    return _("{seconds} s").format(seconds=whole)


def _count(n: int) -> str:
    """A count after a heading's colon: "none" or the number."""
    return str(n) if n else _("none")


def _at(text: str, scene: str) -> str:
    """A choice where it was made: “...” at Walking up to the car."""
    return _("{choice} at {scene}").format(choice=quoted(text), scene=scene)


def _render_text(report: dict) -> str:
    """Render a report (from `Report.to_json()`) as plain text for people: the first page an
    instructor can project (result, takeaways, questions), then the details. Scenes are named by
    their label and choices by their text; no ids, no expected values, no milliseconds."""
    out = [_("=== Debrief ===")]
    summary = report.get("summary") or {}
    overall = (_("no decision was made") if report["overall"] is None
               else _("{score} of 100").format(score=report["overall"]))
    result = _(_RESULT_NAMES[report["result"]]) if report["result"] in _RESULT_NAMES else report["result"]
    out.append(_("Result: {result}. Overall score: {score}.").format(result=result, score=overall))
    out.append(_wrap(summary.get("headline") or report["result_rule"], ""))  # the rule, in the interface language
    if report.get("ending"):
        out.append(_wrap(_("Ending: {title}.").format(title=report["ending"]["title"]), ""))
    for warning in report.get("warnings", ()):
        out.append(_wrap(_("Warning: {warning}.").format(warning=warning), ""))
    if report["undos"]:
        n = report["undos"]
        out.append(ngettext("{n} decision was undone during play (only the final path is graded).",
                            "{n} decisions were undone during play (only the final path is graded).", n).format(n=n))
    if report.get("room"):  # before the takeaways: who decided changes how the rest reads
        out.append("")
        out.append(_("The room (who else took part):"))
        for entry in report["room"]:
            where = f"{entry['clock']} {entry['scene']}: " if entry.get("scene") else ""
            out.append(_wrap(where + entry["text"]))
    if summary.get("takeaways"):
        out.append("")
        out.append(_("Takeaways:"))
        for i, t in enumerate(summary["takeaways"], 1):
            out.append(_wrap(f"{i}. {t}"))
    if summary.get("questions"):
        out.append("")
        out.append(_("For discussion:"))
        for i, q in enumerate(summary["questions"], 1):
            out.append(_wrap(f"{i}. {q}"))
    out.append("")
    out.append(_("=== Details ==="))
    errors = report["critical_errors"]
    out.append(_("Critical errors: {count}.").format(count=_count(len(errors))))
    for i, e in enumerate(errors, 1):
        what = _at(e["text"], e["scene"]) if e.get("text") else _("the ending, {scene}").format(scene=e["scene"])
        out.append(_wrap(f"{i}. {e['name']}: {what}. {e['why']}"))
    majors = report.get("major_errors", [])
    out.append(_("Major errors: {count}.").format(count=_count(len(majors))))
    for i, e in enumerate(majors, 1):
        out.append(_wrap(f"{i}. {_at(e['text'], e['scene'])}. {e['why']}"))
    mistakes = report.get("mistakes", [])
    out.append(_("Mistakes: {count}.").format(count=_count(len(mistakes))))
    for i, e in enumerate(mistakes, 1):
        out.append(_wrap(f"{i}. {_at(e['text'], e['scene'])}. {e['why']}"))
    out.append("")
    out.append(_("Decisions that mattered most:"))
    for i, k in enumerate(report["key_decisions"], 1):
        when = _(", after {time}").format(time=clock(k["t"])) if k["t"] >= 1 else ""
        out.append(_wrap(f"{i}. {k['scene']}{when}: {k['why']}"))
        if k["better"]["why"]:
            out.append(_wrap(k["better"]["why"], "     "))
    if report.get("chance"):
        out.append("")
        out.append(_("Chance:"))
        for i, c in enumerate(report["chance"], 1):
            reaction = f" {c['reaction']}" if c.get("reaction") else ""
            out.append(_wrap(f"{i}. {c['scene']}:{reaction} {c['note']}"))
    out.append("")
    out.append(_("Competencies:"))
    for i, c in enumerate(report["competencies"], 1):
        score = _("not observed") if c["score"] is None else _("{score} of 100").format(score=c["score"])
        out.append(_wrap(f"{i}. {c['name']}: {score}. {c['explanation']}"))
    out.append("")
    d = report["deescalation"]
    out.append(_("How the person's distress changed:"))
    force = _("Resolved without force.") if d["resolved_without_force"] else _("Not resolved without force.")
    out.append(_wrap(_("It started at {start}, peaked at {peak} and ended at {final}.").format(
        start=word(d["start_name"]).lower(), peak=word(d["peak_name"]).lower(), final=word(d["final_name"]).lower())
        + " " + raised_lowered(d["rises_by_own_choices"], d["falls_by_own_choices"]) + " " + force))
    if report["proportionality"]:
        out.append("")
        out.append(_("Force:"))
        for i, p in enumerate(report["proportionality"], 1):
            verdict = _("in proportion") if p["proportionate"] else _("OUT OF PROPORTION")
            line = f"{i}. {_at(p['text'], p['scene'])}: {p['force_name']}, {verdict}. {p['why']}"
            if p.get("alternative"):
                line += " " + _("A lower-force option was there: {choice}").format(choice=closed(p["alternative"]))
            out.append(_wrap(line))
    if report["objectives"]:
        out.append("")
        out.append(_("Learning objectives:"))
        for i, o in enumerate(report["objectives"], 1):
            label = _OBJECTIVE_STATES.get(o["met"], _OBJECTIVE_STATES[None])
            state = _(label)
            why = o["why"] if o["met"] is not True else ""
            out.append(_wrap(f"{i}. {state}: {o['text']} {why}".rstrip()))
    return "\n".join(out)


def grade_json(scenario, log) -> str:
    """The score report of a session log as pretty, stable JSON text (strict JSON: never NaN).

    Raises `scoring.grade.LogMismatch` for a log that does not belong to `scenario` (see `grade`)."""
    return json.dumps(grade(scenario, log).to_json(), indent=2, sort_keys=True, ensure_ascii=False,
                      allow_nan=False) + "\n"
