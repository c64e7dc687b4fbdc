"""import runs

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("importer", sa.String(50), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(64)),
        sa.Column("file_bytes", sa.BigInteger()),
        sa.Column("vendor", sa.String(100)),
        sa.Column("timezone", sa.String(64)),
        sa.Column("rows_read", sa.BigInteger(), server_default="0"),
        sa.Column("rows_inserted", sa.BigInteger(), server_default="0"),
        sa.Column("rows_updated", sa.BigInteger(), server_default="0"),
        sa.Column("rows_unchanged", sa.BigInteger(), server_default="0"),
        sa.Column("rows_rejected", sa.BigInteger(), server_default="0"),
        sa.Column("tables", sa.JSON()),
        sa.Column("reject_report", sa.Text()),
        sa.Column("error", sa.Text()),
    )
    op.create_index("ix_import_runs_sha", "import_runs", ["file_sha256"])


def downgrade() -> None:
    op.drop_index("ix_import_runs_sha", "import_runs")
    op.drop_table("import_runs")
