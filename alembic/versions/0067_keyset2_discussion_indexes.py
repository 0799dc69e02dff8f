"""a consultation's threads and statements in id order: the discussion pages by keyset

A consultation's discussion (its public page and the moderators') is read a page
of threads at a time from the top-level post a page starts after, each with its
replies (consultations.deliberation.thread_page); the moderators' statements the
same way (statement_page). An index on (consultation_id, parent_id, id) hands the
page's top-level posts over as one range and each one's replies as another: with
the consultation_id one alone, every post of a busy consultation was read to find
the replies of twenty threads. (consultation_id, id) gives PostgreSQL the
statements in id order without sorting a consultation's thousands. Both replace
the single-column index they start with, which they serve too.

Revision ID: 0067
Revises: 0066
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0067"
down_revision: str | None = "0066"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_consultation_posts_thread", "consultation_posts", ["consultation_id", "parent_id", "id"]
    )
    op.drop_index("ix_consultation_posts_consultation_id", table_name="consultation_posts")
    op.create_index(
        "ix_opinion_statements_consultation_id_id", "opinion_statements", ["consultation_id", "id"]
    )
    op.drop_index("ix_opinion_statements_consultation_id", table_name="opinion_statements")


def downgrade() -> None:
    op.create_index(
        "ix_opinion_statements_consultation_id", "opinion_statements", ["consultation_id"]
    )
    op.drop_index("ix_opinion_statements_consultation_id_id", table_name="opinion_statements")
    op.create_index("ix_consultation_posts_consultation_id", "consultation_posts", ["consultation_id"])
    op.drop_index("ix_consultation_posts_thread", table_name="consultation_posts")
