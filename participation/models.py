"""Import every mapped module so that ``Base.metadata`` knows all tables (for Alembic)."""

from participation import (  # noqa: F401
    accounts,
    areas,
    audit,
    departments,
    job_runs,
    notices,
    outbox,
    portal_counts,
    recovery,
    rolls,
    table_versions,
)
from participation.ballots import models as ballot_models  # noqa: F401
from participation.budgets import models as budget_models  # noqa: F401
from participation.db import Base
from participation.livelihood import models as livelihood_models  # noqa: F401
from participation.notifying import models as notifying_models  # noqa: F401
from participation.organizations import models as organization_models  # noqa: F401
from participation.plan import board_counts as plan_board_counts  # noqa: F401
from participation.plan import models as plan_models  # noqa: F401
from participation.plan import records as plan_records  # noqa: F401
from participation.privacy import consent as privacy_consent  # noqa: F401
from participation.requests import board as request_board  # noqa: F401
from participation.requests import counts as request_counts  # noqa: F401
from participation.requests import grids as request_grids  # noqa: F401
from participation.requests import loop as request_loop  # noqa: F401
from participation.requests import mediation as mediation_models  # noqa: F401
from participation.requests import membership as request_membership  # noqa: F401
from participation.requests import models as request_models  # noqa: F401
from participation.requests import supervision as request_supervision  # noqa: F401

metadata = Base.metadata
