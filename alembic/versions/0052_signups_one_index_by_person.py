"""sign-ups by person: one index, (account_id, status)

0051 added the index on (account_id, status) beside the one on account_id alone.
With ANALYZE statistics SQLite's planner still took the narrower index for a
member's missed shifts (the statistics average over all statuses, and no-shows are
rare), reading every sign-up of each of the roster's 25 members: 0.25 ms of the
roster's 0.33 ms statement at a twentieth of the city. The pair index serves every
query on account_id alone too, so the single one goes.

Revision ID: 0052
Revises: 0051
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0052"
down_revision: str | None = "0051"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vol_signups") as batch:
        batch.drop_index("ix_vol_signups_account_id")


def downgrade() -> None:
    with op.batch_alter_table("vol_signups") as batch:
        batch.create_index("ix_vol_signups_account_id", ["account_id"])
