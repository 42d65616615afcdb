"""The first schema: trainees, cohorts, sessions with their events, scores and decisions, workshop
feedback, and the record of imported session files."""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIME = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "trainees",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pseudonym", sa.String(40), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=True, unique=True),
        sa.Column("created_at", TIME, nullable=False))
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", TIME, nullable=False))
    op.create_table(
        "cohort_members",
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("added_at", TIME, nullable=False))
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False, unique=True),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), nullable=True),
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="SET NULL"), nullable=True),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("scenario_version", sa.String(50), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("mode", sa.String(40), nullable=True),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("ended_at", TIME, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_detail", sa.Text, nullable=True),
        sa.Column("owner", sa.String(300), nullable=True),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("decisions", sa.Integer, nullable=False),
        sa.Column("ending_id", sa.String(200), nullable=True),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("result", sa.String(20), nullable=True),
        sa.Column("overall", sa.Integer, nullable=True),
        sa.Column("duration", sa.Float, nullable=True),
        sa.Column("report", sa.Text, nullable=True),
        sa.Column("report_problem", sa.Text, nullable=True))
    op.create_index("ix_sessions_scenario", "sessions", ["scenario_id"])
    op.create_index("ix_sessions_trainee", "sessions", ["trainee_id"])
    op.create_index("ix_sessions_started", "sessions", ["started_at"])
    op.create_table(
        "events",
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("data", sa.Text, nullable=False))
    op.create_table(
        "session_scores",
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("competency", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("score", sa.Integer, nullable=True))
    op.create_table(
        "session_decisions",
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("node", sa.String(200), nullable=False),
        sa.Column("scene", sa.Text, nullable=False),
        sa.Column("choice", sa.String(200), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("t", sa.Float, nullable=False),
        sa.Column("grade", sa.String(20), nullable=True),
        sa.Column("points", sa.Float, nullable=True),
        sa.Column("timer", sa.Boolean, nullable=False))
    op.create_index("ix_decisions_node", "session_decisions", ["node"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=True),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), nullable=True),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("scenario_version", sa.String(50), nullable=True),
        sa.Column("node", sa.String(200), nullable=True),
        sa.Column("realism", sa.Integer, nullable=True),
        sa.Column("fairness", sa.Integer, nullable=True),
        sa.Column("respect", sa.Integer, nullable=True),
        sa.Column("change", sa.Text, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("created_at", TIME, nullable=False))
    op.create_index("ix_feedback_scenario", "feedback", ["scenario_id"])
    op.create_table(
        "imported_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(500), nullable=False, unique=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", TIME, nullable=False),
        sa.Column("session_uid", sa.String(36), nullable=True),
        sa.Column("problem", sa.Text, nullable=True))


def downgrade() -> None:
    for table in ("imported_files", "feedback", "session_decisions", "session_scores", "events", "sessions",
                  "cohort_members", "cohorts", "trainees"):
        op.drop_table(table)
