"""Research mode: participants enrolled in a protocol (by position) and their answers to its questions."""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "research_participants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("protocol_id", sa.String(64), nullable=False),
        sa.Column("protocol_sha256", sa.String(64), nullable=False),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("protocol_id", "trainee_id", name="uq_research_protocol_trainee"),
        sa.UniqueConstraint("protocol_id", "position", name="uq_research_protocol_position"))
    op.create_table(
        "research_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("research_participants.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("phase", sa.String(4), nullable=False),
        sa.Column("question", sa.String(64), nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("participant_id", "phase", "question", name="uq_research_answer"))


def downgrade() -> None:
    op.drop_table("research_answers")
    op.drop_table("research_participants")
