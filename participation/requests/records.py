"""What every request service shares: finding a request, appending a step, saving
the current state under its version, telling the requester."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import ParamSpec, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from participation import notices
from participation.errors import N_, DomainError
from participation.requests.models import RequestStep, ResidentRequest
from participation.requests.rules.flow import Action, refusal


def get_request(session: Session, request_id: int) -> ResidentRequest:
    found = session.get(ResidentRequest, request_id)
    if found is None:
        raise DomainError("request.not_found", N_("No such request."), status=404)
    return found


def require(request: ResidentRequest, action: Action) -> None:
    problem = refusal(action, request.status)
    if problem:
        raise DomainError(f"request.{action.value}", problem, status=409)


def step(
    session: Session,
    request: ResidentRequest,
    kind: str,
    now: datetime,
    *,
    actor_id: int | None = None,
    unit_id: int | None = None,
    note: str = "",
    minutes: int = 0,
) -> RequestStep:
    added = RequestStep(
        request_id=request.id,
        at=now,
        kind=kind,
        actor_id=actor_id,
        unit_id=unit_id,
        note=note,
        minutes=minutes,
    )
    session.add(added)
    return added


P = ParamSpec("P")
R = TypeVar("R")
CHANGED = N_("Someone else changed this request just now. Look at it again.")


def guarded(service: Callable[P, R]) -> Callable[P, R]:
    """A service that changes a request: when the request was changed by someone
    else since it was read (its version moved on), whichever flush notices it, the
    service is refused (409) and the caller rolls back. Of two at once, one wins."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except StaleDataError as error:
            raise DomainError("request.changed", CHANGED, status=409) from error

    return run


def save(session: Session) -> None:
    """Write the changed state. A request changed by someone else since it was read
    (its version moved on) is refused: of two people acting at once, one wins."""
    try:
        session.flush()
    except StaleDataError as error:
        raise DomainError("request.changed", CHANGED, status=409) from error


def close(request: ResidentRequest, closure: str, now: datetime) -> None:
    """The request is closed (``closure``: rules.catalog.CLOSURES). Supervision ends
    with the handling it supervised: a request reopened, escalated or overdue is
    "under supervision" until it closes, and again if a return visit reopens it."""
    request.status = "closed"
    request.closure = closure
    request.closed_at = now
    request.supervised = False


def tell_requester(session: Session, request: ResidentRequest, message: str, now: datetime) -> None:
    """A notice to the requester's account, when the request has one."""
    if request.requester_id is not None:
        notices.notify(
            session,
            request.requester_id,
            "request.step",
            message,
            link=f"/requests/mine/{request.id}",
            params={"number": request.number},
            now=now,
        )


def reason(text: str, field: str = "reason", max_length: int = 1000) -> str:
    """A reason is required and bounded."""
    text = (text or "").strip()
    if not text:
        message = N_("Give a reason.")
        raise DomainError("request.reason", message, fields={field: message})
    if len(text) > max_length:
        message = N_("This text is too long.")
        raise DomainError("request.reason", message, fields={field: message})
    return text
