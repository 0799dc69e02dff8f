"""table versions: a counter per group of tables, moved by every committed write

Pages served from the page cache (web/kit/page_cache.py) check that none of the
tables they were rendered from has been written since; see
participation/table_versions.py for when the counters move.

Revision ID: 0049
Revises: 0048
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0049"
down_revision: str | None = "0048"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "table_versions",
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "shard", name=op.f("pk_table_versions")),
    )


def downgrade() -> None:
    op.drop_table("table_versions")
