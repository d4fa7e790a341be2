"""claim index in routing order; items by state; live leases apart; each expert's gold cursor

The claim's ``ORDER BY priority DESC, id`` inside a tier now matches ``ix_items_claim``, so no
claim sorts the open items; ``ix_items_state`` serves look-ups of a project's items in one state
in id order (gold items); the leases' indexes hold only live leases (partial indexes), so the
sweep and the resume read what is live, never a project's whole history; ``ix_judgments_expert``
finds an expert's judgments in a project (probation counts them on every submit);
``ix_consensus_project`` lists a project's consensus rows in item order;
``tallies`` hold each project's running counts (items per state, judgments, active time), so
progress reads a few rows; ``expert_quality.gold_cursor`` is the last gold item served to the
expert, where the next gold pick starts.

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
    _tallies()
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
    with op.batch_alter_table("consensus", schema=None) as batch_op:
        batch_op.create_index("ix_consensus_project", ["project_id", "item_id"])
    with op.batch_alter_table("expert_quality", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gold_cursor", ID, server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_table("tallies")
    with op.batch_alter_table("expert_quality", schema=None) as batch_op:
        batch_op.drop_column("gold_cursor")
    with op.batch_alter_table("consensus", schema=None) as batch_op:
        batch_op.drop_index("ix_consensus_project")
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


def _tallies() -> None:
    """The running counts of each project (``store.tallies``), counted once from its rows."""
    op.create_table(
        "tallies",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_tallies_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "name", "shard", name=op.f("pk_tallies")),
    )
    for select in (
        "SELECT project_id, state, 0, count(*) FROM items GROUP BY project_id, state",
        "SELECT project_id, 'judgments', 0, count(*) FROM judgments GROUP BY project_id",
        "SELECT project_id, 'timed_judgments', 0, count(*) FROM judgments"
        " WHERE active_seconds > 0 GROUP BY project_id",
        "SELECT project_id, 'active_ms', 0, sum(round(active_seconds * 1000)) FROM judgments"
        " WHERE active_seconds > 0 GROUP BY project_id",
    ):
        op.execute(f"INSERT INTO tallies (project_id, name, shard, n) {select}")
