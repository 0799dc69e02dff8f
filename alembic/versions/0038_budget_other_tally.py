"""budget rounds keep the other rule's tally

The results page compares the published tally with the same ballots counted
under the other rule. That recount read every ballot (the whole bulletin) in the
request, once per worker; it is now stored when the results are published.
Rounds published before stay NULL and are recounted on demand as before.

Revision ID: 0038
Revises: 0036
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0038"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("budget_rounds") as batch:
        batch.add_column(sa.Column("other_tally_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("budget_rounds") as batch:
        batch.drop_column("other_tally_json")
