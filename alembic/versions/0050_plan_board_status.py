"""plan board status: each item's board status stored, on an index with its plan

The board's status filter placed its pages by the hourly summary's per-plan counts,
so an item whose status changed since the summary could be missing from the pages or
shown twice. ``plan_items.board_status`` is kept by the writing services and the
plan-figures job, and the filter pages over it on (board_status, plan_id, id).

The column starts empty: the stored summary run is deleted, so that the board counts
on the spot (as on a new install) until the next plan-figures run fills both.

Revision ID: 0050
Revises: 0049
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0050"
down_revision: str | None = "0049"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("plan_items", sa.Column("board_status", sa.String(length=20), nullable=True))
    op.create_index(
        "ix_plan_items_board_status_plan", "plan_items", ["board_status", "plan_id", "id"]
    )
    op.execute("DELETE FROM plan_board_runs")


def downgrade() -> None:
    op.drop_index("ix_plan_items_board_status_plan", table_name="plan_items")
    with op.batch_alter_table("plan_items") as batch:
        batch.drop_column("board_status")
