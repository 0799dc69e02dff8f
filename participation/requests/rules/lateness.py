"""Whether an open request is on time, soon due or overdue (pure).

The due date that counts depends on the status: a request waiting to be accepted is
measured against the time to accept; one being handled against the time to resolve.
A request waiting to be routed, waiting for the requester's answer or closed is not
the unit's to be late with. Lateness is counted in working days, so a request due on
the Friday before a holiday week is one working day late on the Monday after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from participation.requests.rules.calendar import add_working_days, working_days_between


class Due(StrEnum):
    NONE = "none"  # nothing due from the unit now
    ON_TIME = "on_time"
    SOON = "soon"  # due today or on the next working day
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Lateness:
    due: Due
    on: date | None  # the due date that counts
    working_days_late: int = 0


def lateness(
    status: str, accept_due: date | None, resolve_due: date | None, today: date
) -> Lateness:
    if status == "routed":
        on = accept_due
    elif status == "accepted":
        on = resolve_due
    else:
        return Lateness(Due.NONE, None)
    if on is None:
        return Lateness(Due.NONE, None)
    if today > on:
        return Lateness(Due.OVERDUE, on, max(1, working_days_between(on, today)))
    if on <= add_working_days(today, 1):
        return Lateness(Due.SOON, on)
    return Lateness(Due.ON_TIME, on)
