"""roll_counts: each community's roll entries and verified ones, kept by every write

The resident roll's back-office page (/admin/rolls) counted the entries and the
verified entries of a page of communities on every view, from the index on
(community_id, account_id): 100,000 index entries for a page of a city's
communities, 5-8 ms each time. The writes that change those figures (an import, a
verification, an account closed, the ORM's own writes) now add to one row per
community in the same transaction (participation.rolls.RollCount); this counts the
rows of the roll already there.

Revision ID: 0059
Revises: 0058
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0059"
down_revision: str | None = "0058"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roll_counts",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("verified", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["areas.id"], name=op.f("fk_roll_counts_community_id_areas")
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_roll_counts")),
    )
    op.execute(
        "INSERT INTO roll_counts (community_id, entries, verified)"
        " SELECT community_id, count(*), count(account_id) FROM roll_entries"
        " GROUP BY community_id"
    )


def downgrade() -> None:
    op.drop_table("roll_counts")
