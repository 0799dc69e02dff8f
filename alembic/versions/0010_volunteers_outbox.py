"""volunteers share the portal's outbox

Volunteer reminders and shift-change notices used to wait in their own table
(``vol_outbox``) and were sent by ``gongzhi volunteers tick``; now they are
queued in ``outbox`` and sent by ``gongzhi send-mail`` like all other mail.
Upgrade moves every volunteer message (sent ones too, so "nothing twice" holds
across the move) into ``outbox`` with its key prefixed ``volunteers:`` and drops
``vol_outbox``; downgrade recreates it and moves those messages back.

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-23 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import participation.db

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX = "volunteers:"


def upgrade() -> None:
    op.execute(
        "INSERT INTO outbox (key, to_address, subject, body, created_at, sent_at, attempts,"
        " last_error, account_id) "
        f"SELECT '{PREFIX}' || dedupe_key, to_address, subject, body, created_at, sent_at,"
        " attempts, COALESCE(last_error, ''), NULL FROM vol_outbox ORDER BY id"
    )
    with op.batch_alter_table("vol_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vol_outbox_sent_at"))
    op.drop_table("vol_outbox")


def downgrade() -> None:
    op.create_table(
        "vol_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=80), nullable=False),
        sa.Column("to_address", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", participation.db.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vol_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_vol_outbox_dedupe_key")),
    )
    with op.batch_alter_table("vol_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vol_outbox_sent_at"), ["sent_at"], unique=False)
    start = len(PREFIX) + 1
    op.execute(
        "INSERT INTO vol_outbox (dedupe_key, to_address, subject, body, created_at, sent_at,"
        " attempts, last_error) "
        f"SELECT substr(key, {start}, 80), to_address, substr(subject, 1, 200), body,"
        " created_at, sent_at, attempts, substr(last_error, 1, 300) FROM outbox "
        f"WHERE key LIKE '{PREFIX}%' ORDER BY id"
    )
    op.execute(f"DELETE FROM outbox WHERE key LIKE '{PREFIX}%'")
