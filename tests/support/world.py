"""Types of the shared fixtures in tests/conftest.py, for the tests' annotations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from participation.accounts import Account
from participation.areas import Area
from tests.support.client import FormClient


class World(TypedDict):
    """The ``world`` fixture: a small area tree and one account per role (by role
    value, plus ``nobody``)."""

    city: Area
    district: Area
    street: Area
    community: Area
    other: Area
    grid: Area
    people: dict[str, Account]


#: The ``make_client`` fixture: another signed-out client on the same app.
MakeClient = Callable[[], FormClient]
