"""supervision notices by issue time: an index on (issued_at, id)

The back office's list of supervision notices (/admin/requests/supervision) shows
the newest first, a page at a time. Without an index on the order, every notice of
the city was read and sorted for each page.

Revision ID: 0054
Revises: 0053
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0054"
down_revision: str | None = "0053"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_request_supervisions_issued", "request_supervisions", ["issued_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_request_supervisions_issued", table_name="request_supervisions")
