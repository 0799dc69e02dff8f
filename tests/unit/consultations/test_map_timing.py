"""The opinion map's debounce: wait for a quiet moment, but not for ever, and never
recompute one consultation too often (consultations.rules.map_timing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultations.rules.map_timing import Debounce, Pending, due_at, is_due

T = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
S = timedelta(seconds=1)
RULE = Debounce(quiet=10 * S, max_delay=60 * S, min_interval=30 * S)


@pytest.mark.parametrize(
    ("case", "pending", "computed_at", "now", "due"),
    [
        ("nothing pending", None, T, T + 3600 * S, False),
        ("nothing pending, no map", None, None, T, False),
        ("one vote, still within the quiet time", (T, T), None, T + 9 * S, False),
        ("one vote, quiet for Q", (T, T), None, T + 10 * S, True),
        ("first map: no minimum interval", (T, T), None, T + 10 * S, True),
        ("a burst still going", (T, T + 40 * S), None, T + 45 * S, False),
        ("a burst still going, D reached", (T, T + 55 * S), None, T + 60 * S, True),
        ("quiet for Q but computed M ago not yet", (T, T), T - 10 * S, T + 15 * S, False),
        ("quiet for Q and M passed", (T, T), T - 10 * S, T + 20 * S, True),
        ("D reached but M not", (T, T + 59 * S), T + 40 * S, T + 65 * S, False),
        ("D and M both passed", (T, T + 59 * S), T + 40 * S, T + 70 * S, True),
        ("a vote dated in the future (clock skew)", (T + 5 * S, T + 5 * S), None, T, False),
    ],
)
def test_due(
    case: str,
    pending: tuple[datetime, datetime] | None,
    computed_at: datetime | None,
    now: datetime,
    due: bool,
) -> None:
    changes = Pending(*pending) if pending else None
    assert is_due(changes, computed_at, now, RULE) is due, case


def test_negative_times_are_refused() -> None:
    with pytest.raises(ValueError):
        Debounce(-S, S, S)


seconds = st.integers(min_value=0, max_value=600).map(lambda n: n * S)
moments = st.integers(min_value=-600, max_value=600).map(lambda n: T + n * S)


@st.composite
def situations(draw: st.DrawFn) -> tuple[Pending, datetime | None, Debounce]:
    first = draw(moments)
    last = first + draw(seconds)
    computed_at = draw(st.none() | moments)
    rule = Debounce(draw(seconds), draw(seconds), draw(seconds))
    return Pending(first, last), computed_at, rule


@given(situations(), moments, seconds)
def test_invariants(
    situation: tuple[Pending, datetime | None, Debounce], now: datetime, later: timedelta
) -> None:
    pending, computed_at, rule = situation
    due = due_at(pending, computed_at, rule)
    assert due is not None
    floor = computed_at + rule.min_interval if computed_at is not None else None
    # 2. never within M of the last computation
    if floor is not None and now < floor:
        assert not is_due(pending, computed_at, now, rule)
    # 3. due once quiet for Q and M has passed
    if now >= pending.last + rule.quiet and (floor is None or now >= floor):
        assert is_due(pending, computed_at, now, rule)
    # 4. due at the latest at max(first + D, computed_at + M): a stream cannot postpone it
    latest = pending.first + rule.max_delay
    assert due <= (max(latest, floor) if floor is not None else latest)
    # 5. once due, due at every later moment
    if is_due(pending, computed_at, now, rule):
        assert is_due(pending, computed_at, now + later, rule)
    # 6. never before the burst settled or D passed
    assert due >= min(pending.last + rule.quiet, pending.first + rule.max_delay)


@given(st.none() | moments, moments)
def test_nothing_pending_is_never_due(computed_at: datetime | None, now: datetime) -> None:
    # 1.
    assert due_at(None, computed_at, RULE) is None
    assert not is_due(None, computed_at, now, RULE)
