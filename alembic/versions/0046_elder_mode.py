"""accounts remember the age-friendly mode (大字版)

A signed-in person's choice of the age-friendly display follows them to every
device they sign in on; anonymous visitors keep it in a cookie. Existing
accounts start with the standard display.

Revision ID: 0046
Revises: 0038
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0046"
down_revision: str | None = "0041"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("age_friendly", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("age_friendly")
