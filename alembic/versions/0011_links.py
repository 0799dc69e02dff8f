"""links: a panel review's project names the plan item it delivered

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 01:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('eval_panel_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_item_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_eval_panel_projects_plan_item_id_plan_items'),
            'plan_items',
            ['plan_item_id'],
            ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('eval_panel_projects', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_eval_panel_projects_plan_item_id_plan_items'), type_='foreignkey'
        )
        batch_op.drop_column('plan_item_id')
