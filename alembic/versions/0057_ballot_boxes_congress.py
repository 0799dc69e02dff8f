"""ballot boxes: an index on congress_id

A deputy linked to a congress's roll is told of the congress's deputies' ballots
open at that moment (participation.notifying.sweeps.tell_new_deputy), which finds
them by congress; the foreign key had no index (PostgreSQL makes none for one), so
every link read every box of the city.

Revision ID: 0057
Revises: 0056
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0057"
down_revision: str | None = "0056"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ballot_boxes_congress_id", "ballot_boxes", ["congress_id"])


def downgrade() -> None:
    op.drop_index("ix_ballot_boxes_congress_id", table_name="ballot_boxes")
