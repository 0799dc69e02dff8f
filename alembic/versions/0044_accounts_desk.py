"""password reset codes; verified residents named as the roll names them

Codes to set a new password (SMS, e-mail link, the desk's sign-in slip) are kept
only as keyed hashes, with their expiry, use and wrong tries. Accounts verified
before this revision take their roll entry's name, as verification now does, and
so do the copies of their name on posts, objections, plan updates and
representative candidacies and rosters.

Revision ID: 0044
Revises: 0038
"""

from collections.abc import Sequence

import sqlalchemy as sa

import participation.db
from alembic import op

revision: str = "0044"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, name column, account column) of every stored copy of a person's name.
RENAMED = (
    ("accounts", "display_name", "id"),
    ("consultation_posts", "author_name", "author_id"),
    ("consultation_objections", "author_name", "author_id"),
    ("plan_updates", "author_name", "author_id"),
    ("representative_candidacies", "public_name", "account_id"),
    ("representative_roster", "public_name", "account_id"),
)


def upgrade() -> None:
    op.create_table(
        "reset_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", participation.db.UTCDateTime(), nullable=False),
        sa.Column("used_at", participation.db.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_reset_codes_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["accounts.id"], name=op.f("fk_reset_codes_issued_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reset_codes")),
    )
    op.create_index(op.f("ix_reset_codes_account_id"), "reset_codes", ["account_id"])
    op.create_index(op.f("ix_reset_codes_code_hash"), "reset_codes", ["code_hash"])
    # The name is the roll's, everywhere: accounts, and the names copied from them
    # onto what a verified person wrote or stood for before this revision.
    for table, name, person in RENAMED:
        op.execute(
            f"UPDATE {table} SET {name} = (SELECT roll_entries.name FROM roll_entries "
            f"WHERE roll_entries.account_id = {table}.{person}) "
            f"WHERE EXISTS (SELECT 1 FROM roll_entries "
            f"WHERE roll_entries.account_id = {table}.{person})"
        )


def downgrade() -> None:
    op.drop_index("ix_reset_codes_code_hash", table_name="reset_codes")
    op.drop_index("ix_reset_codes_account_id", table_name="reset_codes")
    op.drop_table("reset_codes")
