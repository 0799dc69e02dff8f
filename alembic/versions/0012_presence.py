"""presence: ballot boxes that only members present may vote in

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ballot_presence",
        sa.Column("box_id", sa.Integer(), nullable=False),
        sa.Column("member_key", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["box_id"], ["ballot_boxes.id"], name=op.f("fk_ballot_presence_box_id_ballot_boxes")
        ),
        sa.PrimaryKeyConstraint("box_id", "member_key", name=op.f("pk_ballot_presence")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ballot_boxes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("requires_presence", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("ballot_boxes", schema=None) as batch_op:
        batch_op.drop_column("requires_presence")
    op.drop_table("ballot_presence")
