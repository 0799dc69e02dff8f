"""opinion statements keep their vote count

The consultation page chose a signed-in visitor's next statement by counting
the consultation's votes per statement on every request (600,000 votes in a
city consultation). Each statement now keeps its count, raised in the vote's
transaction, and the next statement is read from an index on
(consultation, vote count, id). The counts of the votes already stored are
filled in here.

Revision ID: 0040
Revises: 0038
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0040"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opinion_statements") as batch:
        batch.add_column(
            sa.Column("vote_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE opinion_statements SET vote_count = ("
        "SELECT count(*) FROM opinion_votes"
        " WHERE opinion_votes.statement_id = opinion_statements.id)"
    )
    op.create_index(
        "ix_opinion_statements_next",
        "opinion_statements",
        ["consultation_id", "vote_count", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_opinion_statements_next", table_name="opinion_statements")
    with op.batch_alter_table("opinion_statements") as batch:
        batch.drop_column("vote_count")
