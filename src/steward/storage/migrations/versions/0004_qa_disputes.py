"""qa disputes and audit

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qa_disputes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("evaluation_id", sa.String(40), nullable=False, index=True),
        sa.Column("raised_by", sa.String(100), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("arbitrator", sa.String(100)),
        sa.Column("resolved_at", sa.DateTime()),
        sa.Column("changes", sa.JSON()),
        sa.Column("resolution_comment", sa.Text()),
    )
    op.create_table(
        "qa_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("evaluation_id", sa.String(40), nullable=False, index=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("before", sa.JSON()),
        sa.Column("after", sa.JSON()),
        sa.Column("note", sa.Text()),
    )


def downgrade() -> None:
    op.drop_table("qa_audit")
    op.drop_table("qa_disputes")
