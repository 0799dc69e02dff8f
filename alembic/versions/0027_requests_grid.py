"""grid work: grid workers' assignments, cadres' visit rules and visits

Revision ID: 0027
Revises: 0024
"""

from collections.abc import Sequence

import sqlalchemy as sa

import participation.db
from alembic import op

revision: str = "0027"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grid_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("assigned_by", sa.Integer(), nullable=True),
        sa.Column("assigned_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["accounts.id"], name=op.f("fk_grid_assignments_assigned_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["areas.id"], name=op.f("fk_grid_assignments_grid_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["accounts.id"], name=op.f("fk_grid_assignments_worker_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_assignments")),
    )
    op.create_index(
        op.f("ix_grid_assignments_grid_id"), "grid_assignments", ["grid_id"], unique=False
    )
    op.create_index(
        "ix_grid_assignments_worker_dates",
        "grid_assignments",
        ["worker_id", "starts_on"],
        unique=False,
    )
    op.create_table(
        "grid_visit_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("digits", sa.String(length=10), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_grid_visit_rules_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["accounts.id"], name=op.f("fk_grid_visit_rules_set_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_visit_rules")),
        sa.UniqueConstraint("area_id", name=op.f("uq_grid_visit_rules_area_id")),
    )
    op.create_table(
        "grid_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("cadre", sa.String(length=60), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["areas.id"], name=op.f("fk_grid_visits_grid_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["accounts.id"], name=op.f("fk_grid_visits_recorded_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["resident_requests.id"],
            name=op.f("fk_grid_visits_request_id_resident_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_visits")),
    )
    op.create_index(op.f("ix_grid_visits_grid_id"), "grid_visits", ["grid_id"], unique=False)
    op.create_index(op.f("ix_grid_visits_visited_on"), "grid_visits", ["visited_on"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_grid_visits_visited_on"), table_name="grid_visits")
    op.drop_index(op.f("ix_grid_visits_grid_id"), table_name="grid_visits")
    op.drop_table("grid_visits")
    op.drop_table("grid_visit_rules")
    op.drop_index("ix_grid_assignments_worker_dates", table_name="grid_assignments")
    op.drop_index(op.f("ix_grid_assignments_grid_id"), table_name="grid_assignments")
    op.drop_table("grid_assignments")
