"""When the worker recomputes a consultation's opinion map: a debounce.

Votes arrive in bursts (a meeting, a link shared in a group chat). Computing the
map after every vote wastes a second of CPU per vote at city scale; computing it
once a day leaves it stale. The rule waits for a quiet moment, but not forever,
and never recomputes one consultation too often:

- ``quiet`` (Q): recompute once no change arrived for Q;
- ``max_delay`` (D): but at the latest D after the first change the stored map
  does not include, however steadily votes keep coming;
- ``min_interval`` (M): and never less than M after the last computation.

A "change" is a vote, or a statement hidden by a moderator, that the stored map
does not include. Pure: plain values in, a moment out; ``now`` is passed in.

Invariants (tested, table-driven and with hypothesis):

1. nothing pending: never due;
2. never due before ``computed_at + M`` (M does not apply before the first map);
3. due once Q passed since the last change and M since the last computation;
4. due at the latest at ``max(first + D, computed_at + M)``: a steady stream of
   votes cannot postpone the map for ever;
5. once due, due at every later moment (until a computation stores a new map);
6. never due before ``min(last + Q, first + D)``: no recomputation in mid-burst
   before the delay allows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Debounce:
    quiet: timedelta
    max_delay: timedelta
    min_interval: timedelta

    def __post_init__(self) -> None:
        if min(self.quiet, self.max_delay, self.min_interval) < timedelta(0):
            raise ValueError("debounce times cannot be negative")


@dataclass(frozen=True)
class Pending:
    """The changes the stored map does not include: the earliest and the latest."""

    first: datetime
    last: datetime


def due_at(
    pending: Pending | None, computed_at: datetime | None, rule: Debounce
) -> datetime | None:
    """The moment the map should be recomputed, or None when nothing is pending."""
    if pending is None:
        return None
    settled = min(pending.last + rule.quiet, pending.first + rule.max_delay)
    if computed_at is None:
        return settled
    return max(settled, computed_at + rule.min_interval)


def is_due(
    pending: Pending | None, computed_at: datetime | None, now: datetime, rule: Debounce
) -> bool:
    moment = due_at(pending, computed_at, rule)
    return moment is not None and moment <= now
