"""notices for every journey: follows, preferences, events told once

Notices get an ``event`` key, unique with the account: a fan-out told twice (a
re-run, a race) adds nothing. ``follows``, ``notice_preferences`` and
``notice_settings`` are keyed by the account (one DELETE each erases them);
``notice_events`` records the periodic fan-outs already done.

Revision ID: 0042
Revises: 0038
"""

from collections.abc import Sequence

import sqlalchemy as sa

import participation.db
from alembic import op

revision: str = "0042"
down_revision: str | None = "0044"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("event", sa.String(length=120), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_notices_event_account_id"), ["event", "account_id"]
        )
    op.create_table(
        "follows",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_follows_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "target_kind", "target_id", name=op.f("pk_follows")),
    )
    op.create_index("ix_follows_target", "follows", ["target_kind", "target_id"])
    op.create_table(
        "notice_preferences",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notice_preferences_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", "kind", name=op.f("pk_notice_preferences")),
    )
    op.create_table(
        "notice_settings",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_notice_settings_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_notice_settings")),
    )
    op.create_table(
        "notice_events",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("told", sa.Integer(), nullable=False),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_notice_events")),
    )


def downgrade() -> None:
    op.drop_table("notice_events")
    op.drop_table("notice_settings")
    op.drop_table("notice_preferences")
    op.drop_index("ix_follows_target", table_name="follows")
    op.drop_table("follows")
    with op.batch_alter_table("notices") as batch:
        batch.drop_constraint(op.f("uq_notices_event_account_id"), type_="unique")
        batch.drop_column("event")
