"""city-scale pages: the hours ledger summed per month, team and area; a box's tally
stored apart from its bulletin

Revision ID: 0033
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0033"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vol_hour_totals",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_vol_hour_totals_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["vol_teams.id"], name=op.f("fk_vol_hour_totals_team_id_vol_teams")
        ),
        sa.PrimaryKeyConstraint("month", "team_id", "area_id", name=op.f("pk_vol_hour_totals")),
    )
    month = (
        "to_char(served_on, 'YYYY-MM')"
        if op.get_bind().dialect.name == "postgresql"
        else "strftime('%Y-%m', served_on)"
    )
    op.execute(
        "INSERT INTO vol_hour_totals (month, team_id, area_id, minutes, lines) "
        f"SELECT {month}, team_id, area_id, SUM(minutes), COUNT(*) FROM vol_hours "
        f"GROUP BY {month}, team_id, area_id"
    )
    with op.batch_alter_table("ballot_boxes") as batch:
        batch.add_column(sa.Column("tally_json", sa.Text(), nullable=True))
    tally = (
        "(bulletin_json::json -> 'tally')::text"
        if op.get_bind().dialect.name == "postgresql"
        else "json_extract(bulletin_json, '$.tally')"
    )
    op.execute(
        f"UPDATE ballot_boxes SET tally_json = {tally} "
        "WHERE bulletin_json IS NOT NULL AND bulletin_root IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("ballot_boxes") as batch:
        batch.drop_column("tally_json")
    op.drop_table("vol_hour_totals")
