"""request step kinds up to 32 characters

``visit_dissatisfied`` (18) did not fit the 16 characters of ``request_steps.kind``:
SQLite ignores a VARCHAR's length, PostgreSQL refused the step, so a dissatisfied
return visit (and the demo) failed there.

Revision ID: 0036
Revises: 0032
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0036"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("request_steps") as batch:
        batch.alter_column(
            "kind", existing_type=sa.String(16), type_=sa.String(32), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("request_steps") as batch:
        batch.alter_column(
            "kind", existing_type=sa.String(32), type_=sa.String(16), existing_nullable=False
        )
