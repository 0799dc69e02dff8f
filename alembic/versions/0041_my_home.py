"""the front page's counts in one summary row

The front page counted every community, account and verified resident on each
visit (no index on areas.kind, a full count of accounts and roll entries). The
worker's ``home-counts`` job now stores the three counts in one row.

Revision ID: 0041
Revises: 0038
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0041"
down_revision: str | None = "0042"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("communities", sa.Integer(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("verified", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("portal_counts")
