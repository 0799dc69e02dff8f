"""volunteer lookups: a team's pending hours requests and its hours total by index

The leader's roster reads the team's pending back-fill requests and the team's
service minutes from the hours summary; both scanned their tables (every request
ever made, every month × team × area total) before these indexes.

Revision ID: 0048
Revises: 0047
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0048"
down_revision: str | None = "0047"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vol_backfills") as batch:
        batch.create_index(batch.f("ix_vol_backfills_status"), ["status"])
    with op.batch_alter_table("vol_hour_totals") as batch:
        batch.create_index(batch.f("ix_vol_hour_totals_team_id"), ["team_id"])


def downgrade() -> None:
    with op.batch_alter_table("vol_hour_totals") as batch:
        batch.drop_index(batch.f("ix_vol_hour_totals_team_id"))
    with op.batch_alter_table("vol_backfills") as batch:
        batch.drop_index(batch.f("ix_vol_backfills_status"))
