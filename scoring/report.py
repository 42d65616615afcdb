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


def _render_text(report: dict) -> str:
    """Render a report (from `Report.to_json()`) as plain text."""
    out = ["=== Score report ==="]
    overall = "not observed" if report["overall"] is None else f"{report['overall']} of 100"
    out.append(f"Result: {_RESULT_NAMES.get(report['result'], report['result'])}. Overall score: {overall}.")
    out.append(_wrap(report["result_rule"], ""))
    for warning in report.get("warnings", ()):
        out.append(_wrap(f"Warning: {warning}.", ""))
    if report["undos"]:
        out.append(f"Decisions undone during play: {report['undos']} (only the final path is graded).")
    out.append("")
    errors = report["critical_errors"]
    out.append(f"Critical errors: {len(errors) or 'none'}.")
    for i, e in enumerate(errors, 1):
        out.append(_wrap(f"{i}. {e['name']}, at {e['t']:g} seconds, {e['node']}"
                         f"{', choice ' + e['choice'] if e['choice'] else ''}. {e['why']}"))
    out.append("")
    out.append("Competencies:")
    for i, c in enumerate(report["competencies"], 1):
        score = "not observed" if c["score"] is None else f"{c['score']} of 100"
        out.append(_wrap(f"{i}. {c['name']}: {score}. {c['explanation']}"))
    out.append("")
    d = report["deescalation"]
    unit = "seconds" if d["time_basis"] == "seconds" else "decisions (no time was recorded)"
    out.append("De-escalation:")
    out.append(_wrap(f"Escalation started at {d['start']}, peaked at {d['peak']} ({d['peak_name']}) and ended at "
                     f"{d['final']} ({d['final_name']}). Time-weighted mean level {d['time_weighted_mean']:.1f}, "
                     f"weighted by {unit}. Seconds at level 4 or above: {d['seconds_at_4_or_above']:g}."))
    other_up = sum(d["rises_by_other_causes"].values())
    other_down = sum(d["falls_by_other_causes"].values())
    out.append(_wrap(f"Your own choices raised the level {d['rises_by_own_choices']} times and lowered it "
                     f"{d['falls_by_own_choices']} times; random reactions, timers and recovery raised it "
                     f"{other_up} times and lowered it {other_down} times. "
                     f"{'Resolved without force.' if d['resolved_without_force'] else 'Not resolved without force.'}"))
    if report["proportionality"]:
        out.append("")
        out.append("Force decisions:")
        for i, p in enumerate(report["proportionality"], 1):
            verdict = "proportionate" if p["proportionate"] else "DISPROPORTIONATE"
            out.append(_wrap(f"{i}. {p['choice']} at {p['node']}: {p['force_name']} at level {p['level']}, {verdict}. {p['why']}"))
    out.append("")
    out.append("Decisions that mattered most:")
    for i, k in enumerate(report["key_decisions"], 1):
        out.append(_wrap(f"{i}. At {k['t']:g} seconds, {k['node']}: {k['why']}"))
        if k["better"]["choice"]:
            out.append(_wrap(f"Better: {k['better']['why']}", "     "))
        else:
            out.append(_wrap(k["better"]["why"], "     "))
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
