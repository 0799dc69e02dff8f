"""resident requests: keyed tracking secrets (scheme column), units' members

Rows filed before this revision keep their unkeyed SHA-256 (secret_scheme 1) and
keep working; the worker's requests-sweep wraps them with the key (no secret
needed), and the next lookup that opens one does too.

Revision ID: 0031
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa

import participation.db
from alembic import op

revision: str = "0031"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resident_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("secret_scheme", sa.Integer(), server_default="1", nullable=False)
        )
    op.create_table(
        "request_unit_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_request_unit_members_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by"], ["accounts.id"], name=op.f("fk_request_unit_members_added_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["request_units.id"],
            name=op.f("fk_request_unit_members_unit_id_request_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_unit_members")),
        sa.UniqueConstraint(
            "unit_id", "account_id", name=op.f("uq_request_unit_members_unit_id_account_id")
        ),
    )
    with op.batch_alter_table("request_unit_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_unit_members_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_request_unit_members_unit_id"), ["unit_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("request_unit_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_unit_members_unit_id"))
        batch_op.drop_index(batch_op.f("ix_request_unit_members_account_id"))
    op.drop_table("request_unit_members")
    with op.batch_alter_table("resident_requests", schema=None) as batch_op:
        batch_op.drop_column("secret_scheme")
