"""consultations: an index on (meets_at, id), the public list's order

/consultations lists the consultations the latest meeting first, a page at a time
(consultations.listing.consultations_page). Without an index SQLite sorted every
consultation of the city for each page; with it the page is read from the index's
end and the read stops after the page (and one row more).

Revision ID: 0061
Revises: 0060
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0061"
down_revision: str | None = "0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_consultations_meets_at", "consultations", ["meets_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_consultations_meets_at", table_name="consultations")
