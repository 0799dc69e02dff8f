"""stored opinion maps: the worker computes the map, the pages read it

One row per consultation: the last map (zlib JSON), when and from how many
votes it was computed, and the lease of the worker computing the next one. An
index on (consultation_id, id) of the votes makes "votes since the stored map"
one index range.

Revision ID: 0032
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa

import participation.db
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opinion_maps",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.Integer(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("top_vote_id", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Integer(), nullable=False),
        sa.Column("computed_at", participation.db.UTCDateTime(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("lease_owner", sa.String(length=120), nullable=True),
        sa.Column("lease_until", participation.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_opinion_maps_consultation_id_consultations"),
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_opinion_maps")),
    )
    op.create_index(
        "ix_opinion_votes_consultation_id_id", "opinion_votes", ["consultation_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_opinion_votes_consultation_id_id", table_name="opinion_votes")
    op.drop_table("opinion_maps")
