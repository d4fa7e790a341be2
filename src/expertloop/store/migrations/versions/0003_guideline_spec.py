"""guideline_versions.spec and .note: the rubric (the spec) is versioned with the guidelines

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# Existing versions get their project's current spec: the only spec they were ever made under.
FILL_SPEC = """
UPDATE guideline_versions
SET spec = (SELECT projects.spec FROM projects WHERE projects.id = guideline_versions.project_id)
"""


def upgrade() -> None:
    with op.batch_alter_table("guideline_versions") as batch_op:
        batch_op.add_column(sa.Column("spec", JSON, nullable=True))
        batch_op.add_column(
            sa.Column("note", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
    op.execute(FILL_SPEC)
    with op.batch_alter_table("guideline_versions") as batch_op:
        batch_op.alter_column("spec", existing_type=JSON, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("guideline_versions") as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("spec")
