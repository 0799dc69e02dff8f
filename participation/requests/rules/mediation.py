"""Mediation (矛盾纠纷调解) as pure decisions: what may happen next in a case, and who
may do it.

A request classed as a dispute (its category is one, or staff class it) becomes a
case with a mediation body. The case is ``open`` while the mediator holds sessions;
recording an agreement makes it ``agreement`` (waiting for both parties to confirm,
each separately: signed in, or at the desk recorded by the mediator); the second
confirmation makes it ``settled``. A referral (诉前调解, 法律援助, 信访) ends it as
``referred``. Settled and referred cases close their request.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from participation.errors import N_

#: Categories that are disputes by themselves; other requests are classed by staff.
DISPUTE_CATEGORIES = ("dispute",)

STATUSES: dict[str, str] = {
    "open": N_("Being mediated"),
    "agreement": N_("Agreement waiting for both parties"),
    "settled": N_("Settled by agreement"),
    "referred": N_("Referred elsewhere"),
}
CLOSED = ("settled", "referred")

PARTIES: dict[str, str] = {"requester": N_("Requester"), "other": N_("Other party")}

#: How a party confirmed the agreement: online (signed in) or at the desk.
WAYS: dict[str, str] = {
    "online": N_("Signed in, online"),
    "signature": N_("Signed the paper agreement at the desk"),
    "fingerprint": N_("Fingerprint on the paper agreement at the desk"),
    "in_person": N_("Confirmed in person at the desk"),
}
DESK_WAYS = ("signature", "fingerprint", "in_person")

REFERRALS: dict[str, str] = {
    "court": N_("Court pre-litigation mediation (诉前调解)"),
    "legal_aid": N_("Legal aid (法律援助)"),
    "petition": N_("Letters and visits (信访)"),
}


class Act(StrEnum):
    OPEN = "open"  # class the request as a dispute and open the case
    ASSIGN = "assign"  # name (or change) the mediator
    SESSION = "session"  # record a session, held or planned
    AGREE = "agree"  # record the agreement text
    CONFIRM_ONLINE = "confirm_online"  # a party confirms, signed in
    CONFIRM_DESK = "confirm_desk"  # the mediator records a party's confirmation
    REFER = "refer"


class Who(StrEnum):
    ROUTER = "router"  # routing staff of the request's place
    LEAD = "lead"  # staff of the unit the request is with
    BODY = "body"  # staff of the case's mediation body
    MEDIATOR = "mediator"  # the case's mediator
    PARTY = "party"  # a party, signed in, for themself


#: In which case status each act may happen (OPEN: before there is a case, "").
WHEN: dict[Act, tuple[str, ...]] = {
    Act.OPEN: ("",),
    Act.ASSIGN: ("open", "agreement"),
    Act.SESSION: ("open",),
    Act.AGREE: ("open",),
    Act.CONFIRM_ONLINE: ("agreement",),
    Act.CONFIRM_DESK: ("agreement",),
    Act.REFER: ("open", "agreement"),
}

#: Who may do each act.
WHO: dict[Act, frozenset[Who]] = {
    Act.OPEN: frozenset({Who.ROUTER, Who.LEAD, Who.BODY}),
    Act.ASSIGN: frozenset({Who.BODY}),
    Act.SESSION: frozenset({Who.MEDIATOR}),
    Act.AGREE: frozenset({Who.MEDIATOR}),
    Act.CONFIRM_ONLINE: frozenset({Who.PARTY}),
    Act.CONFIRM_DESK: frozenset({Who.MEDIATOR}),
    Act.REFER: frozenset({Who.MEDIATOR}),
}

_NOT_NOW: dict[Act, str] = {
    Act.OPEN: N_("This request already has a mediation case."),
    Act.ASSIGN: N_("The mediation case is over."),
    Act.SESSION: N_("Sessions are recorded while the case is being mediated."),
    Act.AGREE: N_("An agreement is recorded once, while the case is being mediated."),
    Act.CONFIRM_ONLINE: N_(
        "There is no agreement waiting for confirmation (it may have just been confirmed)."
    ),
    Act.CONFIRM_DESK: N_(
        "There is no agreement waiting for confirmation (it may have just been confirmed)."
    ),
    Act.REFER: N_("The mediation case is over."),
}
NOT_ALLOWED = N_("Only the case's mediator or its mediation body can do that.")


def refusal(act: Act, case_status: str, who: frozenset[Who]) -> str | None:
    """Why ``act`` cannot happen now by someone acting as ``who`` (None when it can)."""
    if not who & WHO[act]:
        return NOT_ALLOWED
    if case_status not in WHEN[act]:
        return _NOT_NOW[act]
    return None


def next_acts(case_status: str, who: frozenset[Who]) -> list[Act]:
    """What someone acting as ``who`` may do next in a case of ``case_status``."""
    return [a for a in Act if refusal(a, case_status, who) is None]


def needs_classing(category: str) -> bool:
    """A request outside the dispute categories is classed as a dispute by staff, with
    a reason."""
    return category not in DISPUTE_CATEGORIES


def session_problem(held: bool, on: date, today: date) -> str | None:
    """A session recorded as held happened today or before; a planned one is ahead."""
    if held and on > today:
        return N_("A session in the future cannot be recorded as held.")
    if not held and on < today:
        return N_("A planned session is on a day still ahead.")
    return None


def settled_by(confirmed: dict[str, bool]) -> bool:
    """The agreement holds once every party has confirmed it."""
    return all(confirmed.get(p, False) for p in PARTIES)
