"""Every code of the requests catalog fits the column that stores it.

SQLite ignores a VARCHAR's length, so only PostgreSQL refused ``visit_dissatisfied``
(18 characters) in ``request_steps.kind`` (then 16): a dissatisfied return visit
failed there. This table keeps each catalog next to its columns.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Column, String

from participation.requests.models import HandlingUnit, RequestStep, ResidentRequest, RoutingRule
from participation.requests.rules import catalog

CASES = [
    ("steps", catalog.STEPS, RequestStep.__table__.c.kind),
    ("categories", catalog.CATEGORIES, ResidentRequest.__table__.c.category),
    ("categories of rules", catalog.CATEGORIES, RoutingRule.__table__.c.category),
    ("channels", catalog.CHANNELS, ResidentRequest.__table__.c.channel),
    ("scales", catalog.SCALES, ResidentRequest.__table__.c.scale),
    ("urgencies", catalog.URGENCIES, ResidentRequest.__table__.c.urgency),
    ("statuses", catalog.STATUSES, ResidentRequest.__table__.c.status),
    ("closures", catalog.CLOSURES, ResidentRequest.__table__.c.closure),
    ("ratings", catalog.RATINGS, ResidentRequest.__table__.c.rating),
    ("unit kinds", catalog.UNIT_KINDS, HandlingUnit.__table__.c.kind),
    ("target kinds", catalog.UNIT_KINDS, RoutingRule.__table__.c.target_kind),
]


@pytest.mark.parametrize(("name", "codes", "column"), CASES, ids=[c[0] for c in CASES])
def test_every_code_fits_its_column(name: str, codes: dict[str, str], column: Column[str]) -> None:
    assert isinstance(column.type, String) and column.type.length
    too_long = [code for code in codes if len(code) > column.type.length]
    assert not too_long, f"{name}: {too_long} longer than {column.type.length}"


def test_every_return_visit_rating_makes_a_step_kind_that_fits() -> None:
    # closing.py records f"visit_{rating}".
    kind = RequestStep.__table__.c.kind.type
    assert isinstance(kind, String) and kind.length
    length = kind.length
    assert all(f"visit_{rating}" in catalog.STEPS for rating in catalog.RATINGS)
    assert all(len(f"visit_{rating}") <= length for rating in catalog.RATINGS)
