"""indexes for the pruning job's deletes (reset codes, job runs)

The hourly ``prune`` job (web.ops.jobs.prune) deletes the reset codes spent more
than 7 days ago (used_at or expires_at before the cutoff) and the job runs past
their keeping (``started_at`` before a cutoff). None of those columns had an
index, so each delete scanned its whole table every hour; with them, SQLite
reads the indexes' ranges (MULTI-INDEX OR) and PostgreSQL a BitmapOr. The sent
mail's delete already had ``ix_outbox_sent_at``; the counted failures' delete
removes most of its small table each hour (its rows live 15 minutes to a day),
so an index would be read almost whole: none.

Revision ID: 0062
Revises: 0061
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0062"
down_revision: str | None = "0061"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_reset_codes_used_at", "reset_codes", "used_at"),
    ("ix_reset_codes_expires_at", "reset_codes", "expires_at"),
    ("ix_job_runs_started_at", "job_runs", "started_at"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
