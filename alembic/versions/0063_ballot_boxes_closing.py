"""ballots: an index on (closes_at, id), the public list's order

/ballots lists the ballot boxes a page at a time, the latest to close first
(participation.ballots.boxes.boxes_by_closing); it used to read every box of the
city with its form. With the index the page is read from the index's end and the
read stops after the page (and one row more).

Revision ID: 0063
Revises: 0062
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0063"
down_revision: str | None = "0062"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ballot_boxes_closes_at", "ballot_boxes", ["closes_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_ballot_boxes_closes_at", table_name="ballot_boxes")
