"""The life of a request as pure decisions: what may happen in which status, when a
hand-off escalates, what a rejection does.

Statuses: unrouted → routed → accepted → proposed → closed. A return (退回) sends a
routed request back to be routed again; a transfer (流转) passes it to another unit;
past ``MAX_HANDOFFS`` of those together, it goes to the level above instead.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from participation.errors import N_
from participation.requests.rules.catalog import MAX_HANDOFFS, REOPENS


class Action(StrEnum):
    ROUTE = "route"  # routing staff send it to a unit (or redirect it)
    ACCEPT = "accept"
    RETURN = "return"
    TRANSFER = "transfer"
    JOIN = "join"  # add a helping unit (会办)
    RECORD = "record"  # a handling record or the reply
    PROPOSE = "propose"  # propose closure
    CONFIRM = "confirm"
    REJECT = "reject"
    VISIT = "visit"
    MERGE = "merge"


ALLOWED: dict[Action, tuple[str, ...]] = {
    Action.ROUTE: ("unrouted", "routed", "accepted"),
    Action.ACCEPT: ("routed",),
    Action.RETURN: ("routed",),
    Action.TRANSFER: ("routed", "accepted"),
    Action.JOIN: ("accepted",),
    Action.RECORD: ("accepted",),
    Action.PROPOSE: ("accepted",),
    Action.CONFIRM: ("proposed",),
    Action.REJECT: ("proposed",),
    Action.VISIT: ("closed",),
    Action.MERGE: ("unrouted", "routed", "accepted"),
}

REFUSALS: dict[Action, str] = {
    Action.ROUTE: N_("This request can no longer be routed."),
    Action.ACCEPT: N_(
        "This request is not waiting to be accepted (someone may have just accepted it)."
    ),
    Action.RETURN: N_("Only a request waiting to be accepted can be returned."),
    Action.TRANSFER: N_("This request can no longer be transferred."),
    Action.JOIN: N_("Helping units join a request once it is accepted."),
    Action.RECORD: N_("Handling records are added while the request is being handled."),
    Action.PROPOSE: N_("Only a request being handled can be proposed for closure."),
    Action.CONFIRM: N_("There is no proposed closure to answer (it may have just been answered)."),
    Action.REJECT: N_("There is no proposed closure to answer (it may have just been answered)."),
    Action.VISIT: N_("A return visit is made once the request is closed."),
    Action.MERGE: N_("Only open requests can be merged."),
}


def refusal(action: Action, status: str) -> str | None:
    """Why ``action`` cannot happen in ``status`` (None when it can)."""
    return None if status in ALLOWED[action] else REFUSALS[action]


def escalates(handoffs_so_far: int) -> bool:
    """Whether one more return or transfer goes past the cap (then: the level above)."""
    return handoffs_so_far + 1 > MAX_HANDOFFS


def may_still_return(today: date, accept_due: date | None) -> bool:
    """A unit returns a request within the time to accept it (inclusive)."""
    return accept_due is None or today <= accept_due


class RejectOutcome(StrEnum):
    REOPEN = "reopen"  # back to the same unit
    ESCALATE = "escalate"  # to the level above


def after_rejection(rejections_so_far: int) -> RejectOutcome:
    """The first rejection reopens the request; the next ones escalate it."""
    return RejectOutcome.REOPEN if rejections_so_far < REOPENS else RejectOutcome.ESCALATE


def reopens_after_visit(rating: str) -> bool:
    """不满意 reopens the request for a second handling under supervision."""
    return rating == "dissatisfied"
