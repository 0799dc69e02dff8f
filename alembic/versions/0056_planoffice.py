"""plan items: the index on parent_id only over the items that have a parent

Almost every plan item is at the top of its plan (3 of a city's 100,000 items have
a parent). With ANALYZE statistics SQLite's planner counts the NULLs as one key of
33,000 rows and reads the whole table for "the children of these 50 items"
(board._roll_up_parents, each item page and list of the planner's desk: 13-19 ms
at city scale). A partial index (parent_id IS NOT NULL) holds only the items with a
parent; every lookup by parent (an equality or IN) implies it, on SQLite and
PostgreSQL alike.

Revision ID: 0056
Revises: 0055
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0056"
down_revision: str | None = "0055"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HAS_PARENT = sa.text("parent_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("plan_items") as batch:
        batch.drop_index("ix_plan_items_parent_id")
    op.create_index(
        "ix_plan_items_parent_id",
        "plan_items",
        ["parent_id"],
        sqlite_where=_HAS_PARENT,
        postgresql_where=_HAS_PARENT,
    )


def downgrade() -> None:
    op.drop_index("ix_plan_items_parent_id", table_name="plan_items")
    op.create_index("ix_plan_items_parent_id", "plan_items", ["parent_id"])
