"""The escalation ladder of supervision notices (督办单), as pure decisions.

A request soon due gets a reminder to its handling unit. Once overdue, a supervision
notice goes to the unit; as lateness grows (in working days) the notice climbs the
area tree, one level at a time (community → street → district), each level told once.
``levels`` is how many units the ladder has for this request: the handling unit and
those above it, up to the district (a city office is not a handling unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from participation.errors import N_
from participation.requests.rules.lateness import Due


class Kind(StrEnum):
    SOON = "soon"  # a reminder before the due date
    OVERDUE = "overdue"  # a supervision notice


#: Working days late from which level n of the ladder is told (0: the handling unit).
ESCALATION_DAYS: tuple[int, ...] = (1, 3, 5, 8)

#: The area kinds the ladder stops at: nothing climbs above a district.
TOP_KINDS = ("district",)


@dataclass(frozen=True)
class Rung:
    level: int
    kind: Kind


def rungs(due: Due, working_days_late: int, levels: int) -> list[Rung]:
    """Every notice this lateness calls for (cumulative: a request found five days
    late tells each level up to the one for five days at once)."""
    if due is Due.SOON:
        return [Rung(0, Kind.SOON)] if levels > 0 else []
    if due is not Due.OVERDUE:
        return []
    return [
        Rung(level, Kind.OVERDUE)
        for level, days in enumerate(ESCALATION_DAYS[:levels])
        if working_days_late >= days
    ]


def stage_of(status: str) -> str | None:
    """Which clock a lateness is measured on: to accept (routed), or to resolve."""
    return {"routed": "accept", "accepted": "resolve"}.get(status)


#: Labels of the steps the requester sees.
STEPS: dict[str, str] = {
    "due_reminder": N_("Due date reminder sent to the unit"),
    "supervision": N_("Supervision notice sent to the unit"),
    "supervision_up": N_("Supervision raised to the level above"),
    "ext_asked": N_("Extension asked for"),
    "ext_granted": N_("Extension granted"),
    "ext_refused": N_("Extension refused"),
    "deputy_note": N_("Supervision note from a deputy"),
}


#: Extensions (延期) a request may have, whatever the answer.
EXTENSIONS_PER_REQUEST = 1


def extension_cap(resolve_limit: int) -> int:
    """At most the time the category gives to resolve: an extension can double it."""
    return max(1, resolve_limit)
