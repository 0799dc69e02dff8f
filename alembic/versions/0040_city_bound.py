"""opinion statements keep their vote count; the plan board's summary table

The consultation page chose a signed-in visitor's next statement by counting
the consultation's votes per statement on every request (600,000 votes in a
city consultation). Each statement now keeps its count, raised in the vote's
transaction, and the next statement is read from an index on
(consultation, vote count, id). The counts of the votes already stored are
filled in here.

The plan progress board computed every item of the year on each request; the
worker's plan-figures job now stores its counts and figures per year, area,
source, department, progress and status (plan_board_counts, plan_board_runs).
Until its first run the board counts on the spot, as before.

Revision ID: 0040
Revises: 0038
"""

from collections.abc import Sequence

import sqlalchemy as sa

import participation.db

from alembic import op

revision: str = "0040"
down_revision: str | None = "0043"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opinion_statements") as batch:
        batch.add_column(sa.Column("vote_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE opinion_statements SET vote_count = ("
        "SELECT count(*) FROM opinion_votes"
        " WHERE opinion_votes.statement_id = opinion_statements.id)"
    )
    op.create_index(
        "ix_opinion_statements_next",
        "opinion_statements",
        ["consultation_id", "vote_count", "id"],
    )

    op.create_table(
        "plan_board_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("source_kind", sa.String(length=40), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=True),
        sa.Column("department_text", sa.String(length=200), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("budget_yuan", sa.Integer(), nullable=False),
        sa.Column("spend_yuan", sa.Integer(), nullable=False),
        sa.Column("due_steps", sa.Integer(), nullable=False),
        sa.Column("on_time_steps", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_board_counts")),
    )
    op.create_index("ix_plan_board_counts_year_path", "plan_board_counts", ["year", "path"])
    op.create_table(
        "plan_board_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", participation.db.UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_board_runs")),
    )


def downgrade() -> None:
    op.drop_table("plan_board_runs")
    op.drop_index("ix_plan_board_counts_year_path", table_name="plan_board_counts")
    op.drop_table("plan_board_counts")
    op.drop_index("ix_opinion_statements_next", table_name="opinion_statements")
    with op.batch_alter_table("opinion_statements") as batch:
        batch.drop_column("vote_count")
