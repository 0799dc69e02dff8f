"""the hours ledger summed per team and person and per month and person: open data
withholds a team's or month's total made of fewer than three people's hours

``/api/v1/volunteer/hours`` publishes a team's (a month's) minutes only when at least
three distinct people have a positive balance there (volunteers.rules.disclosure).
Counting them from the ledger (a city's million lines), or from each person's
balance (hundreds of thousands of rows), on each request is too slow: each person's
balance per team and per month, and how many are positive, are written with each
ledger line, like ``vol_hour_totals``, and filled here from the ledger.

Revision ID: 0066
Revises: 0065
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0066"
down_revision: str | None = "0065"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vol_hour_team_people",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_vol_hour_team_people_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["vol_teams.id"], name=op.f("fk_vol_hour_team_people_team_id_vol_teams")
        ),
        sa.PrimaryKeyConstraint("team_id", "account_id", name=op.f("pk_vol_hour_team_people")),
    )
    op.create_index(
        "ix_vol_hour_team_people_team_id_minutes", "vol_hour_team_people", ["team_id", "minutes"]
    )
    op.create_table(
        "vol_hour_month_people",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_vol_hour_month_people_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("month", "account_id", name=op.f("pk_vol_hour_month_people")),
    )
    op.create_index(
        "ix_vol_hour_month_people_month_minutes", "vol_hour_month_people", ["month", "minutes"]
    )
    op.create_table(
        "vol_hour_team_contributors",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["vol_teams.id"],
            name=op.f("fk_vol_hour_team_contributors_team_id_vol_teams"),
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_vol_hour_team_contributors")),
    )
    op.create_table(
        "vol_hour_month_contributors",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_vol_hour_month_contributors")),
    )
    month = (
        "to_char(served_on, 'YYYY-MM')"
        if op.get_bind().dialect.name == "postgresql"
        else "strftime('%Y-%m', served_on)"
    )
    op.execute(
        "INSERT INTO vol_hour_team_people (team_id, account_id, minutes) "
        "SELECT team_id, account_id, SUM(minutes) FROM vol_hours GROUP BY team_id, account_id"
    )
    op.execute(
        "INSERT INTO vol_hour_month_people (month, account_id, minutes) "
        f"SELECT {month}, account_id, SUM(minutes) FROM vol_hours GROUP BY {month}, account_id"
    )
    for key in ("team_id", "month"):
        op.execute(
            f"INSERT INTO vol_hour_{key.removesuffix('_id')}_contributors ({key}, people) "
            f"SELECT {key}, COUNT(*) FROM vol_hour_{key.removesuffix('_id')}_people "
            f"WHERE minutes > 0 GROUP BY {key}"
        )


def downgrade() -> None:
    op.drop_table("vol_hour_month_contributors")
    op.drop_table("vol_hour_team_contributors")
    op.drop_index("ix_vol_hour_month_people_month_minutes", table_name="vol_hour_month_people")
    op.drop_table("vol_hour_month_people")
    op.drop_index("ix_vol_hour_team_people_team_id_minutes", table_name="vol_hour_team_people")
    op.drop_table("vol_hour_team_people")
