"""CSV exports of the records: one file of sessions and one of decisions (columns in docs/records.md).

Both are UTF-8 with a header row, one row per session or per graded decision on a session's final
path, in a stable order (session start, then position). Cells that a spreadsheet would run as a
formula (starting with =, +, -, @, a tab or a carriage return) are prefixed with a quote, since
trainee names and typed reasons are untrusted text.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from ..files import write_atomically
from .schema import cohorts, session_decisions, sessions, trainees

SESSION_COLUMNS = ["session", "trainee", "display_name", "cohort", "scenario", "scenario_version", "content_hash",
                   "seed", "mode", "started_at", "ended_at", "status", "status_detail", "decisions", "ending",
                   "outcome", "result", "overall", "duration_seconds"]
DECISION_COLUMNS = ["session", "trainee", "scenario", "position", "node", "scene", "choice", "text", "t_seconds",
                    "grade", "points_lost", "timer_expired"]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if value.startswith(_FORMULA):
            value = "'" + value
        # A carriage return becomes a newline: the writer quotes a cell holding a newline (the line
        # ending it writes) but not one holding a bare carriage return, which readers take for a row's end.
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _csv(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def export_csv(store, folder: Path, *, since: str | None = None) -> tuple[Path, Path, int, int]:
    """Write sessions.csv and decisions.csv into `folder`; returns (the two paths, how many sessions,
    how many decisions). `since` (UTC ISO text) keeps sessions started then or later."""
    def work(connection):
        query = select(sessions.c.uid, trainees.c.pseudonym, trainees.c.display_name, cohorts.c.name,
                       sessions.c.scenario_id, sessions.c.scenario_version, sessions.c.content_hash, sessions.c.seed,
                       sessions.c.mode, sessions.c.started_at, sessions.c.ended_at, sessions.c.status,
                       sessions.c.status_detail, sessions.c.decisions, sessions.c.ending_id, sessions.c.outcome,
                       sessions.c.result, sessions.c.overall, sessions.c.duration).outerjoin(
            trainees, sessions.c.trainee_id == trainees.c.id).outerjoin(cohorts, sessions.c.cohort_id == cohorts.c.id)
        if since:
            query = query.where(sessions.c.started_at >= since)
        session_rows = connection.execute(query.order_by(sessions.c.started_at, sessions.c.id)).all()
        decisions = select(sessions.c.uid, trainees.c.pseudonym, sessions.c.scenario_id, session_decisions.c.position,
                           session_decisions.c.node, session_decisions.c.scene, session_decisions.c.choice,
                           session_decisions.c.text, session_decisions.c.t, session_decisions.c.grade,
                           session_decisions.c.points, session_decisions.c.timer).join(
            sessions, sessions.c.id == session_decisions.c.session_id).outerjoin(
            trainees, sessions.c.trainee_id == trainees.c.id)
        if since:
            decisions = decisions.where(sessions.c.started_at >= since)
        decision_rows = connection.execute(decisions.order_by(sessions.c.started_at, sessions.c.id,
                                                              session_decisions.c.position)).all()
        return session_rows, decision_rows
    session_rows, decision_rows = store._run("read the records for export", work)
    folder.mkdir(parents=True, exist_ok=True)
    sessions_path, decisions_path = folder / "sessions.csv", folder / "decisions.csv"
    write_atomically(sessions_path, _csv(SESSION_COLUMNS, session_rows))
    write_atomically(decisions_path, _csv(DECISION_COLUMNS, decision_rows))
    return sessions_path, decisions_path, len(session_rows), len(decision_rows)
