"""Handling (处置) by the unit a request was routed to: accept, or return it with a
reason within the time to accept; transfer it (流转); handle it jointly (会办) with
helping units; keep handling records and the reply; propose closure.

Returns and transfers together are capped (``MAX_HANDOFFS``): the one past the cap
sends the request to the level above instead."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.errors import N_, DomainError
from participation.requests import files, records, routing
from participation.requests.deadlines import local_day
from participation.requests.models import HandlingUnit, RequestHelper, ResidentRequest
from participation.requests.rules.flow import Action, escalates, may_still_return

#: At most a working day of minutes per record (people type 600 for ten hours).
MAX_MINUTES = 24 * 60


def _require_unit(request: ResidentRequest, unit_id: int) -> None:
    if request.unit_id != unit_id:
        raise DomainError(
            "request.other_unit", N_("This request is with another unit."), status=409
        )


@records.guarded
def accept(
    session: Session, request: ResidentRequest, unit_id: int, now: datetime, actor_id: int
) -> None:
    """The unit takes the request on. Of two acceptances at once, one wins."""
    records.require(request, Action.ACCEPT)
    _require_unit(request, unit_id)
    request.status = "accepted"
    request.accepted_at = now
    records.step(session, request, "accepted", now, actor_id=actor_id, unit_id=unit_id)
    records.tell_requester(session, request, N_("Your request %(number)s has been accepted."), now)
    records.save(session)


def _hand_off_or_escalate(
    session: Session, request: ResidentRequest, now: datetime, actor_id: int, why: str
) -> bool:
    """Count one hand-off; past the cap escalate instead (True when it escalated)."""
    if escalates(request.handoffs):
        routing.escalate(session, request, now, actor_id, why)
        records.tell_requester(
            session, request, N_("Your request %(number)s has gone to the level above."), now
        )
        return True
    request.handoffs += 1
    return False


@records.guarded
def return_request(
    session: Session,
    request: ResidentRequest,
    unit_id: int,
    reason: str,
    now: datetime,
    actor_id: int,
) -> bool:
    """退回: back to routing staff, with a reason, within the time to accept.
    Returns True when it went to the level above instead (past the cap)."""
    records.require(request, Action.RETURN)
    _require_unit(request, unit_id)
    why = records.reason(reason)
    if not may_still_return(local_day(now), request.accept_due):
        raise DomainError(
            "request.return_late",
            N_("The time to return this request has passed: accept it, or ask to transfer it."),
            status=409,
        )
    if _hand_off_or_escalate(session, request, now, actor_id, why):
        records.save(session)
        return True
    request.status = "unrouted"
    request.unit_id = None
    records.step(session, request, "returned", now, actor_id=actor_id, unit_id=unit_id, note=why)
    audit.record(
        session, actor_id=actor_id, action="request.returned", target=f"request:{request.id}"
    )
    records.save(session)
    return False


@records.guarded
def transfer(
    session: Session,
    request: ResidentRequest,
    unit_id: int,
    to: HandlingUnit,
    reason: str,
    now: datetime,
    actor_id: int,
) -> bool:
    """流转: pass the request to another unit, with a reason (True: escalated instead)."""
    records.require(request, Action.TRANSFER)
    _require_unit(request, unit_id)
    why = records.reason(reason)
    if to.id == unit_id:
        message = N_("The request is already with this unit.")
        raise DomainError("request.same_unit", message, fields={"unit_id": message})
    if _hand_off_or_escalate(session, request, now, actor_id, why):
        records.save(session)
        return True
    routing.send_to(session, request, to, now, kind="transferred", actor_id=actor_id, note=why)
    audit.record(
        session, actor_id=actor_id, action="request.transferred", target=f"request:{request.id}"
    )
    records.save(session)
    return False


@records.guarded
def join(
    session: Session,
    request: ResidentRequest,
    unit_id: int,
    helper: HandlingUnit,
    now: datetime,
    actor_id: int,
) -> None:
    """会办: the lead unit adds a helping unit (each unit once)."""
    records.require(request, Action.JOIN)
    _require_unit(request, unit_id)
    if helper.id == unit_id or session.scalar(
        select(RequestHelper.id).where(
            RequestHelper.request_id == request.id, RequestHelper.unit_id == helper.id
        )
    ):
        message = N_("This unit already handles the request.")
        raise DomainError("request.helper_twice", message, fields={"unit_id": message})
    session.add(RequestHelper(request_id=request.id, unit_id=helper.id, added_at=now))
    records.step(session, request, "joined", now, actor_id=actor_id, unit_id=helper.id)
    records.save(session)


def helper_ids(session: Session, request_id: int) -> Sequence[int]:
    return session.scalars(
        select(RequestHelper.unit_id).where(RequestHelper.request_id == request_id)
    ).all()


@records.guarded
def record(
    session: Session,
    request: ResidentRequest,
    unit_id: int,
    now: datetime,
    actor_id: int,
    *,
    note: str,
    minutes: int,
    is_reply: bool = False,
    images: Sequence[bytes] = (),
) -> None:
    """A handling record (what was done, time spent, photos), or the reply to the
    requester. The lead unit and helping units add records; only the lead replies."""
    records.require(request, Action.RECORD)
    if request.unit_id != unit_id and (is_reply or unit_id not in helper_ids(session, request.id)):
        raise DomainError(
            "request.other_unit", N_("This request is with another unit."), status=409
        )
    text = (note or "").strip()
    problems: dict[str, str] = {}
    if not text:
        problems["note"] = N_("Describe what was done.")
    elif len(text) > 2000:
        problems["note"] = N_("This text is too long.")
    if not 0 <= minutes <= MAX_MINUTES:
        problems["minutes"] = N_("Enter the minutes spent, at most 1440.")
    if problems:
        raise DomainError(
            "request.record", N_("Please correct the marked fields."), fields=problems
        )
    checked = files.checked_images(images)
    added = records.step(
        session,
        request,
        "reply" if is_reply else "action",
        now,
        actor_id=actor_id,
        unit_id=unit_id,
        note=text,
        minutes=minutes,
    )
    if is_reply:
        request.reply = text
        records.tell_requester(
            session, request, N_("There is a reply to your request %(number)s."), now
        )
    records.save(session)
    files.store(session, request.id, checked, step_id=added.id)
    session.flush()


@records.guarded
def propose_closure(
    session: Session,
    request: ResidentRequest,
    unit_id: int,
    result: str,
    now: datetime,
    actor_id: int,
) -> None:
    """The unit says it is done, with its result; the requester confirms or rejects."""
    records.require(request, Action.PROPOSE)
    _require_unit(request, unit_id)
    text = (result or "").strip()
    if not text or len(text) > 2000:
        message = N_("Describe the result (at most 2000 characters).")
        raise DomainError("request.result", message, fields={"result": message})
    request.status = "proposed"
    request.result = text
    request.proposed_at = now
    records.step(session, request, "proposed", now, actor_id=actor_id, unit_id=unit_id, note=text)
    records.tell_requester(
        session,
        request,
        N_("Your request %(number)s is proposed for closure: please confirm or reject."),
        now,
    )
    records.save(session)
