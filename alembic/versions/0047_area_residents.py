"""residents on the roll per community, in a summary the home-counts job keeps

An area's public page showed how many residents its communities hold by counting
their roll entries on every visit: for the city's top area that counted the whole
roll (a million entries, about 20 ms at a twentieth of the city on PostgreSQL).
The worker's ``home-counts`` job now stores one row per community; the page sums
the rows of the communities under the area (at most a few hundred) and says when
they were counted. The front page's summary row is dropped here so that both are
counted together at the job's next run (until then the pages count directly).

Revision ID: 0047
Revises: 0045
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0047"
down_revision: str | None = "0045"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "area_residents",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["areas.id"],
            name=op.f("fk_area_residents_community_id_areas"),
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_area_residents")),
    )
    op.create_index(op.f("ix_area_residents_path"), "area_residents", ["path"])
    # The pages read the new rows only beside the summary row; dropping that row
    # makes them count directly until the job refreshes both together.
    op.execute("DELETE FROM portal_counts")


def downgrade() -> None:
    op.drop_index(op.f("ix_area_residents_path"), table_name="area_residents")
    op.drop_table("area_residents")
