"""What the back office lists: a unit's queue, the requests waiting to be routed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, or_, select, true
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.requests.membership import UnitMember, unstaffed_clause
from participation.requests.models import HandlingUnit, ResidentRequest
from participation.requests.rules.calendar import add_working_days
from participation.requests.rules.catalog import OPEN_STATUSES

#: A query over ``ResidentRequest`` (its rows or its ids).
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class QueueRow:
    request: ResidentRequest
    place: Area
    unit: HandlingUnit | None


def _within(column: object, paths: Sequence[str] | None) -> object:
    if paths is None:
        return true()
    return or_(False, *[column.startswith(p) for p in paths])  # type: ignore[attr-defined]


def queue(
    session: Session,
    *,
    handle_paths: Sequence[str] | None,
    route_paths: Sequence[str] | None,
    status: str | None = None,
    due: str = "",
    today: date | None = None,
    after: int = 0,
    before: int = 0,
    limit: int = 500,
    account_id: int | None = None,
) -> list[QueueRow]:
    """Open requests of the units the person (``account_id``) is a member of, or of a
    unit without members lying in an area they handle for, or (to route) unrouted ones
    whose place lies in an area they route for; oldest first. ``None``: everywhere
    (membership.py: once a unit has members, only they handle for it).

    Paged in SQL by id (keyset): ``after`` an id, the next ``limit`` rows; ``before``
    an id, the ``limit`` rows just before it (still returned oldest first). ``due``
    ("overdue" or "soon", with ``today``) keeps those the lateness rule flags so. The
    partial index ``ix_resident_requests_open_unit`` (unit_id, id) over open requests
    serves it: one statement whatever the number of requests."""
    R = ResidentRequest
    query = select(R, Area, HandlingUnit).join(Area, Area.id == R.area_id)
    query = _queue_where(
        query.outerjoin(HandlingUnit, HandlingUnit.id == R.unit_id),
        handle_paths=handle_paths,
        route_paths=route_paths,
        status=status,
        due=due,
        today=today,
        account_id=account_id,
    )
    if before:
        query = query.where(R.id < before).order_by(R.id.desc()).limit(limit)
        return [QueueRow(r, a, u) for r, a, u in session.execute(query)][::-1]
    if after:
        query = query.where(R.id > after)
    query = query.order_by(R.id).limit(limit)
    return [QueueRow(r, a, u) for r, a, u in session.execute(query)]


def _queue_where(
    query: S,
    *,
    handle_paths: Sequence[str] | None,
    route_paths: Sequence[str] | None,
    status: str | None,
    due: str,
    today: date | None,
    account_id: int | None,
) -> S:
    """``query`` (over ``ResidentRequest``) kept to the person's queue: the rule
    ``queue`` states, shared with ``queue_count``."""
    R = ResidentRequest
    statuses = (status,) if status in OPEN_STATUSES else OPEN_STATUSES
    mine = select(UnitMember.unit_id).where(UnitMember.account_id == (account_id or 0))
    units = (
        select(HandlingUnit.id)
        .join(Area, Area.id == HandlingUnit.area_id)
        .where(unstaffed_clause() & _within(Area.path, handle_paths))  # type: ignore[operator]
    )
    places = select(Area.id).where(_within(Area.path, route_paths))  # type: ignore[arg-type]
    query = query.where(R.status.in_(statuses)).where(
        or_(
            R.unit_id.in_(mine),
            R.unit_id.in_(units),
            R.unit_id.is_(None) & R.area_id.in_(places),
        )
    )
    if due in ("overdue", "soon") and today is not None:
        query = query.where(_due(due, today))
    return query


def queue_count(
    *,
    handle_paths: Sequence[str] | None,
    route_paths: Sequence[str] | None,
    status: str | None = None,
    due: str = "",
    today: date | None = None,
    account_id: int | None = None,
    cap: int,
) -> ScalarSelect[int]:
    """How many requests ``queue`` (same arguments) would list, counted up to
    ``cap``: a scalar subquery to run alone or beside other counts. It reads ids
    only (no rows are built) and stops at ``cap`` whatever the size of the queue.

    The statement is kept for the same arguments (a person's home asks the same
    each time): building it costs about a millisecond of CPU, more than running
    it. A statement holds no data, so keeping it shows nothing stale."""
    return _queue_count(
        None if handle_paths is None else tuple(handle_paths),
        None if route_paths is None else tuple(route_paths),
        status,
        due,
        today,
        account_id,
        cap,
    )


@lru_cache(maxsize=1024)
def _queue_count(
    handle_paths: tuple[str, ...] | None,
    route_paths: tuple[str, ...] | None,
    status: str | None,
    due: str,
    today: date | None,
    account_id: int | None,
    cap: int,
) -> ScalarSelect[int]:
    R = ResidentRequest
    ids = _queue_where(
        select(R.id),
        handle_paths=handle_paths,
        route_paths=route_paths,
        status=status,
        due=due,
        today=today,
        account_id=account_id,
    ).limit(cap)
    return select(func.count()).select_from(ids.subquery()).scalar_subquery()


def _due(due: str, today: date) -> ColumnElement[bool]:
    """``rules.lateness`` in SQL: the due date that counts is the time to accept while
    routed, the time to resolve while accepted; overdue past it, soon due on or before
    the next working day."""
    R = ResidentRequest
    if due == "overdue":
        return ((R.status == "routed") & (R.accept_due < today)) | (
            (R.status == "accepted") & (R.resolve_due < today)
        )
    horizon = add_working_days(today, 1)
    return ((R.status == "routed") & R.accept_due.between(today, horizon)) | (
        (R.status == "accepted") & R.resolve_due.between(today, horizon)
    )
