"""Closing (办结) and return visits (回访).

The requester confirms or rejects a proposed closure; the first rejection reopens
the request with the same unit, the next escalates it. Unanswered for
``CONFIRM_DAYS`` it closes as "not confirmed". A return visit (by phone, recorded by
staff, or online by the requester) rates it; 不满意 reopens it for a second handling
under supervision."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.errors import N_, DomainError
from participation.requests import records, routing
from participation.requests.handling import helper_ids
from participation.requests.membership import UnitMember
from participation.requests.models import RequestStep, ResidentRequest
from participation.requests.rules.catalog import CONFIRM_DAYS, RATINGS, VISIT_METHODS
from participation.requests.rules.flow import Action, RejectOutcome, after_rejection


@records.guarded
def confirm(
    session: Session, request: ResidentRequest, now: datetime, actor_id: int | None
) -> None:
    """The requester agrees it is done. Of two confirmations at once, one wins; the
    other is told it was already answered."""
    records.require(request, Action.CONFIRM)
    records.close(request, "confirmed", now)
    records.step(session, request, "confirmed", now, actor_id=actor_id)
    records.save(session)


@records.guarded
def reject(
    session: Session, request: ResidentRequest, reason: str, now: datetime, actor_id: int | None
) -> RejectOutcome:
    records.require(request, Action.REJECT)
    why = records.reason(reason)
    outcome = after_rejection(request.rejections)
    request.rejections += 1
    records.step(session, request, "rejected", now, actor_id=actor_id, note=why)
    if outcome is RejectOutcome.REOPEN:
        request.status = "accepted"
        records.step(session, request, "reopened", now, unit_id=request.unit_id)
    else:
        routing.escalate(session, request, now, actor_id, why)
    records.save(session)
    return outcome


@records.guarded
def close_unconfirmed(session: Session, now: datetime) -> int:
    """Close every proposal left unanswered for CONFIRM_DAYS; returns how many."""
    cutoff = now - timedelta(days=CONFIRM_DAYS)
    waiting = session.scalars(
        select(ResidentRequest).where(
            ResidentRequest.status == "proposed", ResidentRequest.proposed_at <= cutoff
        )
    ).all()
    for request in waiting:
        records.close(request, "not_confirmed", now)
        records.step(session, request, "unconfirmed", now)
    records.save(session)
    return len(waiting)


#: Steps by which someone acted for a unit on a request: they handled it.
HANDLING_STEPS = (
    "accepted",
    "action",
    "reply",
    "proposed",
    "returned",
    "transferred",
    "joined",
    "ext_asked",
)

NOT_INDEPENDENT = N_(
    "A return visit is made by the requester online, or by staff outside the unit that "
    "handled the request."
)


def _handled_by(session: Session, request: ResidentRequest, account_id: int) -> bool:
    """Whether the account is a member of a unit handling the request (lead or
    helper), or acted on it for a unit."""
    units = [request.unit_id, *helper_ids(session, request.id)]
    members = select(UnitMember.id).where(
        UnitMember.account_id == account_id, UnitMember.unit_id.in_([u for u in units if u])
    )
    acted = select(RequestStep.id).where(
        RequestStep.request_id == request.id,
        RequestStep.actor_id == account_id,
        RequestStep.kind.in_(HANDLING_STEPS),
    )
    return (
        session.scalar(members.limit(1)) is not None or session.scalar(acted.limit(1)) is not None
    )


def _require_independent(
    session: Session, request: ResidentRequest, method: str, actor_id: int | None
) -> None:
    """回访 is the unit's work checked by someone else: online by the requester (signed
    in, or by number and secret), by phone by staff who are not of the unit."""
    if method == "online":
        independent = actor_id is None or actor_id == request.requester_id
    else:
        independent = actor_id is not None
    if not independent or (actor_id is not None and _handled_by(session, request, actor_id)):
        raise DomainError("request.visit_own", NOT_INDEPENDENT, status=403)


@records.guarded
def visit(
    session: Session,
    request: ResidentRequest,
    rating: str,
    comment: str,
    method: str,
    now: datetime,
    actor_id: int | None,
) -> bool:
    """Record a return visit; returns True when it reopened the request."""
    records.require(request, Action.VISIT)
    if request.closure == "merged":
        raise DomainError(
            "request.visit", N_("A return visit is made once the request is closed."), status=409
        )
    problems: dict[str, str] = {}
    if rating not in RATINGS:
        problems["rating"] = N_("Choose one.")
    if method not in VISIT_METHODS:
        problems["method"] = N_("Choose one.")
    if len(comment) > 1000:
        problems["comment"] = N_("This text is too long.")
    if request.rating:
        raise DomainError(
            "request.visited",
            N_("The return visit for this handling is already recorded."),
            status=409,
        )
    if method in VISIT_METHODS:
        _require_independent(session, request, method, actor_id)
    if problems:
        raise DomainError("request.visit", N_("Please correct the marked fields."), fields=problems)
    request.rating = rating
    records.step(session, request, f"visit_{rating}", now, actor_id=actor_id, note=comment.strip())
    reopened = rating == "dissatisfied"
    if reopened:
        request.status = "accepted"
        request.supervised = True
        request.closure = ""
        request.closed_at = None
        request.rating = ""
        records.step(session, request, "supervised", now, unit_id=request.unit_id)
        audit.record(
            session, actor_id=actor_id, action="request.reopened", target=f"request:{request.id}"
        )
    records.save(session)
    return reopened
