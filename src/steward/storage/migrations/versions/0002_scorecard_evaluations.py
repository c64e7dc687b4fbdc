"""scorecard evaluations

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorecard_evaluations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("contract", sa.String(100), nullable=False),
        sa.Column("vendor", sa.String(100), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(120), nullable=False),
        sa.Column("contract_sha256", sa.String(64), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("net_adjustment", sa.String(40), nullable=False),
        sa.Column("scorecard", sa.JSON(), nullable=False),
        sa.UniqueConstraint("contract", "period", "revision", name="uq_scorecard_revision"),
    )


def downgrade() -> None:
    op.drop_table("scorecard_evaluations")
