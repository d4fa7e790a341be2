"""quality while the work runs: gold answers, consensus, measured expert quality, the
background aggregation's state per project, reviews; projects' quality policy

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "expert_quality",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("expert_id", ID, nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("gold_claims", sa.Integer(), nullable=False),
        sa.Column("gold_answered", sa.Integer(), nullable=False),
        sa.Column("gold_correct", sa.Integer(), nullable=False),
        sa.Column("window_answered", sa.Integer(), nullable=False),
        sa.Column("window_correct", sa.Integer(), nullable=False),
        sa.Column("reliability", sa.Double(), nullable=True),
        sa.Column("clarity_sum", sa.Double(), nullable=False),
        sa.Column("clarity_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["users.id"],
            name=op.f("fk_expert_quality_expert_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_expert_quality_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "expert_id", name=op.f("pk_expert_quality")),
    )
    op.create_table(
        "project_quality",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("last_judgment_id", ID, nullable=False),
        sa.Column("last_review_id", ID, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_quality_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_quality")),
    )
    op.create_table(
        "consensus",
        sa.Column("item_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("value", JSON, nullable=True),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("judgments", sa.Integer(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("adjudicated_by", ID, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["adjudicated_by"], ["users.id"], name=op.f("fk_consensus_adjudicated_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_consensus_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_consensus_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_consensus")),
    )
    with op.batch_alter_table("consensus", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consensus_state", ["project_id", "state", "item_id"], unique=False
        )
        batch_op.create_index("ix_consensus_queue", ["state", "item_id"], unique=False)

    op.create_table(
        "gold_answers",
        sa.Column("item_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("answer", JSON, nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_gold_answers_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_gold_answers_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_gold_answers_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_gold_answers")),
    )
    with op.batch_alter_table("gold_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gold_answers_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "reviews",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("judgment_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("expert_id", ID, nullable=False),
        sa.Column("reviewer_id", ID, nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("clarity", sa.Integer(), nullable=True),
        sa.Column("revised_value", JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["users.id"], name=op.f("fk_reviews_expert_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["judgment_id"],
            ["judgments.id"],
            name=op.f("fk_reviews_judgment_id_judgments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_reviews_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_reviews_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("judgment_id", name=op.f("uq_reviews_judgment_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_expert_id"), ["expert_id"], unique=False)
        batch_op.create_index("ix_reviews_project", ["project_id", "id"], unique=False)

    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_state", sa.String(length=20), nullable=True))
        batch_op.create_index(
            "ix_judgments_review", ["project_id", "review_state", "id"], unique=False
        )

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quality", JSON, nullable=True))
    op.execute("UPDATE projects SET quality = '{}'")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.alter_column("quality", existing_type=JSON, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("quality")

    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.drop_index("ix_judgments_review")
        batch_op.drop_column("review_state")

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_expert_id"))
        batch_op.drop_index("ix_reviews_project")

    op.drop_table("reviews")
    with op.batch_alter_table("gold_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gold_answers_project_id"))

    op.drop_table("gold_answers")
    with op.batch_alter_table("consensus", schema=None) as batch_op:
        batch_op.drop_index("ix_consensus_state")
        batch_op.drop_index("ix_consensus_queue")

    op.drop_table("consensus")
    op.drop_table("project_quality")
    op.drop_table("expert_quality")
