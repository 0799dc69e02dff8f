"""volunteer settings: every sign-up rule per team and per activity; star schemes

Teams get the three rules that were constants (no-show lock, consent age,
self-sign-up age) and every team rule gets a server default equal to its
default, so existing teams keep today's behaviour. Activities get a nullable
override for every rule (NULL: the team's setting). ``vol_star_schemes`` holds
star-level schemes per area, one row per change.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import participation.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each rule with its default, as of this revision (volunteers.rules.signup.ShiftRules).
OLD_RULES = {
    "opens_hours_before": 336,
    "cancel_closes_hours_before": 3,
    "overlap_grace_minutes": 10,
    "promotion_cutoff_hours": 24,
    "offer_minutes": 30,
    "coverage_percent": 60,
}
NEW_RULES = {"no_show_lock": 2, "consent_age": 14, "self_signup_age": 10}


def upgrade() -> None:
    with op.batch_alter_table("vol_teams", schema=None) as batch_op:
        for name, default in OLD_RULES.items():
            batch_op.alter_column(
                name,
                existing_type=sa.Integer(),
                existing_nullable=False,
                server_default=sa.text(str(default)),
            )
        for name, default in NEW_RULES.items():
            batch_op.add_column(
                sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text(str(default)))
            )
    with op.batch_alter_table("vol_activities", schema=None) as batch_op:
        for name in [*OLD_RULES, *NEW_RULES]:
            if name not in ("opens_hours_before", "cancel_closes_hours_before"):
                batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
    op.create_table(
        "vol_star_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.String(length=80), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("effective_at", participation.db.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", participation.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_vol_star_schemes_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["accounts.id"], name=op.f("fk_vol_star_schemes_created_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vol_star_schemes")),
    )
    with op.batch_alter_table("vol_star_schemes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vol_star_schemes_area_id"), ["area_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vol_star_schemes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vol_star_schemes_area_id"))
    op.drop_table("vol_star_schemes")
    with op.batch_alter_table("vol_activities", schema=None) as batch_op:
        for name in [*OLD_RULES, *NEW_RULES]:
            if name not in ("opens_hours_before", "cancel_closes_hours_before"):
                batch_op.drop_column(name)
    with op.batch_alter_table("vol_teams", schema=None) as batch_op:
        for name in NEW_RULES:
            batch_op.drop_column(name)
        for name in OLD_RULES:
            batch_op.alter_column(
                name, existing_type=sa.Integer(), existing_nullable=False, server_default=None
            )
