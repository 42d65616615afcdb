"""The xAPI queue: statements made for a learning record store, kept until it acknowledges them."""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xapi_queue",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("endpoint", sa.String(500), nullable=False),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("statement_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("sent_at", sa.String(32), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.UniqueConstraint("endpoint", "statement_id", name="uq_xapi_endpoint_statement"))
    op.create_index("ix_xapi_unsent", "xapi_queue", ["endpoint", "sent_at"])


def downgrade() -> None:
    op.drop_table("xapi_queue")
