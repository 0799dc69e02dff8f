"""What a request can be: categories, channels, scales, statuses, and their limits.

Limits are in working days on the Chinese calendar (see ``rules.calendar``): to accept,
to reply, to resolve; urgent requests get half (at least one day).
"""

from __future__ import annotations

from dataclasses import dataclass

from participation.errors import N_

CATEGORIES: dict[str, str] = {
    "environment": N_("Environment and sanitation"),
    "property": N_("Property management"),
    "roads": N_("Roads and traffic"),
    "utilities": N_("Water, power and gas"),
    "safety": N_("Public safety"),
    "dispute": N_("Neighbour dispute"),
    "welfare": N_("Social security and welfare"),
    "market": N_("Market supervision"),
    "other": N_("Other matters"),
}

#: How the request reached the portal.
CHANNELS: dict[str, str] = {
    "online": N_("Online"),
    "patrol": N_("Grid worker patrol"),
    "assisted": N_("Filed by a grid worker for a resident"),
    "walk_in": N_("Walk-in at the desk"),
    "hotline": N_("12345 hotline"),
    "visit": N_("Found on a cadre's grid visit"),
}
DESK_CHANNELS = ("walk_in", "hotline")
GRID_CHANNELS = ("patrol", "assisted")

SCALES: dict[str, str] = {
    "individual": N_("Individual matter"),
    "group": N_("Group matter"),
}

URGENCIES: dict[str, str] = {"normal": N_("Normal"), "urgent": N_("Urgent")}

STATUSES: dict[str, str] = {
    "unrouted": N_("Waiting to be routed"),
    "routed": N_("Waiting for the unit to accept"),
    "accepted": N_("Being handled"),
    "proposed": N_("Closure proposed, waiting for the requester"),
    "closed": N_("Handled and closed"),
}
OPEN_STATUSES = ("unrouted", "routed", "accepted", "proposed")

CLOSURES: dict[str, str] = {
    "confirmed": N_("Confirmed by the requester"),
    "not_confirmed": N_("Closed without the requester's answer"),
    "merged": N_("Merged into another request"),
    "mediated": N_("Settled by a mediation agreement"),
    "referred": N_("Referred elsewhere after mediation"),
}

RATINGS: dict[str, str] = {
    "satisfied": N_("Satisfied"),
    "basic": N_("Basically satisfied"),
    "dissatisfied": N_("Dissatisfied"),
}
VISIT_METHODS: dict[str, str] = {"phone": N_("By phone"), "online": N_("Online")}

#: Unit kinds a routing rule can name.
UNIT_KINDS: dict[str, str] = {
    "department": N_("Department"),
    "street": N_("Street office of the place"),
    "community": N_("Community of the place"),
    "grid": N_("Grid of the place"),
    "mediation": N_("Mediation body"),
}
#: Kinds whose unit is the place's own area at that level (not one fixed unit).
PLACE_KINDS = ("street", "community", "grid")

#: Returns plus transfers a request may take before it escalates to the level above.
MAX_HANDOFFS = 3
#: Days (calendar) the requester has to confirm a proposed closure.
CONFIRM_DAYS = 7
#: Rejections that reopen the request; the next one escalates.
REOPENS = 1


@dataclass(frozen=True)
class Limits:
    """Working days allowed from routing: to accept (or return), to reply, to resolve."""

    accept: int
    reply: int
    resolve: int


_LIMITS: dict[str, Limits] = {
    "environment": Limits(1, 3, 7),
    "property": Limits(1, 5, 15),
    "roads": Limits(1, 5, 15),
    "utilities": Limits(1, 2, 5),
    "safety": Limits(1, 1, 3),
    "dispute": Limits(1, 5, 20),
    "welfare": Limits(1, 5, 15),
    "market": Limits(1, 5, 15),
    "other": Limits(1, 5, 15),
}


def limits_for(category: str, urgency: str) -> Limits:
    """The limits of a category; urgent ones halved, never below one working day."""
    base = _LIMITS.get(category, _LIMITS["other"])
    if urgency != "urgent":
        return base
    return Limits(1, max(1, base.reply // 2), max(1, base.resolve // 2))


#: What the requester reads for each step of the timeline.
STEPS: dict[str, str] = {
    "filed": N_("Filed"),
    "routed": N_("Routed to the unit"),
    "redirected": N_("Redirected by routing staff"),
    "accepted": N_("Accepted by the unit"),
    "returned": N_("Returned by the unit"),
    "transferred": N_("Transferred to another unit"),
    "escalated": N_("Escalated to the level above"),
    "joined": N_("A helping unit joined"),
    "action": N_("Handling record"),
    "reply": N_("Reply"),
    "proposed": N_("Closure proposed"),
    "confirmed": N_("Closure confirmed"),
    "rejected": N_("Closure rejected"),
    "reopened": N_("Reopened"),
    "unconfirmed": N_("Closed without an answer"),
    "visit_satisfied": N_("Return visit: satisfied"),
    "visit_basic": N_("Return visit: basically satisfied"),
    "visit_dissatisfied": N_("Return visit: dissatisfied"),
    "supervised": N_("Reopened under supervision"),
    "merged": N_("Merged into another request"),
    "merged_in": N_("Another request was merged into this one"),
    "med_opened": N_("Classed as a dispute: a mediation case is opened"),
    "med_mediator": N_("A mediator is assigned"),
    "med_held": N_("Mediation session held"),
    "med_planned": N_("Mediation session planned"),
    "med_agreed": N_("Mediation agreement recorded"),
    "med_ok_requester": N_("The requester confirmed the agreement"),
    "med_ok_other": N_("The other party confirmed the agreement"),
    "med_settled": N_("Settled: both parties confirmed the agreement"),
    "med_to_court": N_("Referred to the court's pre-litigation mediation"),
    "med_to_legal_aid": N_("Referred to legal aid"),
    "med_to_petition": N_("Referred to letters and visits (信访)"),
}
