"""On time, soon due, overdue: counted in working days on the Chinese calendar."""

from __future__ import annotations

from datetime import date

from participation.requests.rules.lateness import Due, lateness

DUE = date(2025, 9, 30)  # the Tuesday before the 2025 National Day holiday (1–8 October)


def test_only_the_units_part_can_be_late() -> None:
    for status in ("unrouted", "proposed", "closed"):
        assert lateness(status, DUE, DUE, date(2026, 1, 1)).due is Due.NONE


def test_the_status_decides_which_due_date_counts() -> None:
    assert lateness("routed", DUE, date(2025, 12, 1), date(2025, 10, 9)).due is Due.OVERDUE
    assert lateness("accepted", DUE, date(2025, 12, 1), date(2025, 10, 9)).due is Due.ON_TIME


def test_soon_means_today_or_the_next_working_day() -> None:
    assert lateness("accepted", None, DUE, date(2025, 9, 30)).due is Due.SOON
    assert lateness("accepted", None, DUE, date(2025, 9, 29)).due is Due.SOON
    assert (
        lateness("accepted", None, DUE, date(2025, 9, 26)).due is Due.ON_TIME
    )  # Fri; 28 Sep is worked
    # Due the first working day after the holiday: soon throughout the holiday.
    assert lateness("accepted", None, date(2025, 10, 9), date(2025, 9, 30)).due is Due.SOON


def test_lateness_skips_the_holiday_and_counts_the_make_up_saturday() -> None:
    late = lateness("accepted", None, DUE, date(2025, 10, 8))
    assert late.due is Due.OVERDUE and late.working_days_late == 1  # holidays: never 0 late
    assert lateness("accepted", None, DUE, date(2025, 10, 9)).working_days_late == 1
    assert lateness("accepted", None, DUE, date(2025, 10, 11)).working_days_late == 3
