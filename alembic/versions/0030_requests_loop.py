"""resident requests, the loop: a hotspot's consultation topic, and the merged
matters (requests with merged duplicates) that fed a hotspot's plan item or topic

Revision ID: 0030
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa

import participation.db
from alembic import op

revision: str = "0030"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("request_hotspot_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_request_hotspot_actions_topic_id"), ["topic_id"]
        )
    op.create_table(
        "request_matter_links",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["resident_requests.id"],
            name=op.f("fk_request_matter_links_request_id_resident_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["request_hotspot_actions.id"],
            name=op.f("fk_request_matter_links_action_id_request_hotspot_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["accounts.id"],
            name=op.f("fk_request_matter_links_created_by_accounts"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_request_matter_links")),
    )
    op.create_index(
        op.f("ix_request_matter_links_action_id"), "request_matter_links", ["action_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_request_matter_links_action_id"), table_name="request_matter_links")
    op.drop_table("request_matter_links")
    with op.batch_alter_table("request_hotspot_actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_request_hotspot_actions_topic_id"), type_="unique")
        batch_op.drop_column("topic_id")
