"""notices: one inbox for every account

Moves livelihood's proposal notices (project_notices) and consultations'
moderation notices (consultation_author_notices) into one ``notices`` table,
then drops the two old tables. Old notices arrive unread.

Revision ID: 0013
Revises: 0012
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import participation.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HIDDEN = "A moderator hid one of your posts. Reason: %(reason)s"


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.Column("read_at", participation.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_notices_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_account_unread", ["account_id", "read_at"], unique=False)
        batch_op.create_index(
            "ix_notices_account_created", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notices_account_id"), ["account_id"], unique=False)

    bind = op.get_bind()
    rows: list[dict[str, object]] = []
    for r in bind.execute(
        sa.text("SELECT account_id, message, params, link, created_at FROM project_notices")
    ).mappings():
        rows.append(
            {
                "account_id": r["account_id"],
                "kind": "budget.proposal",
                "message": r["message"],
                "params": r["params"] or "{}",
                "link": r["link"] or "",
                "created_at": r["created_at"],
            }
        )
    for r in bind.execute(
        sa.text(
            "SELECT account_id, consultation_id, message, created_at"
            " FROM consultation_author_notices"
        )
    ).mappings():
        rows.append(
            {
                "account_id": r["account_id"],
                "kind": "consultation.hidden",
                "message": HIDDEN,
                "params": json.dumps({"reason": r["message"]}, ensure_ascii=False),
                "link": f"/consultations/{r['consultation_id']}",
                "created_at": r["created_at"],
            }
        )
    # Oldest first, so ids keep the order the notices were sent in. Timestamps are
    # copied as the database returned them (naive UTC), untouched.
    rows.sort(key=lambda row: str(row["created_at"]))
    insert = sa.text(
        "INSERT INTO notices (account_id, kind, message, params, link, created_at)"
        " VALUES (:account_id, :kind, :message, :params, :link, :created_at)"
    )
    for row in rows:
        bind.execute(insert, row)

    with op.batch_alter_table("project_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_notices_account_id"))
    op.drop_table("project_notices")
    with op.batch_alter_table("consultation_author_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_author_notices_account_id"))
    op.drop_table("consultation_author_notices")


def downgrade() -> None:
    op.create_table(
        "consultation_author_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_consultation_author_notices_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_author_notices_consultation_id_consultations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_author_notices")),
    )
    with op.batch_alter_table("consultation_author_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_author_notices_account_id"), ["account_id"], unique=False
        )
    op.create_table(
        "project_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_project_notices_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_notices")),
    )
    with op.batch_alter_table("project_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_notices_account_id"), ["account_id"], unique=False
        )
    op.execute(
        "INSERT INTO project_notices (account_id, message, params, link, created_at)"
        " SELECT account_id, message, params, link, created_at FROM notices"
        " WHERE kind = 'budget.proposal'"
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_account_id"))
        batch_op.drop_index("ix_notices_account_unread")
        batch_op.drop_index("ix_notices_account_created")
    op.drop_table("notices")
