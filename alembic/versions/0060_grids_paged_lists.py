"""grid visits by grid and day, role grants by role: the grid lists a page at a time

The visits list (/admin/requests/visits) of a community worker reads the visits of
their community's few grids and sorts them: by grid and day, from the index alone,
rather than walking the city's year of visits latest first to find a page of theirs
(and every visit, for a community with none). The index serves every lookup by grid
alone too, so the single one goes.

The assignment form offers the grid workers a page at a time: their grants are found
by role (a city's thousands of grid workers, not all of its grants), with the area
and the account in the index.

Revision ID: 0060
Revises: 0059
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0060"
down_revision: str | None = "0059"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_grid_visits_grid_day", "grid_visits", ["grid_id", "visited_on"])
    op.drop_index("ix_grid_visits_grid_id", table_name="grid_visits")
    op.create_index("ix_role_grants_role", "role_grants", ["role", "area_id", "account_id"])


def downgrade() -> None:
    op.drop_index("ix_role_grants_role", table_name="role_grants")
    op.create_index("ix_grid_visits_grid_id", "grid_visits", ["grid_id"])
    op.drop_index("ix_grid_visits_grid_day", table_name="grid_visits")
