"""Hours: credit for attendance, the ledger balance, and star levels.

All durations are integer minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

#: Default star thresholds in hours: 1 star at 100 h ... 5 stars at 1,500 h.
STAR_HOURS: tuple[int, ...] = (100, 300, 600, 1000, 1500)
#: Days a new star level stays in public notice before the profile shows it.
NOTICE_DAYS = 7


class Credit(StrEnum):
    CREDITED = "credited"
    TOO_SHORT = "too_short"  # attendance covers less than the required share
    PENDING = "pending"  # checked in, no check-out: a leader decides
    ABSENT = "absent"


@dataclass(frozen=True)
class CreditResult:
    outcome: Credit
    minutes: int


def overlap_minutes(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> int:
    seconds = (min(a_end, b_end) - max(a_start, b_start)).total_seconds()
    return max(0, int(seconds // 60))


def credit_for_attendance(
    shift_start: datetime,
    shift_end: datetime,
    checked_in: datetime | None,
    checked_out: datetime | None,
    coverage_percent: int = 60,
) -> CreditResult:
    """Minutes credited: the overlap of attendance with the shift, only when it
    covers at least ``coverage_percent`` of the shift.

    Invariants: 0 <= credited minutes <= the shift's length; a missing check-out
    is never credited silently (PENDING); coming early or staying late adds nothing.
    """
    if checked_in is None:
        return CreditResult(Credit.ABSENT, 0)
    if checked_out is None:
        return CreditResult(Credit.PENDING, 0)
    shift_minutes = int((shift_end - shift_start).total_seconds() // 60)
    minutes = overlap_minutes(shift_start, shift_end, checked_in, checked_out)
    if shift_minutes <= 0 or minutes * 100 < coverage_percent * shift_minutes:
        return CreditResult(Credit.TOO_SHORT, 0)
    return CreditResult(Credit.CREDITED, minutes)


@dataclass(frozen=True)
class LedgerLine:
    minutes: int
    served_on: date
    team_id: int
    area_id: int


def balance(lines: Iterable[LedgerLine]) -> int:
    """The balance is a fold over the append-only ledger: corrections are lines too."""
    total = 0
    for line in lines:
        total += line.minutes
    return total


def balances_by(lines: Iterable[LedgerLine], key: str) -> dict[object, int]:
    """Balances per ``team_id``, ``area_id`` or ``month`` ("YYYY-MM")."""
    out: dict[object, int] = {}
    for line in lines:
        k = f"{line.served_on:%Y-%m}" if key == "month" else getattr(line, key)
        out[k] = out.get(k, 0) + line.minutes
    return out


def star_level(minutes: int, thresholds_hours: Sequence[int] = STAR_HOURS) -> int:
    """0–5 stars: the number of thresholds reached (thresholds in hours, ascending)."""
    return sum(1 for hours in thresholds_hours if minutes >= hours * 60)


def settled_by(now: datetime, notice_days: int = NOTICE_DAYS) -> datetime:
    """Lines recorded by then count toward the shown star level (see below)."""
    return now - timedelta(days=notice_days)


def shown_star_level(
    history: Sequence[tuple[datetime, int]],
    now: datetime,
    thresholds_hours: Sequence[int] = STAR_HOURS,
    notice_days: int = NOTICE_DAYS,
) -> int:
    """The star level shown on a profile: the level reached by the running total
    as it stood ``notice_days`` ago, so a new level appears after its public notice.

    ``history`` is (recorded_at, minutes) ledger lines in any order.
    """
    cutoff = settled_by(now, notice_days)
    settled = sum(m for at, m in history if at <= cutoff)
    return star_level(settled, thresholds_hours)
