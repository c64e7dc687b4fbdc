"""qa evaluations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qa_evaluations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("evaluation_id", sa.String(40), nullable=False, unique=True),
        sa.Column("interaction_source", sa.String(50), nullable=False),
        sa.Column("interaction_id", sa.String(200), nullable=False),
        sa.Column("vendor", sa.String(100), nullable=False),
        sa.Column("queue", sa.String(100)),
        sa.Column("channel", sa.String(20)),
        sa.Column("language", sa.String(20)),
        sa.Column("agent_id", sa.String(100)),
        sa.Column("evaluator", sa.String(100), nullable=False),
        sa.Column("scorecard", sa.String(100), nullable=False),
        sa.Column("scorecard_version", sa.String(120), nullable=False),
        sa.Column("sample", sa.String(20), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float()),
        sa.Column("raw_score", sa.Float()),
        sa.Column("failed", sa.String(20), nullable=False),
        sa.Column("passed", sa.Boolean()),
    )
    op.create_index("ix_qa_evaluations_vendor_time", "qa_evaluations", ["vendor", "evaluated_at"])


def downgrade() -> None:
    op.drop_index("ix_qa_evaluations_vendor_time", "qa_evaluations")
    op.drop_table("qa_evaluations")
