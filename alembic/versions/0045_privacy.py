"""privacy: consent to the versioned privacy notice, and closed accounts

A person agrees to a version of the privacy notice at sign-up and again when it
changes (privacy_consents, appended). A closed account keeps its row (ledgers,
ballots' participation and the audit log point at it) but is anonymised and
marked closed.

Revision ID: 0045
Revises: 0043
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from participation.db import UTCDateTime

revision: str = "0045"
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("consented_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_privacy_consents_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consents")),
    )
    with op.batch_alter_table("privacy_consents") as batch:
        batch.create_index(batch.f("ix_privacy_consents_account_id"), ["account_id"])
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("closed_at")
    op.drop_table("privacy_consents")
