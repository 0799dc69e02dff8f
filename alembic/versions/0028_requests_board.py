"""resident requests: hotspots turned into plan items, units' stored figures, indexes

Revision ID: 0028
Revises: 0025
"""

from collections.abc import Sequence

import sqlalchemy as sa

import participation.db
from alembic import op

revision: str = "0028"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_hotspot_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("plan_item_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_request_hotspot_actions_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["accounts.id"],
            name=op.f("fk_request_hotspot_actions_created_by_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_item_id"],
            ["plan_items.id"],
            name=op.f("fk_request_hotspot_actions_plan_item_id_plan_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_hotspot_actions")),
        sa.UniqueConstraint(
            "area_id", "category", name=op.f("uq_request_hotspot_actions_area_id_category")
        ),
    )
    op.create_table(
        "request_unit_figures",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("deadlines", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("computed_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["request_units.id"],
            name=op.f("fk_request_unit_figures_unit_id_request_units"),
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_request_unit_figures")),
    )
    op.create_index(
        "ix_resident_requests_board",
        "resident_requests",
        ["category", "channel", "status", "closure", "filed_at"],
    )
    op.create_index(
        "ix_resident_requests_place_window",
        "resident_requests",
        ["area_id", "category", "filed_at", "closure"],
    )


def downgrade() -> None:
    op.drop_index("ix_resident_requests_place_window", table_name="resident_requests")
    op.drop_index("ix_resident_requests_board", table_name="resident_requests")
    op.drop_table("request_unit_figures")
    op.drop_table("request_hotspot_actions")
