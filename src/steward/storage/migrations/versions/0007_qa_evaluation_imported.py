"""qa evaluations keep what an export said

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("qa_evaluations") as table:
        table.add_column(sa.Column("imported", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("qa_evaluations") as table:
        table.drop_column("imported")
