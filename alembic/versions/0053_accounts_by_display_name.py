"""accounts by display name, roll entries by community and account

The account search (the back office's account list):
The account list searched with LIKE '%q%' over names, usernames and phones, a
scan of every account (a million in a city) on each keystroke. It now matches
the start of a name, a username or a phone, each by index; usernames and phones
have their unique indexes, display names get this one.

The roll's page (/admin/rolls) counts, for a page of communities, their entries
and the verified ones (account_id set): the index on (community_id, account_id)
answers both from the index alone. It serves every query on community_id alone
too, so the single one goes.

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
    op.create_index(
        "ix_roll_entries_community_account", "roll_entries", ["community_id", "account_id"]
    )
    op.drop_index("ix_roll_entries_community_id", table_name="roll_entries")


def downgrade() -> None:
    op.create_index("ix_roll_entries_community_id", "roll_entries", ["community_id"])
    op.drop_index("ix_roll_entries_community_account", table_name="roll_entries")
    op.drop_index("ix_accounts_display_name", table_name="accounts")
