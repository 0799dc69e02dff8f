"""Working days on the Chinese calendar, for the time limits of resident requests.

Which days are worked comes from the ``chinesecalendar`` library (import name
``chinese_calendar``): weekends, the public holidays the State Council announces each
year, and the make-up working days (调休) that turn a Saturday or Sunday into a working
day. Nothing here is a hand-written list of holidays.

The library only knows the years it was released with (the State Council publishes the
next year's arrangement around November). For a year it does not cover yet, this module
falls back to **weekends only** (Monday to Friday are working days) rather than fail:
a deadline is still computed, it may just land a few days early or late around the
holidays of that year. ``calendar_covers(year)`` tells pages when to warn about it;
upgrading the library fixes the figures.

Conventions and invariants (tested):

- ``add_working_days(start, n)`` does not count ``start``: with ``n >= 1`` the result
  is a working day strictly after ``start``, and exactly ``n`` working days lie in
  ``(start, result]``. ``add_working_days(start, 0) == start``. It grows with ``n``.
- ``working_days_between(a, b)`` counts the working days in ``(a, b]`` when ``a <= b``
  and is antisymmetric: ``working_days_between(b, a) == -working_days_between(a, b)``;
  so ``working_days_between(a, add_working_days(a, n)) == n``.
- ``deadline_at(start, n)`` is the last instant (23:59:59.999999, Asia/Shanghai) of
  ``add_working_days(local day of start, n)``: a moment is on time exactly when its
  local day is on or before the due day.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from participation.errors import N_

#: The clock the time limits are counted on.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

#: What pages say when a due date falls in a year the calendar library does not cover.
UNCOVERED_NOTE = N_(
    "The holidays of this year are not known yet: due dates in it count weekends only."
)


@cache
def _covered_years() -> range:
    """The years the installed library has holiday data for (a contiguous range): from
    its tables, or, should a release rename them, by asking it year by year."""
    try:
        years = {d.year for d in chinese_calendar.holidays} | {
            d.year for d in chinese_calendar.workdays
        }
    except (AttributeError, TypeError):
        years = set()
        for year in range(1990, 2200):
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
            except NotImplementedError:
                continue
            years.add(year)
    return range(min(years), max(years) + 1) if years else range(0)


def calendar_covers(year: int) -> bool:
    """Whether holidays and make-up working days of ``year`` are known; outside, only
    weekends are days off (see the module docstring)."""
    return year in _covered_years()


@lru_cache(maxsize=8192)
def is_working_day(d: date) -> bool:
    """Whether ``d`` is worked: a weekday that is not a public holiday, or a make-up
    working day (调休). For uncovered years: Monday to Friday."""
    if calendar_covers(d.year):
        return bool(chinese_calendar.is_workday(d))
    return d.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The due day ``days`` working days after ``start`` (``start`` itself not counted).

    ``days`` must not be negative. With ``days == 0`` the answer is ``start``, whatever
    day it is (a limit of nothing is due at once).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    d = start
    while days > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            days -= 1
    return d


def working_days_between(a: date, b: date) -> int:
    """Working days in ``(a, b]``; negative (the same count) when ``b`` is before ``a``.

    E.g. how late a request is: ``working_days_between(due, today)`` > 0 is that many
    working days overdue. Constant time in the span: weekdays are counted in closed form,
    then corrected by the library's exceptions (weekday holidays, weekend 调休 days).
    """
    return _worked_up_to(b) - _worked_up_to(a)


def _weekdays_up_to(d: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) to ``d`` inclusive."""
    n = d.toordinal()
    return n // 7 * 5 + min(n % 7, 5)


@cache
def _exceptions() -> tuple[list[date], list[int]]:
    """Covered days where the calendar differs from "Monday to Friday", sorted, with the
    running sum of their corrections (+1 a worked weekend day, -1 a weekday off)."""
    years = _covered_years()
    try:  # the library's tables: only the days it lists can differ
        listed = set(chinese_calendar.holidays) | set(chinese_calendar.workdays)
    except (AttributeError, TypeError):  # a release without them: every covered day
        listed = {date(years.start, 1, 1) + timedelta(days=i) for i in range(366 * len(years))}
    days = sorted(
        d
        for d in listed
        if d.year in years and bool(chinese_calendar.is_workday(d)) != (d.weekday() < 5)
    )
    running, total = [], 0
    for d in days:
        total += 1 if d.weekday() >= 5 else -1
        running.append(total)
    return days, running


def _worked_up_to(d: date) -> int:
    """Working days from 0001-01-01 to ``d`` inclusive (only differences matter)."""
    days, running = _exceptions()
    i = bisect_right(days, d)
    return _weekdays_up_to(d) + (running[i - 1] if i else 0)


def local_day(moment: datetime) -> date:
    """The day ``moment`` falls on in Asia/Shanghai (a naive moment is read as UTC,
    as the portal stores times)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def deadline_at(start: datetime, days: int) -> datetime:
    """The end of the due day (23:59:59.999999 Asia/Shanghai, timezone-aware) of a limit
    of ``days`` working days counted from the local day of ``start``."""
    return datetime.combine(add_working_days(local_day(start), days), time.max, LOCAL_TZ)
