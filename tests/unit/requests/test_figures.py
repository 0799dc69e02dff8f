"""Figures of resident requests: hotspots, unit rates and the ranking (红黑榜)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.requests.rules.figures import (
    RequestRow,
    UnitRates,
    counts_by,
    counts_by_grid_category_month,
    month_of,
    previous_months,
    rank_units,
    recurring_matters,
    red_and_black,
    rising_categories,
    unit_rates,
)


def row(
    grid: int = 1,
    category: str = "environment",
    filed: str = "2026-11-10T02:00",
    **kw: object,
) -> RequestRow:
    fields: dict[str, object] = {"channel": "online", "status": "routed"} | kw
    return RequestRow(
        grid=grid,
        category=category,
        filed_at=datetime.fromisoformat(filed).replace(tzinfo=UTC),
        **fields,  # type: ignore[arg-type]
    )


def test_months_are_local_months() -> None:
    # 16:30 UTC on 30 November is already 1 December in Shanghai.
    assert month_of(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == "2026-12"
    assert month_of(datetime(2026, 11, 30, 15, 30)) == "2026-11"  # naive: UTC
    assert previous_months("2026-02", 3) == ["2026-01", "2025-12", "2025-11"]


def test_counts_by_grid_category_month() -> None:
    rows = [
        row(1, "environment", "2026-11-01T00:00"),
        row(1, "environment", "2026-11-20T00:00"),
        row(1, "environment", "2026-11-30T17:00"),  # December locally
        row(2, "roads", "2026-11-05T00:00"),
        row(1, "environment", "2026-11-06T00:00", status="closed", closure="merged"),
    ]
    assert counts_by_grid_category_month(rows) == {
        (1, "environment", "2026-11"): 2,
        (1, "environment", "2026-12"): 1,
        (2, "roads", "2026-11"): 1,
    }


def test_counts_by_any_board_field() -> None:
    rows = [
        row(channel="hotline", unit=3),
        row(channel="online", unit=None, status="unrouted"),
        row(channel="online", unit=3),
        row(channel="online", unit=3, status="closed", closure="merged"),
    ]
    assert counts_by(rows, "channel") == {("hotline",): 1, ("online",): 2}
    assert counts_by(rows, "unit", "status") == {(None, "unrouted"): 1, (3, "routed"): 2}
    with pytest.raises(ValueError):
        counts_by(rows, "requester")
    with pytest.raises(ValueError):
        counts_by(rows)


@pytest.mark.parametrize(
    ("days_ago", "at_least", "expected"),
    [
        ([1, 5, 80], 3, [(1, "environment", 3)]),
        ([1, 5, 95], 3, []),  # one is outside the 90-day window
        ([0, 89, 89], 3, [(1, "environment", 3)]),  # the window's ends count
        ([1, 5], 2, [(1, "environment", 2)]),
    ],
)
def test_recurring_matters(
    days_ago: list[int], at_least: int, expected: list[tuple[int, str, int]]
) -> None:
    today = date(2026, 12, 4)
    rows = [
        row(filed=(datetime(2026, 12, 4, 2) - timedelta(days=d)).isoformat()) for d in days_ago
    ] + [row(2, "roads", "2026-12-01T02:00")]
    found = recurring_matters(rows, today=today, at_least=at_least)
    assert [(f.grid, f.category, f.count) for f in found] == expected


def test_merged_requests_count_as_people_raising_a_recurring_matter() -> None:
    rows = [row(filed="2026-12-01T02:00", status="closed", closure="merged")] * 2 + [
        row(filed="2026-12-02T02:00")
    ]
    assert recurring_matters(rows, today=date(2026, 12, 4))[0].count == 3


@pytest.mark.parametrize(
    ("past", "now", "rising"),
    [
        ((2, 2, 2), 6, True),  # 6 > 1.5 × 2
        ((4, 4, 4), 6, False),  # 6 = 1.5 × 4: not more
        ((0, 0, 0), 5, True),  # new matter, enough of it
        ((0, 0, 0), 4, False),  # too few to call a trend
        ((6, 0, 0), 5, True),  # mean 2
    ],
)
def test_rising_categories(past: tuple[int, int, int], now: int, rising: bool) -> None:
    rows = []
    for month, count in zip(("2026-11", "2026-10", "2026-09"), past, strict=True):
        rows += [row(filed=f"{month}-10T02:00")] * count
    rows += [row(filed="2026-12-03T02:00")] * now
    rows += [row(category="roads", filed="2026-12-03T02:00")]
    found = rising_categories(rows, month="2026-12")
    assert [f.category for f in found] == (["environment"] if rising else [])
    if rising:
        mean = sum(past) / 3
        assert found[0].trailing_mean == pytest.approx(mean)
        assert found[0].ratio == (pytest.approx(now / mean) if mean else None)


def test_unit_rates() -> None:
    t = "2026-11-10T03:00"
    rows = [
        row(
            unit=7,
            accepted_at=datetime(2026, 11, 10, 5, tzinfo=UTC),
            accepted_on_time=True,
            status="closed",
            closure="confirmed",
            resolved_on_time=True,
            rating="satisfied",
        ),
        row(
            unit=7,
            accepted_at=datetime(2026, 11, 12, tzinfo=UTC),
            accepted_on_time=False,
            status="closed",
            closure="not_confirmed",
            resolved_on_time=False,
            rating="basic",
        ),
        row(
            unit=7,
            accepted_at=datetime(2026, 11, 12, tzinfo=UTC),
            accepted_on_time=True,
            status="accepted",
            rating="dissatisfied",
        ),
        row(unit=7, accepted_on_time=False),  # overdue, not accepted
        row(unit=7, status="closed", closure="merged"),  # left out
        row(unit=None, status="unrouted", filed=t),
        row(unit=8),
    ]
    rates = unit_rates(rows)
    assert list(rates) == [7, 8]
    u = rates[7]
    assert (u.received, u.accepted, u.resolved) == (4, 3, 2)
    assert u.acceptance == 3 / 4 and u.resolution == 2 / 4
    assert (u.on_time, u.deadlines) == (3, 6)
    assert u.satisfaction == 2 / 3
    assert rates[8].acceptance == 0 and rates[8].on_time_rate is None
    assert rates[8].satisfaction is None and rates[8].score == 0.0


def rates_of(
    unit: int, received: int, accepted: int, satisfied: int = 0, rated: int = 0
) -> UnitRates:
    return UnitRates(unit, received, accepted, 0, 0, 0, satisfied, rated)


def test_ranking_ties_are_broken_by_evidence_then_unit_id() -> None:
    rates = [
        rates_of(5, 10, 10),
        rates_of(3, 4, 4),  # same score, fewer requests
        rates_of(9, 10, 10),  # same score and requests, higher id
        rates_of(1, 10, 5),
        rates_of(2, 0, 0),
    ]
    ranking = rank_units(rates)
    assert [r.unit for r in ranking] == [5, 9, 3, 1]  # unit 2 received nothing
    assert [r.place for r in ranking] == [1, 2, 3, 4]
    assert [r.unit for r in rank_units(rates, min_received=5)] == [5, 9, 1]


@pytest.mark.parametrize(
    ("units", "n", "red", "black"),
    [
        (10, 3, [1, 2, 3], [10, 9, 8]),
        (4, 3, [1, 2], [4, 3]),
        (3, 3, [1, 2], [3]),
        (1, 3, [1], []),
        (0, 3, [], []),
    ],
)
def test_red_and_black_lists_never_share_a_unit(
    units: int, n: int, red: list[int], black: list[int]
) -> None:
    ranking = rank_units([rates_of(u, 10, 11 - u) for u in range(1, units + 1)])
    got_red, got_black = red_and_black(ranking, n)
    assert [r.unit for r in got_red] == red and [r.unit for r in got_black] == black


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31))
flags = st.sampled_from([None, True, False])
rows_ = st.lists(
    st.builds(
        RequestRow,
        grid=st.integers(1, 4),
        category=st.sampled_from(["environment", "roads", "property"]),
        channel=st.sampled_from(["online", "hotline"]),
        status=st.sampled_from(["unrouted", "routed", "accepted", "proposed", "closed"]),
        filed_at=moments,
        unit=st.one_of(st.none(), st.integers(1, 6)),
        accepted_at=st.one_of(st.none(), moments),
        closed_at=st.none(),
        closure=st.sampled_from(["", "confirmed", "not_confirmed", "merged"]),
        accepted_on_time=flags,
        resolved_on_time=flags,
        rating=st.sampled_from(["", "satisfied", "basic", "dissatisfied"]),
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(rows_, st.randoms(use_true_random=False))
def test_rates_ranking_and_order_independence(rows: list[RequestRow], rnd: random.Random) -> None:
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    rates = unit_rates(rows)
    for u in rates.values():
        for value in [*u.rates().values(), u.score]:
            assert value is None or 0.0 <= value <= 1.0
    ranking = rank_units(rates.values())
    assert sorted(r.unit for r in ranking) == sorted(rates)
    assert [r.place for r in ranking] == list(range(1, len(ranking) + 1))
    assert all(a.score >= b.score - 1e-6 for a, b in pairwise(ranking))

    assert unit_rates(shuffled) == rates
    assert rank_units(list(unit_rates(shuffled).values())[::-1]) == ranking
    assert counts_by_grid_category_month(shuffled) == counts_by_grid_category_month(rows)
    today = date(2026, 6, 30)
    assert recurring_matters(shuffled, today=today, window_days=400, at_least=2) == (
        recurring_matters(rows, today=today, window_days=400, at_least=2)
    )
    assert rising_categories(shuffled, month="2026-06", min_count=1) == rising_categories(
        rows, month="2026-06", min_count=1
    )
    assert sum(counts_by_grid_category_month(rows).values()) == sum(not r.merged for r in rows)
    assert counts_by(shuffled, "unit", "channel") == counts_by(rows, "unit", "channel")
