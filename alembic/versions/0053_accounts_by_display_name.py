"""accounts by display name: the back office's account search

The account list searched with LIKE '%q%' over names, usernames and phones, a
scan of every account (a million in a city) on each keystroke. It now matches
the start of a name, a username or a phone, each by index; usernames and phones
have their unique indexes, display names get this one.

Revision ID: 0053
Revises: 0052
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0053"
down_revision: str | None = "0052"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_accounts_display_name", "accounts", ["display_name"])


def downgrade() -> None:
    op.drop_index("ix_accounts_display_name", table_name="accounts")
