"""A session's score report for its record: scoring.grade, or why grading refused the log."""
from __future__ import annotations


def score_report(scenario, log: list[dict], language: str | None = None) -> tuple[dict | None, str | None]:
    """(the score report of the session `log` records as JSON data, None) or (None, why grading refused it)."""
    from scoring import LogMismatch, grade
    try:
        return grade(scenario, log, language=language).to_json(), None
    except LogMismatch as exc:
        return None, str(exc)
