"""evaluations.response_count: how many have responded, kept by the service

The evaluation's back-office page counted its participations on every request
(200,000 of them: 19 ms of a 25 ms page at city scale). The service that stores a
response now adds one to the evaluation's count in the same transaction; this
fills the count of the evaluations already collected.

Revision ID: 0055
Revises: 0054
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0055"
down_revision: str | None = "0054"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evaluations") as batch:
        batch.add_column(
            sa.Column("response_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE evaluations SET response_count = (SELECT count(*) FROM eval_participations"
        " WHERE eval_participations.evaluation_id = evaluations.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("evaluations") as batch:
        batch.drop_column("response_count")
