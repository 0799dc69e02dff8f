"""audit log by action and by actor in id order: the log pages by keyset

The back office's audit log is read newest first a page at a time, from the id
of the entry a page starts after (participation.audit.entries_page), filtered by
action or by actor. An index on the filter's column and the id hands a page over
as one range; the single-column ones left PostgreSQL to sort every entry of an
action (a city's hundreds of thousands) to show fifty. They replace the
single-column ones, which they serve too (lookups by actor alone, the foreign
key).

Revision ID: 0064
Revises: 0063
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0064"
down_revision: str | None = "0063"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_action_id", "audit_log", ["action", "id"])
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.create_index("ix_audit_log_actor_id_id", "audit_log", ["actor_id", "id"])
    op.drop_index("ix_audit_log_actor_id", table_name="audit_log")


def downgrade() -> None:
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])
    op.drop_index("ix_audit_log_actor_id_id", table_name="audit_log")
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    op.drop_index("ix_audit_log_action_id", table_name="audit_log")
