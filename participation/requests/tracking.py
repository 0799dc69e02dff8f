"""Following a request: by tracking number and secret without signing in, or as its
requester signed in. A wrong secret and an unknown number look the same."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.requests import tracking_keys
from participation.requests.models import (
    HandlingUnit,
    RequestFile,
    RequestHelper,
    RequestStep,
    ResidentRequest,
)
from participation.requests.rules.tracking import (
    KEYED,
    clean,
    secret_hash,
    secret_matches,
)

#: Compared against when the number is unknown, so both refusals take the same work.
_NOBODY = "0" * 64


def find(session: Session, number: str, secret: str) -> ResidentRequest | None:
    """The request with this number whose secret matches; None otherwise (whichever
    was wrong: the same work either way). A row stored before keys is keyed now."""
    key = tracking_keys.key()
    number = clean(number)
    found = session.scalar(select(ResidentRequest).where(ResidentRequest.number == number))
    stored, scheme = (found.secret_hash, found.secret_scheme) if found else (_NOBODY, KEYED)
    matches = secret_matches(key, number, secret, stored, scheme)
    if found is None or not matches:
        return None
    if scheme != KEYED:
        tracking_keys.rekey(session, found, secret_hash(key, number, secret))
    return found


@dataclass(frozen=True)
class StepView:
    step: RequestStep
    unit: str  # the unit's name, or ""
    files: list[int]


@dataclass(frozen=True)
class Followed:
    request: ResidentRequest
    place: Area
    unit: HandlingUnit | None
    helpers: list[HandlingUnit]
    steps: list[StepView]
    photos: list[int]  # files filed with the request
    merged_into: ResidentRequest | None
    raised_by: int  # this request and those merged into it: how many raised the matter
    earlier: bool = False  # steps older than those in ``steps`` were left out


def _steps(
    session: Session, request_id: int, target_id: int | None, last: int | None
) -> tuple[list[StepView], list[int], bool]:
    """The steps of the request, then those of the one it was merged into (all of
    them, or the newest ``last``), the photos filed with it, and whether older steps
    were left out: two statements however long the history."""
    ids = [request_id] if target_id is None else [request_id, target_id]
    theirs = case((RequestStep.request_id == request_id, 0), else_=1)
    query = (
        select(RequestStep, HandlingUnit.name)
        .outerjoin(HandlingUnit, HandlingUnit.id == RequestStep.unit_id)
        .where(RequestStep.request_id.in_(ids))
    )
    if last is None:
        rows = [(s, n) for s, n in session.execute(query.order_by(theirs, RequestStep.id))]
    else:
        newest = query.order_by(theirs.desc(), RequestStep.id.desc()).limit(last + 1)
        rows = [(s, n) for s, n in session.execute(newest)][::-1]
    earlier = last is not None and len(rows) > last
    if earlier:
        rows = rows[1:]
    shown = [s.id for s, _ in rows]
    wanted = (RequestFile.step_id.is_(None) & (RequestFile.request_id == request_id)) | (
        RequestFile.step_id.in_(shown)
    )
    by_step: dict[int, list[int]] = {}
    photos: list[int] = []
    for file_id, step_id in session.execute(
        select(RequestFile.id, RequestFile.step_id)
        .where(RequestFile.request_id.in_(ids), wanted)
        .order_by(RequestFile.id)
    ):
        if step_id is None:
            photos.append(file_id)
        else:
            by_step.setdefault(step_id, []).append(file_id)
    return [StepView(s, name or "", by_step.get(s.id, [])) for s, name in rows], photos, earlier


def followed(session: Session, request: ResidentRequest, *, last: int | None = None) -> Followed:
    """Everything the requester sees. A merged request shows the steps of the one it
    was merged into after its own, so its requester keeps following the matter.
    ``last``: only the newest ``last`` steps (the back office's page, which must not
    grow with the history); the statements are as many either way."""
    place = session.get(Area, request.area_id)
    assert place is not None
    unit = session.get(HandlingUnit, request.unit_id) if request.unit_id else None
    helpers: Sequence[HandlingUnit] = session.scalars(
        select(HandlingUnit)
        .join(RequestHelper, RequestHelper.unit_id == HandlingUnit.id)
        .where(RequestHelper.request_id == request.id)
        .order_by(RequestHelper.id)
    ).all()
    target = (
        session.get(ResidentRequest, request.merged_into_id) if request.merged_into_id else None
    )
    steps, photos, earlier = _steps(session, request.id, target.id if target else None, last)
    raised = 1 + int(
        session.scalar(select(func.count()).where(ResidentRequest.merged_into_id == request.id))
        or 0
    )
    return Followed(request, place, unit, list(helpers), steps, photos, target, raised, earlier)


def may_see_file(
    session: Session,
    request: ResidentRequest,
    stored: RequestFile,
    tracked: Sequence[int],
    account_id: int | None,
) -> bool:
    """Whether whoever follows the requests ``tracked`` (opened by number and secret in
    this browser session) or filed as ``account_id`` may see ``stored``, a file of
    ``request``: any file of a request they follow, and the handling records'
    attachments of the request theirs was merged into (their timeline shows those
    steps); never the photos another resident filed with it."""
    if request.id in tracked:
        return True
    if stored.step_id is None:
        return False
    followers = select(ResidentRequest.id).where(ResidentRequest.merged_into_id == request.id)
    if account_id is not None:
        mine_merged = followers.where(ResidentRequest.requester_id == account_id)
        if session.scalar(mine_merged.limit(1)) is not None:
            return True
    if not tracked:
        return False
    return (
        session.scalar(followers.where(ResidentRequest.id.in_(list(tracked))).limit(1)) is not None
    )


def mine(session: Session, account_id: int) -> Sequence[ResidentRequest]:
    return session.scalars(
        select(ResidentRequest)
        .where(ResidentRequest.requester_id == account_id)
        .order_by(ResidentRequest.id.desc())
    ).all()
