"""export progress: how many of a running export job's items its worker has read

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("items_done", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("items_total", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.drop_column("items_total")
        batch_op.drop_column("items_done")
