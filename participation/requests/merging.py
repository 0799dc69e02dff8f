"""Duplicates: a new request in the same place and category whose text is near an
open one is suggested as the same matter; routing staff merge it, and every
requester is told. The merged request closes as "merged" and its requester keeps
following the matter through the request it joined."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from participation import audit
from participation.errors import N_, DomainError
from participation.requests import records
from participation.requests.models import ResidentRequest
from participation.requests.rules.catalog import OPEN_STATUSES
from participation.requests.rules.duplicates import similar_requests
from participation.requests.rules.flow import Action

#: Open requests of one place and category compared with a new one, newest first.
MAX_CANDIDATES = 200


def suggestions(
    session: Session, request: ResidentRequest, limit: int = 5
) -> list[tuple[ResidentRequest, float]]:
    """Open requests of the same grid and category that read like this one."""
    if request.status not in OPEN_STATUSES:
        return []
    rows = session.execute(
        select(ResidentRequest.id, ResidentRequest.description)
        .where(
            ResidentRequest.area_id == request.area_id,
            ResidentRequest.category == request.category,
            ResidentRequest.status.in_(OPEN_STATUSES),
            ResidentRequest.id != request.id,
        )
        .order_by(ResidentRequest.id.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    scored = similar_requests(request.description, [(r.id, r.description) for r in rows])[:limit]
    found = {
        r.id: r
        for r in session.scalars(
            select(ResidentRequest).where(ResidentRequest.id.in_([i for i, _ in scored]))
        )
    }
    return [(found[i], float(score)) for i, score in scored if i in found]


@records.guarded
def merge(
    session: Session, request: ResidentRequest, into: ResidentRequest, now: datetime, actor_id: int
) -> None:
    """Merge ``request`` into ``into`` (both open). Requests merged earlier into
    ``request`` follow it into ``into``. Of two merges of one request at once, one wins."""
    records.require(request, Action.MERGE)
    if into.id == request.id or into.status not in OPEN_STATUSES:
        message = N_("Choose another open request to merge into.")
        raise DomainError("request.merge_target", message, fields={"into": message})
    records.close(request, "merged", now)
    # The target's version moves too: merging it away at the same moment (B into A
    # while A goes into B) is refused instead of closing both and losing the matter.
    flag_modified(into, "status")
    request.merged_into_id = into.id
    records.step(session, request, "merged", now, actor_id=actor_id, note=into.number)
    records.step(session, into, "merged_in", now, actor_id=actor_id, note=request.number)
    session.execute(
        update(ResidentRequest)
        .where(ResidentRequest.merged_into_id == request.id)
        .values(merged_into_id=into.id)
        .execution_options(synchronize_session=False)
    )
    message = N_("Request %(number)s is handled together with the same matter raised by others.")
    records.tell_requester(session, request, message, now)
    records.tell_requester(session, into, message, now)
    audit.record(
        session,
        actor_id=actor_id,
        action="request.merged",
        target=f"request:{request.id}",
        into=into.id,
    )
    records.save(session)
