"""When to tell volunteers about their shifts.

A reminder goes out once the shift is within the person's chosen lead time; a
notice goes out when a shift moves by more than ``MOVE_NOTICE_MINUTES`` or is
cancelled. Small adjustments are not worth an email.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MOVE_NOTICE_MINUTES = 5


def reminder_due(starts_at: datetime, lead_minutes: int, now: datetime) -> bool:
    """Invariant: never after the start; never earlier than the lead time."""
    return starts_at - timedelta(minutes=lead_minutes) <= now < starts_at


def move_needs_notice(
    old_start: datetime, old_end: datetime, new_start: datetime, new_end: datetime
) -> bool:
    limit = timedelta(minutes=MOVE_NOTICE_MINUTES)
    return abs(new_start - old_start) > limit or abs(new_end - old_end) > limit
