"""claim index in routing order; items by state; live leases apart; each expert's gold cursor

The claim's ``ORDER BY priority DESC, id`` inside a tier now matches ``ix_items_claim``, so no
claim sorts the open items; ``ix_items_state`` serves look-ups of a project's items in one state
in id order (gold items); the leases' indexes hold only live leases (partial indexes), so the
sweep and the resume read what is live, never a project's whole history; ``ix_judgments_expert``
finds an expert's judgments in a project (probation counts them on every submit);
``expert_quality.gold_cursor`` is the last gold item served to the expert, where the next gold
pick starts.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
LIVE = {
    "sqlite_where": sa.text("status = 'active'"),
    "postgresql_where": sa.text("status = 'active'"),
}


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_claim")
        batch_op.create_index(
            "ix_items_claim",
            ["project_id", "state", "started", sa.text("priority DESC"), "id"],
            unique=False,
        )
        batch_op.create_index("ix_items_state", ["project_id", "state", "id"], unique=False)
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_sweep")
        batch_op.drop_index("ix_assignments_resume")
        batch_op.create_index("ix_assignments_live", ["project_id", "expires_at"], **LIVE)
        batch_op.create_index("ix_assignments_expert_live", ["expert_id", "project_id"], **LIVE)
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.create_index("ix_judgments_expert", ["project_id", "expert_id", "id"])
    with op.batch_alter_table("expert_quality", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gold_cursor", ID, server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("expert_quality", schema=None) as batch_op:
        batch_op.drop_column("gold_cursor")
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.drop_index("ix_judgments_expert")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_expert_live")
        batch_op.drop_index("ix_assignments_live")
        batch_op.create_index("ix_assignments_sweep", ["project_id", "status", "expires_at"])
        batch_op.create_index("ix_assignments_resume", ["expert_id", "project_id", "status"])
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_state")
        batch_op.drop_index("ix_items_claim")
        batch_op.create_index(
            "ix_items_claim", ["project_id", "state", "started", "priority", "id"], unique=False
        )
