"""Front-end helpers the CLI calls: a plain-text, screen-reader-friendly debrief and the JSON report."""
from __future__ import annotations

import json
import textwrap

from .grade import LogMismatch, grade

_RESULT_NAMES = {"pass": "PASS", "needs-practice": "NEEDS PRACTICE", "fail": "FAIL"}


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
    return "\n".join(["=== Score report ===",
                      _wrap(f"No score report: grading refused this log. {exc}", ""),
                      _wrap("A report is only made for a log that replays exactly on the scenario it was recorded "
                            "on (the same scenario id and the same version of its file).", "")])


def clock(seconds: float) -> str:
    """Seconds into the scenario as people read a clock: "2 min 05 s", "45 s" (never milliseconds)."""
    whole = int(round(seconds))
    return f"{whole // 60} min {whole % 60:02d} s" if whole >= 60 else f"{whole} s"


def _render_text(report: dict) -> str:
    """Render a report (from `Report.to_json()`) as plain text for people: the first page an
    instructor can project (result, takeaways, questions), then the details. Scenes are named by
    their label and choices by their text; no ids, no expected values, no milliseconds."""
    out = ["=== Debrief ==="]
    summary = report.get("summary") or {}
    overall = "no decision was made" if report["overall"] is None else f"{report['overall']} of 100"
    out.append(f"Result: {_RESULT_NAMES.get(report['result'], report['result'])}. Overall score: {overall}.")
    out.append(_wrap(report["result_rule"], ""))
    if report.get("ending"):
        out.append(_wrap(f"Ending: {report['ending']['title']}.", ""))
    for warning in report.get("warnings", ()):
        out.append(_wrap(f"Warning: {warning}.", ""))
    if report["undos"]:
        out.append(f"Decisions undone during play: {report['undos']} (only the final path is graded).")
    if summary.get("takeaways"):
        out.append("")
        out.append("Takeaways:")
        for i, t in enumerate(summary["takeaways"], 1):
            out.append(_wrap(f"{i}. {t}"))
    if summary.get("questions"):
        out.append("")
        out.append("For discussion:")
        for i, q in enumerate(summary["questions"], 1):
            out.append(_wrap(f"{i}. {q}"))
    out.append("")
    out.append("=== Details ===")
    errors = report["critical_errors"]
    out.append(f"Critical errors: {len(errors) or 'none'}.")
    for i, e in enumerate(errors, 1):
        what = f"“{e['text']}” at {e['scene']}" if e.get("text") else f"the ending, {e['scene']}"
        out.append(_wrap(f"{i}. {e['name']}: {what}. {e['why']}"))
    majors = report.get("major_errors", [])
    out.append(f"Major errors: {len(majors) or 'none'}.")
    for i, e in enumerate(majors, 1):
        out.append(_wrap(f"{i}. “{e['text']}” at {e['scene']}. {e['why']}"))
    mistakes = report.get("mistakes", [])
    out.append(f"Mistakes: {len(mistakes) or 'none'}.")
    for i, e in enumerate(mistakes, 1):
        out.append(_wrap(f"{i}. “{e['text']}” at {e['scene']}. {e['why']}"))
    out.append("")
    out.append("Decisions that mattered most:")
    for i, k in enumerate(report["key_decisions"], 1):
        when = f", after {clock(k['t'])}" if k["t"] >= 1 else ""
        out.append(_wrap(f"{i}. {k['scene']}{when}: {k['why']}"))
        if k["better"]["choice"]:
            out.append(_wrap(k["better"]["why"], "     "))
        elif k["better"]["why"]:
            out.append(_wrap(k["better"]["why"], "     "))
    if report.get("chance"):
        out.append("")
        out.append("Chance:")
        for i, c in enumerate(report["chance"], 1):
            reaction = f" {c['reaction']}" if c.get("reaction") else ""
            out.append(_wrap(f"{i}. {c['scene']}:{reaction} {c['note']}"))
    out.append("")
    out.append("Competencies:")
    for i, c in enumerate(report["competencies"], 1):
        score = "not observed" if c["score"] is None else f"{c['score']} of 100"
        out.append(_wrap(f"{i}. {c['name']}: {score}. {c['explanation']}"))
    out.append("")
    d = report["deescalation"]
    out.append("How the person's distress changed:")
    out.append(_wrap(f"It started at {d['start_name'].lower()}, peaked at {d['peak_name'].lower()} "
                     f"and ended at {d['final_name'].lower()}. Your own choices raised it {d['rises_by_own_choices']} "
                     f"time{'s' if d['rises_by_own_choices'] != 1 else ''} and lowered it "
                     f"{d['falls_by_own_choices']} time{'s' if d['falls_by_own_choices'] != 1 else ''}. "
                     f"{'Resolved without force.' if d['resolved_without_force'] else 'Not resolved without force.'}"))
    if report["proportionality"]:
        out.append("")
        out.append("Force:")
        for i, p in enumerate(report["proportionality"], 1):
            verdict = "in proportion" if p["proportionate"] else "OUT OF PROPORTION"
            line = f"{i}. “{p['text']}” at {p['scene']}: {p['force_name']}, {verdict}. {p['why']}"
            if p.get("alternative"):
                line += f" A lower-force option was there: “{p['alternative']}”."
            out.append(_wrap(line))
    if report["objectives"]:
        out.append("")
        out.append("Learning objectives:")
        for i, o in enumerate(report["objectives"], 1):
            state = "met" if o["met"] else "not assessed" if o["met"] is None else "missed"
            out.append(_wrap(f"{i}. {state.capitalize()}: {o['text']} {o['why'] if o['met'] is not True else ''}".rstrip()))
    return "\n".join(out)


def grade_json(scenario, log) -> str:
    """The score report of a session log as pretty, stable JSON text (strict JSON: never NaN).

    Raises `scoring.grade.LogMismatch` for a log that does not belong to `scenario` (see `grade`)."""
    return json.dumps(grade(scenario, log).to_json(), indent=2, sort_keys=True, ensure_ascii=False,
                      allow_nan=False) + "\n"
