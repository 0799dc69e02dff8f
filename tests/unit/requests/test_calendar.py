"""Working days on the Chinese calendar: real 2025/2026 holidays and 调休, the
weekends-only fallback for years the library does not cover, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.requests.rules.calendar import (
    LOCAL_TZ,
    add_working_days,
    calendar_covers,
    deadline_at,
    is_working_day,
    local_day,
    working_days_between,
)

D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "worked", "why"),
    [
        ("2025-01-24", True, "Friday before the Spring Festival"),
        ("2025-01-26", True, "Sunday made a working day (调休) for the Spring Festival"),
        ("2025-01-28", False, "除夕 2025"),
        ("2025-01-29", False, "Spring Festival 2025"),
        ("2025-02-04", False, "last day of the Spring Festival 2025"),
        ("2025-02-05", True, "back to work"),
        ("2025-02-08", True, "Saturday made a working day (调休)"),
        ("2025-02-09", False, "an ordinary Sunday"),
        ("2025-05-01", False, "Labour Day 2025"),
        ("2025-09-28", True, "Sunday made a working day for National Day 2025"),
        ("2025-10-01", False, "National Day 2025"),
        ("2025-10-06", False, "Mid-Autumn, in the National Day break 2025"),
        ("2025-10-08", False, "last day of the break 2025"),
        ("2025-10-09", True, "back to work"),
        ("2025-10-11", True, "Saturday made a working day for National Day 2025"),
        ("2026-01-01", False, "New Year's Day 2026"),
        ("2026-02-14", True, "Saturday made a working day for the Spring Festival 2026"),
        ("2026-02-16", False, "除夕 2026"),
        ("2026-02-23", False, "last day of the Spring Festival 2026"),
        ("2026-02-24", True, "back to work"),
        ("2026-02-28", True, "Saturday made a working day for the Spring Festival 2026"),
        ("2026-09-20", True, "Sunday made a working day for National Day 2026"),
        ("2026-10-01", False, "National Day 2026"),
        ("2026-10-07", False, "last day of the break 2026"),
        ("2026-10-08", True, "back to work"),
        ("2026-10-10", True, "Saturday made a working day for National Day 2026"),
        ("2026-12-05", False, "an ordinary Saturday"),
        ("2026-12-07", True, "an ordinary Monday"),
    ],
)
def test_working_days_of_2025_and_2026(day: str, worked: bool, why: str) -> None:
    assert is_working_day(D(day)) is worked, why


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2025-01-27", 1, "2025-02-05"),  # across the whole Spring Festival
        ("2025-01-24", 1, "2025-01-26"),  # the 调休 Sunday counts
        ("2025-02-04", 4, "2025-02-08"),  # Wed 5, Thu 6, Fri 7, then the 调休 Saturday
        ("2025-09-30", 1, "2025-10-09"),  # across National Day and Mid-Autumn
        ("2025-09-26", 1, "2025-09-28"),  # Friday -> the 调休 Sunday
        ("2025-10-09", 2, "2025-10-11"),  # Thursday -> the 调休 Saturday
        ("2026-02-13", 1, "2026-02-14"),  # Friday -> the 调休 Saturday
        ("2026-02-14", 1, "2026-02-24"),  # the 调休 Saturday -> after the festival
        ("2026-09-30", 3, "2026-10-10"),  # Oct 8, Oct 9, then the 调休 Saturday
        ("2026-12-04", 5, "2026-12-11"),  # an ordinary week
        ("2026-12-04", 0, "2026-12-04"),  # nothing to count
        ("2026-12-05", 0, "2026-12-05"),  # not moved to a working day either
    ],
)
def test_due_days(start: str, days: int, due: str) -> None:
    assert add_working_days(D(start), days) == D(due)
    if days:
        assert working_days_between(D(start), D(due)) == days


def test_due_days_across_the_end_of_the_covered_years_fall_back_to_weekends() -> None:
    last = max(y for y in range(2000, 2200) if calendar_covers(y))
    assert calendar_covers(2025) and calendar_covers(2026)
    assert not calendar_covers(last + 1) and not calendar_covers(1900)
    new_year = date(last + 1, 1, 1)
    # Past the data, 1 January is a weekday like any other: no holiday is invented.
    assert is_working_day(new_year) is (new_year.weekday() < 5)
    start = date(last, 12, 24)
    due = add_working_days(start, 10)
    assert due.year == last + 1
    assert working_days_between(start, due) == 10
    far = date(2999, 6, 4)  # a Tuesday: never crashes, however far
    assert add_working_days(far, 5) == date(2999, 6, 11)


def test_negative_limits_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        add_working_days(D("2026-12-04"), -1)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 16:00 UTC on 30 September is already 1 October in Shanghai.
        (datetime(2025, 9, 30, 16, 0, tzinfo=UTC), 1, "2025-10-09"),
        (datetime(2025, 9, 30, 15, 59, tzinfo=UTC), 1, "2025-10-09"),
        (datetime(2025, 9, 26, 15, 59, tzinfo=UTC), 1, "2025-09-28"),  # Fri local
        (datetime(2025, 9, 26, 16, 0, tzinfo=UTC), 1, "2025-09-28"),  # Sat local
        (datetime(2025, 9, 27, 16, 0, tzinfo=UTC), 1, "2025-09-29"),  # the 调休 Sunday
        (datetime(2026, 2, 13, 23, 30, tzinfo=LOCAL_TZ), 1, "2026-02-14"),
        (datetime(2026, 2, 13, 15, 30), 1, "2026-02-14"),  # naive is read as UTC
        (datetime(2026, 2, 13, 16, 30), 1, "2026-02-24"),  # ...so this is the 14th
    ],
)
def test_deadline_at_is_the_end_of_the_local_due_day(start: datetime, days: int, due: str) -> None:
    deadline = deadline_at(start, days)
    assert deadline.tzinfo is not None
    assert deadline.astimezone(LOCAL_TZ).date() == D(due)
    assert deadline.astimezone(LOCAL_TZ).time() == time.max
    assert local_day(deadline + timedelta(microseconds=1)) == D(due) + timedelta(days=1)


days_ = st.dates(min_value=date(2004, 1, 1), max_value=date(2032, 12, 31))


@given(days_, st.integers(0, 60))
def test_the_due_day_is_n_working_days_later(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    if n:
        assert due > start and is_working_day(due)
        # ...and not a day earlier: the day before holds only n - 1.
        assert working_days_between(start, due - timedelta(days=1)) == n - 1


@given(days_, st.integers(0, 40), st.integers(0, 40))
def test_due_days_grow_and_compose(start: date, m: int, n: int) -> None:
    assert add_working_days(start, m) <= add_working_days(start, m + n)
    if m:
        # From a working day, adding is associative.
        assert add_working_days(add_working_days(start, m), n) == add_working_days(start, m + n)


@given(days_, days_, days_)
def test_counting_is_antisymmetric_and_additive(a: date, b: date, c: date) -> None:
    assert working_days_between(a, b) == -working_days_between(b, a)
    assert working_days_between(a, a) == 0
    assert working_days_between(a, c) == working_days_between(a, b) + working_days_between(b, c)
    assert abs(working_days_between(a, b)) <= abs((b - a).days)


@given(
    st.datetimes(
        min_value=datetime(2004, 1, 2), max_value=datetime(2032, 12, 30), timezones=st.just(UTC)
    ),
    st.integers(0, 30),
)
def test_a_moment_is_on_time_exactly_when_its_local_day_is_not_after_the_due_day(
    start: datetime, n: int
) -> None:
    deadline = deadline_at(start, n)
    due = add_working_days(local_day(start), n)
    assert local_day(deadline) == due
    assert deadline >= start


@given(days_, st.integers(0, 400))
def test_counting_agrees_with_looking_at_each_day(a: date, span: int) -> None:
    b = a + timedelta(days=span)
    by_day = sum(is_working_day(a + timedelta(days=i)) for i in range(1, span + 1))
    assert working_days_between(a, b) == by_day


def test_coverage_is_found_by_asking_when_the_tables_are_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import chinese_calendar

    from participation.requests.rules import calendar

    expected = calendar._covered_years(), calendar._exceptions()
    calendar._covered_years.cache_clear()
    calendar._exceptions.cache_clear()
    monkeypatch.delattr(chinese_calendar, "holidays")
    try:
        assert (calendar._covered_years(), calendar._exceptions()) == expected
    finally:
        calendar._covered_years.cache_clear()
        calendar._exceptions.cache_clear()
