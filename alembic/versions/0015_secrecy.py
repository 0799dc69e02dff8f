"""secrecy: sealed ballots and responses, receipts apart from contents

``sealed_ballots`` and ``eval_sealed_responses`` hold what a cast or a submitted
response wrote sealed (see participation/ballots/mixing.py and
consultations/evaluations/sealed.py). Receipt hashes move out of
``cast_ballots`` into ``ballot_receipts``, which says nothing of contents.
Existing rows stay readable: ballots and responses already stored in the clear
remain so, drafts saved before are read as plain JSON until saved again.

Revision ID: 0015
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sealed_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("box_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["box_id"], ["ballot_boxes.id"], name=op.f("fk_sealed_ballots_box_id_ballot_boxes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_ballots")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("sealed_ballots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sealed_ballots_box_id"), ["box_id"], unique=False)
    op.create_table(
        "ballot_receipts",
        sa.Column("box_id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["box_id"], ["ballot_boxes.id"], name=op.f("fk_ballot_receipts_box_id_ballot_boxes")
        ),
        sa.PrimaryKeyConstraint("box_id", "receipt_hash", name=op.f("pk_ballot_receipts")),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO ballot_receipts (box_id, receipt_hash) "
        "SELECT box_id, receipt_hash FROM cast_ballots ORDER BY receipt_hash"
    )
    with op.batch_alter_table("cast_ballots", schema=None) as batch_op:
        batch_op.drop_constraint("uq_cast_ballots_receipt_hash", type_="unique")
        batch_op.drop_column("receipt_hash")
    op.create_table(
        "eval_sealed_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name=op.f("fk_eval_sealed_responses_evaluation_id_evaluations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_sealed_responses")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("eval_sealed_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eval_sealed_responses_evaluation_id"), ["evaluation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("eval_sealed_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eval_sealed_responses_evaluation_id"))
    op.drop_table("eval_sealed_responses")
    # Receipts cannot be paired with contents again (that is the point); a
    # downgrade keeps the contents with placeholder receipt hashes.
    with op.batch_alter_table("cast_ballots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("receipt_hash", sa.String(length=64), nullable=False, server_default="")
        )
    op.execute("UPDATE cast_ballots SET receipt_hash = id")
    with op.batch_alter_table("cast_ballots", schema=None) as batch_op:
        batch_op.alter_column("receipt_hash", server_default=None)
        batch_op.create_unique_constraint("uq_cast_ballots_receipt_hash", ["receipt_hash"])
    op.drop_table("ballot_receipts")
    with op.batch_alter_table("sealed_ballots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sealed_ballots_box_id"))
    op.drop_table("sealed_ballots")
