"""resident requests: summary tables of counts, partial indexes for the queue and the sweep

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa

import participation.db
from alembic import op

revision: str = "0029"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_count_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", participation.db.UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_count_runs")),
    )
    op.create_table(
        "request_board_counts",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_request_board_counts_area_id_areas")
        ),
        sa.PrimaryKeyConstraint(
            "area_id", "category", "channel", "status", name=op.f("pk_request_board_counts")
        ),
    )
    op.create_table(
        "request_month_counts",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_request_month_counts_area_id_areas")
        ),
        sa.PrimaryKeyConstraint(
            "area_id", "category", "month", name=op.f("pk_request_month_counts")
        ),
    )
    op.create_table(
        "request_place_counts",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_request_place_counts_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_request_place_counts")),
    )
    op.create_table(
        "request_recurring_counts",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("first", participation.db.UTCDateTime(), nullable=False),
        sa.Column("last", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_request_recurring_counts_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("area_id", "category", name=op.f("pk_request_recurring_counts")),
    )
    op.create_table(
        "request_category_months",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_request_category_months_area_id_areas")
        ),
        sa.PrimaryKeyConstraint(
            "area_id", "category", "month", name=op.f("pk_request_category_months")
        ),
    )
    op.create_index("ix_request_month_counts_n", "request_month_counts", ["n"])
    op.create_index("ix_request_recurring_counts_n", "request_recurring_counts", ["n"])
    with op.batch_alter_table("resident_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_resident_requests_accepted_due",
            ["resolve_due"],
            unique=False,
            postgresql_where=sa.text("status = 'accepted'"),
            sqlite_where=sa.text("status = 'accepted'"),
        )
        batch_op.create_index(
            "ix_resident_requests_open_unit",
            ["unit_id", "id"],
            unique=False,
            postgresql_where=sa.text("status IN ('unrouted', 'routed', 'accepted', 'proposed')"),
            sqlite_where=sa.text("status IN ('unrouted', 'routed', 'accepted', 'proposed')"),
        )
        batch_op.create_index(
            "ix_resident_requests_routed_due",
            ["accept_due"],
            unique=False,
            postgresql_where=sa.text("status = 'routed'"),
            sqlite_where=sa.text("status = 'routed'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("resident_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_resident_requests_routed_due",
            postgresql_where=sa.text("status = 'routed'"),
            sqlite_where=sa.text("status = 'routed'"),
        )
        batch_op.drop_index(
            "ix_resident_requests_open_unit",
            postgresql_where=sa.text("status IN ('unrouted', 'routed', 'accepted', 'proposed')"),
            sqlite_where=sa.text("status IN ('unrouted', 'routed', 'accepted', 'proposed')"),
        )
        batch_op.drop_index(
            "ix_resident_requests_accepted_due",
            postgresql_where=sa.text("status = 'accepted'"),
            sqlite_where=sa.text("status = 'accepted'"),
        )

    op.drop_index("ix_request_recurring_counts_n", table_name="request_recurring_counts")
    op.drop_index("ix_request_month_counts_n", table_name="request_month_counts")
    op.drop_table("request_category_months")
    op.drop_table("request_recurring_counts")
    op.drop_table("request_place_counts")
    op.drop_table("request_month_counts")
    op.drop_table("request_board_counts")
    op.drop_table("request_count_runs")
