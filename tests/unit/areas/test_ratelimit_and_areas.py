from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.rules.areas import AreaKind, child_kind, is_within, path_of
from participation.rules.ratelimit import Limit, check_limit

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LIMIT = Limit(max_failures=3, window=timedelta(minutes=15))


@pytest.mark.parametrize(
    ("ages_minutes", "allowed"),
    [
        ([], True),
        ([1, 2], True),
        ([1, 2, 3], False),
        ([1, 2, 15], True),  # exactly at the window's edge: no longer counted
        ([1, 2, 14.99], False),
        ([20, 30, 40, 50], True),
    ],
)
def test_limit_table(ages_minutes: list[float], allowed: bool) -> None:
    failures = [NOW - timedelta(minutes=m) for m in ages_minutes]
    assert check_limit(failures, NOW, LIMIT).allowed is allowed


@given(st.lists(st.integers(0, 3600), max_size=10))
def test_retry_after_is_within_the_window_and_then_allowed(ages: list[int]) -> None:
    failures = [NOW - timedelta(seconds=s) for s in ages]
    decision = check_limit(failures, NOW, LIMIT)
    if not decision.allowed:
        assert timedelta(0) < decision.retry_after <= LIMIT.window
        assert check_limit(failures, NOW + decision.retry_after, LIMIT).allowed


@pytest.mark.parametrize(
    ("parent", "child"),
    [
        (None, AreaKind.CITY),
        (AreaKind.CITY, AreaKind.DISTRICT),
        (AreaKind.DISTRICT, AreaKind.STREET),
        (AreaKind.STREET, AreaKind.COMMUNITY),
        (AreaKind.COMMUNITY, AreaKind.GRID),
        (AreaKind.GRID, None),
    ],
)
def test_levels(parent: AreaKind | None, child: AreaKind | None) -> None:
    assert child_kind(parent) == child


def test_paths() -> None:
    assert path_of(None, 1) == "/1/"
    assert path_of("/1/", 12) == "/1/12/"
    assert is_within("/1/12/", "/1/")
    assert not is_within("/1/12/", "/1/1/")
