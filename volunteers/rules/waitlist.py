"""What happens to a freed place: promote the first waiting person, or offer it.

Before the cut-off (default 24 h before the start) the first person on the
waitlist is confirmed at once. After it, people may have made other plans, so
the place is offered to the next person for a limited time (default 30 min);
an offer not taken passes on to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Move(StrEnum):
    PROMOTE = "promote"
    OFFER = "offer"
    NONE = "none"


@dataclass(frozen=True)
class FreedPlace:
    move: Move
    offer_expires_at: datetime | None = None


def on_freed_place(
    starts_at: datetime,
    now: datetime,
    *,
    waiting: int,
    cutoff_hours: int,
    offer_minutes: int,
) -> FreedPlace:
    """Invariant: nobody is promoted or offered once the shift has started, or
    when nobody waits; an offer never outlives the shift's start."""
    if waiting <= 0 or now >= starts_at:
        return FreedPlace(Move.NONE)
    if now < starts_at - timedelta(hours=cutoff_hours):
        return FreedPlace(Move.PROMOTE)
    expires = min(now + timedelta(minutes=offer_minutes), starts_at)
    return FreedPlace(Move.OFFER, expires)
