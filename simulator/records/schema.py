"""The records database's tables (SQLAlchemy Core), as the newest migration leaves them.

Times are UTC ISO 8601 text (`2026-11-30T14:20:38.123Z`): they sort as text, read the same on
SQLite and PostgreSQL, and never meet a driver's time-zone conversion. JSON is stored as text so
that an event log reads back byte for byte as the engine wrote it.
"""
from __future__ import annotations

from sqlalchemy import (
                        BigInteger,
                        Boolean,
                        Column,
                        Float,
                        ForeignKey,
                        Index,
                        Integer,
                        MetaData,
                        String,
                        Table,
                        Text,
                        UniqueConstraint,
)

metadata = MetaData()

TIME = String(32)

trainees = Table(
    "trainees", metadata,
    Column("id", Integer, primary_key=True),
    Column("pseudonym", String(40), nullable=False, unique=True),  # always; what reports and exports name
    Column("display_name", String(200), nullable=True, unique=True),  # optional; what the trainee typed
    Column("created_at", TIME, nullable=False),
)

cohorts = Table(
    "cohorts", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", TIME, nullable=False),
)

cohort_members = Table(
    "cohort_members", metadata,
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("trainee_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), primary_key=True),
    Column("added_at", TIME, nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36), nullable=False, unique=True),  # a UUID: the session's public id, xAPI registration
    Column("trainee_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=True),  # None: a guest
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="SET NULL"), nullable=True),
    Column("scenario_id", String(200), nullable=False),
    Column("scenario_version", String(50), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("source", String(500), nullable=False),  # the scenario file's name
    Column("seed", BigInteger, nullable=False),
    Column("mode", String(40), nullable=True),  # academy, in-service, workshop, text
    Column("settings", Text, nullable=False),  # JSON: the session's options, language, variant, interface
    Column("started_at", TIME, nullable=False),
    Column("updated_at", TIME, nullable=False),
    Column("ended_at", TIME, nullable=True),
    Column("status", String(20), nullable=False),  # in-progress, complete, abandoned, incomplete
    Column("status_detail", Text, nullable=True),  # why it was abandoned or left incomplete
    Column("owner", String(300), nullable=True),  # host:pid of the process writing it, while in progress
    Column("events", Integer, nullable=False),  # how many events are stored
    Column("decisions", Integer, nullable=False),  # decisions on the final path (undone ones not counted)
    Column("ending_id", String(200), nullable=True),
    Column("outcome", String(40), nullable=True),
    Column("result", String(20), nullable=True),  # pass, needs-practice, fail (from the score report)
    Column("overall", Integer, nullable=True),
    Column("duration", Float, nullable=True),  # seconds of scenario time
    Column("report", Text, nullable=True),  # JSON: the score report (scoring.grade), when it could be made
    Column("report_problem", Text, nullable=True),  # why there is no report
    Index("ix_sessions_scenario", "scenario_id"),
    Index("ix_sessions_trainee", "trainee_id"),
    Index("ix_sessions_started", "started_at"),
)

events = Table(
    "events", metadata,
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("type", String(40), nullable=False),
    Column("data", Text, nullable=False),  # the event as canonical JSON (engine.session.event_json)
)

session_scores = Table(
    "session_scores", metadata,
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("competency", String(100), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("score", Integer, nullable=True),  # None: not observed in this run
)

session_decisions = Table(
    "session_decisions", metadata,
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),  # 1, 2, ... on the final path
    Column("node", String(200), nullable=False),
    Column("scene", Text, nullable=False),
    Column("choice", String(200), nullable=True),  # None: the timer ran out
    Column("text", Text, nullable=False),
    Column("t", Float, nullable=False),
    Column("grade", String(20), nullable=True),  # best, good, mistake, major, critical...
    Column("points", Float, nullable=True),  # points this decision lost
    Column("timer", Boolean, nullable=False),
    Index("ix_decisions_node", "node"),
)

feedback = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=True),
    Column("trainee_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=True),
    Column("scenario_id", String(200), nullable=False),
    Column("scenario_version", String(50), nullable=True),
    Column("node", String(200), nullable=True),
    Column("realism", Integer, nullable=True),  # 1-5
    Column("fairness", Integer, nullable=True),  # 1-5
    Column("respect", Integer, nullable=True),  # 1-5: respect for the people portrayed
    Column("change", Text, nullable=True),  # what they would change
    Column("comment", Text, nullable=True),
    Column("created_at", TIME, nullable=False),
    Index("ix_feedback_scenario", "scenario_id"),
)

imported_files = Table(
    "imported_files", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(500), nullable=False, unique=True),  # a file in the data folder's sessions/
    Column("sha256", String(64), nullable=False),
    Column("imported_at", TIME, nullable=False),
    Column("session_uid", String(36), nullable=True),
    Column("problem", Text, nullable=True),  # why it could not be imported (the file is kept)
)

# added by migration 0002
xapi_queue = Table(
    "xapi_queue", metadata,
    Column("id", Integer, primary_key=True),
    Column("endpoint", String(500), nullable=False),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("statement_id", String(36), nullable=False),
    Column("position", Integer, nullable=False),  # order within the session's statements
    Column("statement", Text, nullable=False),  # JSON
    Column("created_at", TIME, nullable=False),
    Column("sent_at", TIME, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
    UniqueConstraint("endpoint", "statement_id", name="uq_xapi_endpoint_statement"),
    Index("ix_xapi_unsent", "endpoint", "sent_at"),
)

# added by migration 0003: research mode (docs/research.md)
research_participants = Table(
    "research_participants", metadata,
    Column("id", Integer, primary_key=True),
    Column("protocol_id", String(64), nullable=False),  # the protocol file's id
    Column("protocol_sha256", String(64), nullable=False),  # of the protocol file at enrolment
    Column("trainee_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False),  # the code's row
    Column("position", Integer, nullable=False),  # 1, 2, 3... in the order of enrolment: decides the assignment
    Column("created_at", TIME, nullable=False),
    UniqueConstraint("protocol_id", "trainee_id", name="uq_research_protocol_trainee"),
    UniqueConstraint("protocol_id", "position", name="uq_research_protocol_position"),
)

research_answers = Table(
    "research_answers", metadata,
    Column("id", Integer, primary_key=True),
    Column("participant_id", Integer, ForeignKey("research_participants.id", ondelete="CASCADE"), nullable=False),
    Column("phase", String(4), nullable=False),  # pre or post
    Column("question", String(64), nullable=False),  # the question's id in the protocol
    Column("answer", Text, nullable=False),  # a scale's number, a choice's answer id, or the text typed
    Column("created_at", TIME, nullable=False),
    UniqueConstraint("participant_id", "phase", "question", name="uq_research_answer"),
)
