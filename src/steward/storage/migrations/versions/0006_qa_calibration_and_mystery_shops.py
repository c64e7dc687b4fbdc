"""qa calibration sessions and mystery shops

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qa_calibration_sessions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scorecard", sa.String(100), nullable=False),
        sa.Column("scorecard_version", sa.String(120), nullable=False),
        sa.Column("interactions", sa.JSON(), nullable=False),
        sa.Column("evaluators", sa.JSON(), nullable=False),
        sa.Column("expert", sa.String(100)),
        sa.Column("tolerance", sa.Float(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime()),
    )
    op.create_table(
        "qa_calibration_answers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Integer(), nullable=False, index=True),
        sa.Column("evaluator", sa.String(100), nullable=False),
        sa.Column("interaction_id", sa.String(200), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("session_id", "evaluator", "interaction_id", name="uq_calibration_answer"),
    )
    op.create_table(
        "qa_mystery_shops",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("vendor", sa.String(100), nullable=False, index=True),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("scorecard", sa.String(100), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("shopper", sa.String(100)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("evaluation_id", sa.String(40)),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime()),
    )


def downgrade() -> None:
    op.drop_table("qa_mystery_shops")
    op.drop_table("qa_calibration_answers")
    op.drop_table("qa_calibration_sessions")
