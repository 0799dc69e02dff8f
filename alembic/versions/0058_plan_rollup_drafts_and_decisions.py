"""plan: year-end roll-up saved a page at a time; "needs a decision" stored per item

The year-end roll-up form listed every item of a plan (1.23 MB for a city plan); it
is now paged, each page's choices (a reason to drop an item, or none) kept in
``plan_year_end_drafts`` until the roll-up reads them and deletes them.

The planner's "needs a decision" list tested every item of the year (its milestones'
weights, its spend, its outcome) on each request; ``plan_items.needs_decision`` now
holds the answer, kept by the plan's services and the plan-figures job, indexed with
the plan like ``board_status``. This fills it for the items already there.

Revision ID: 0058
Revises: 0057
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0058"
down_revision: str | None = "0057"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# participation.plan.decisions.needs_decision, as it stands at this revision.
_NEEDS_DECISION = """
UPDATE plan_items SET needs_decision = (
  NOT EXISTS (SELECT 1 FROM plan_outcomes o WHERE o.item_id = plan_items.id)
  AND (
    (coalesce(plan_items.owner_department, '') = '' AND plan_items.owner_account_id IS NULL)
    OR plan_items.due_on IS NULL
    OR (SELECT coalesce(sum(m.weight), 0) FROM plan_milestones m
        WHERE m.item_id = plan_items.id) <> 100
    OR (SELECT coalesce(sum(u.spend_yuan), 0) FROM plan_updates u
        WHERE u.item_id = plan_items.id) > plan_items.budget_yuan
  )
)
"""


def upgrade() -> None:
    op.create_table(
        "plan_year_end_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("saved_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["plan_items.id"], name=op.f("fk_plan_year_end_drafts_item_id_plan_items")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_year_end_drafts_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["saved_by"], ["accounts.id"], name=op.f("fk_plan_year_end_drafts_saved_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_year_end_drafts")),
        sa.UniqueConstraint("item_id", name=op.f("uq_plan_year_end_drafts_item_id")),
    )
    op.create_index(
        "ix_plan_year_end_drafts_plan_item", "plan_year_end_drafts", ["plan_id", "item_id"]
    )
    with op.batch_alter_table("plan_items") as batch:
        batch.add_column(sa.Column("needs_decision", sa.Boolean(), nullable=True))
    op.create_index(
        "ix_plan_items_needs_decision_plan", "plan_items", ["needs_decision", "plan_id", "id"]
    )
    op.execute(_NEEDS_DECISION)


def downgrade() -> None:
    op.drop_index("ix_plan_items_needs_decision_plan", table_name="plan_items")
    with op.batch_alter_table("plan_items") as batch:
        batch.drop_column("needs_decision")
    op.drop_index("ix_plan_year_end_drafts_plan_item", table_name="plan_year_end_drafts")
    op.drop_table("plan_year_end_drafts")
