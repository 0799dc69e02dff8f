"""Import every mapped module so that ``Base.metadata`` knows all tables (for Alembic)."""

from participation import accounts, areas, audit, departments, notices, outbox, rolls  # noqa: F401
from participation.ballots import models as ballot_models  # noqa: F401
from participation.db import Base
from participation.plan import models as plan_models  # noqa: F401
from participation.plan import records as plan_records  # noqa: F401
from participation.projects import models as project_models  # noqa: F401

metadata = Base.metadata
