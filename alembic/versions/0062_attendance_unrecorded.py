"""volunteers: a partial index of the places whose attendance nobody recorded yet

A team leader's home page counts, per team they lead, the ended shifts with a
confirmed place not yet checked out or credited (volunteers.home's
attendance_to_record). It read every sign-up of every shift the team ever ran:
years of recorded attendance to find a handful. The index holds only the
unrecorded places, so the count follows the team's shifts.

Revision ID: 0062
Revises: 0061
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0062"
down_revision: str | None = "0061"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As volunteers.models says them (kept here: a migration never imports the models).
UNRECORDED_SQLITE = "status = 'confirmed' AND checked_out_at IS NULL AND credited IS 0"
UNRECORDED_POSTGRESQL = "status = 'confirmed' AND checked_out_at IS NULL AND credited IS false"


def upgrade() -> None:
    op.create_index(
        "ix_vol_signups_unrecorded",
        "vol_signups",
        ["shift_id"],
        sqlite_where=sa.text(UNRECORDED_SQLITE),
        postgresql_where=sa.text(UNRECORDED_POSTGRESQL),
    )


def downgrade() -> None:
    op.drop_index("ix_vol_signups_unrecorded", table_name="vol_signups")
