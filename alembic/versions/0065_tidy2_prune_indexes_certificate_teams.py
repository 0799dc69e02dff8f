"""indexes for the pruning job's delete of spent reset codes; the teams each
certificate counts (vol_certificate_teams)

The hourly ``prune`` job (web.ops.jobs.prune) deletes the reset codes spent more
than 7 days ago (used_at or expires_at before the cutoff). Neither column had an
index, so the delete scanned every code kept (a week's) each hour: 264 ms for
608,400 codes on SQLite; with both, SQLite reads the two ranges (MULTI-INDEX OR,
36 ms) and PostgreSQL a BitmapOr. The other deletes of the job: the sent mail's
already had ``ix_outbox_sent_at``; the counted failures' removes most of its
small table each hour (its rows live 15 minutes to a day) and the job runs' reads
every success kept for each job's latest one, so an index of their times would
not spare a read: none.

vol_certificate_teams: for each certificate, the distinct teams of its holder's
ledger lines recorded up to its issue (volunteers.models.CertificateTeam, written
with each new certificate). The certificates an officer manages were found by
reading every holder's whole ledger per certificate (0.4 s for the list's count
at 50,000 certificates); from these rows, by the officer's teams. Filled here for
the certificates already issued, from the same ledger (append-only).

Revision ID: 0065
Revises: 0064
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0065"
down_revision: str | None = "0064"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_reset_codes_used_at", "reset_codes", "used_at"),
    ("ix_reset_codes_expires_at", "reset_codes", "expires_at"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])
    op.create_table(
        "vol_certificate_teams",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["vol_certificates.id"],
            name=op.f("fk_vol_certificate_teams_certificate_id_vol_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["vol_teams.id"], name=op.f("fk_vol_certificate_teams_team_id_vol_teams")
        ),
        sa.PrimaryKeyConstraint("certificate_id", "team_id", name=op.f("pk_vol_certificate_teams")),
    )
    op.create_index(
        "ix_vol_certificate_teams_team", "vol_certificate_teams", ["team_id", "certificate_id"]
    )
    op.execute(
        "INSERT INTO vol_certificate_teams (certificate_id, team_id)"
        " SELECT DISTINCT c.id, h.team_id FROM vol_certificates c"
        " JOIN vol_hours h ON h.account_id = c.account_id AND h.recorded_at <= c.issued_at"
    )


def downgrade() -> None:
    op.drop_index("ix_vol_certificate_teams_team", table_name="vol_certificate_teams")
    op.drop_table("vol_certificate_teams")
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
