"""The growing delay after failed attempts (participation.rules.ratelimit.check_backoff)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.rules.ratelimit import (
    Backoff,
    RateDecision,
    check_backoff,
    most_restrictive,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
POLICY = Backoff(
    free=3, base=timedelta(minutes=1), cap=timedelta(hours=1), window=timedelta(days=1)
)


@pytest.mark.parametrize(
    ("ages_seconds", "allowed", "retry_after"),
    [
        ([], True, 0),
        ([10, 20], True, 0),
        ([10, 20, 30], False, 50),  # third failure 10 s ago: 1 minute from it
        ([70, 80, 90], True, 0),
        ([10, 80, 90, 100], False, 110),  # four failures: 2 minutes
        ([60 * 60 * 25] * 9, True, 0),  # all outside the window
        ([5] * 20, False, 3600 - 5),  # capped at an hour
    ],
)
def test_backoff_table(ages_seconds: list[int], allowed: bool, retry_after: int) -> None:
    failures = [NOW - timedelta(seconds=s) for s in ages_seconds]
    decision = check_backoff(failures, NOW, POLICY)
    assert decision == RateDecision(allowed, timedelta(seconds=retry_after))


@given(st.lists(st.integers(0, 3 * 86400), max_size=25), st.integers(0, 3 * 86400))
def test_a_failure_more_never_shortens_the_wait(ages: list[int], extra: int) -> None:
    failures = [NOW - timedelta(seconds=s) for s in ages]
    before = check_backoff(failures, NOW, POLICY)
    after = check_backoff([*failures, NOW - timedelta(seconds=extra)], NOW, POLICY)
    assert after.retry_after >= before.retry_after or after.allowed is before.allowed is True
    assert not (before.allowed is False and after.allowed is True)
    for decision in (before, after):
        assert timedelta(0) <= decision.retry_after <= POLICY.cap
        if not decision.allowed:
            assert check_backoff(failures, NOW + before.retry_after, POLICY).allowed


@given(st.lists(st.integers(0, 3600), max_size=30))
def test_never_more_free_attempts_than_the_policy_allows(gaps: list[int]) -> None:
    """Whoever retries as soon as allowed gets ``free`` attempts, then waits each time."""
    at, failures = NOW, list[datetime]()
    for gap in gaps:
        at += timedelta(seconds=gap)
        if check_backoff(failures, at, POLICY).allowed:
            failures.append(at)
    in_a_minute = [t for t in failures if failures and t >= failures[-1] - timedelta(seconds=59)]
    assert len(in_a_minute) <= POLICY.free + 1


def test_most_restrictive() -> None:
    ok, short, long = (
        RateDecision(True),
        RateDecision(False, timedelta(seconds=5)),
        RateDecision(False, timedelta(minutes=5)),
    )
    assert most_restrictive([ok, short, long]) == long
    assert most_restrictive([ok, ok]) == ok
    assert most_restrictive([]) == ok
