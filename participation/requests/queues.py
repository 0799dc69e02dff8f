"""What the back office lists: a unit's queue, the requests waiting to be routed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session, aliased

from participation.areas import Area
from participation.requests.membership import UnitMember, unstaffed_clause
from participation.requests.models import HandlingUnit, ResidentRequest
from participation.requests.rules.catalog import OPEN_STATUSES


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
    limit: int = 500,
    account_id: int | None = None,
) -> list[QueueRow]:
    """Open requests of the units the person (``account_id``) is a member of, or of a
    unit without members lying in an area they handle for, or (to route) unrouted
    ones whose place lies in an area they route for; oldest first. ``None``:
    everywhere (membership.py: once a unit has members, only they handle for it)."""
    unit_area = aliased(Area)
    statuses = (status,) if status in OPEN_STATUSES else OPEN_STATUSES
    query = (
        select(ResidentRequest, Area, HandlingUnit)
        .join(Area, Area.id == ResidentRequest.area_id)
        .outerjoin(HandlingUnit, HandlingUnit.id == ResidentRequest.unit_id)
        .outerjoin(unit_area, unit_area.id == HandlingUnit.area_id)
        .where(ResidentRequest.status.in_(statuses))
        .where(
            or_(
                ResidentRequest.unit_id.in_(
                    select(UnitMember.unit_id).where(UnitMember.account_id == (account_id or 0))
                ),
                unstaffed_clause() & _within(unit_area.path, handle_paths),  # type: ignore[operator]
                ResidentRequest.unit_id.is_(None) & _within(Area.path, route_paths),
            )
        )
        .order_by(ResidentRequest.id)
        .limit(limit)
    )
    return [QueueRow(r, a, u) for r, a, u in session.execute(query)]
