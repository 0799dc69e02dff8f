"""Who may act on a request in the back office, and for which unit."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from participation.areas import Area
from participation.requests import membership
from participation.requests.handling import helper_ids
from participation.requests.models import HandlingUnit, ResidentRequest
from participation.rules.permissions import ROLE_PERMISSIONS, Permission
from web.kit.auth import CurrentUser


def covers(me: CurrentUser, permission: Permission, area_path: str | None) -> bool:
    """Whether ``me`` holds ``permission`` on that area; a unit placed in no area
    (a department nobody placed yet) is covered by grants everywhere only."""
    if area_path is not None:
        return me.can(permission, area_path)
    return any(permission in ROLE_PERMISSIONS[g.role] and g.area_path is None for g in me.grants)


def unit_path(session: Session, unit_id: int | None) -> tuple[bool, str | None]:
    """(exists, area path) of a unit."""
    unit = session.get(HandlingUnit, unit_id) if unit_id else None
    if unit is None:
        return False, None
    area = session.get(Area, unit.area_id) if unit.area_id else None
    return True, area.path if area else None


def acts_for(session: Session, me: CurrentUser, unit_id: int | None) -> bool:
    """Whether ``me`` handles requests for this unit: as one of its members once it
    has any (participation.requests.membership), else by a handling grant over its
    area, as before units had members."""
    exists, path = unit_path(session, unit_id)
    if not exists or unit_id is None:
        return False
    if not any(Permission.HANDLE_REQUESTS in ROLE_PERMISSIONS[g.role] for g in me.grants):
        return False
    if membership.staffed(session, unit_id):
        return membership.is_member(session, unit_id, me.id)
    return covers(me, Permission.HANDLE_REQUESTS, path)


def lead_unit(session: Session, me: CurrentUser, request: ResidentRequest) -> int | None:
    """The request's unit, when ``me`` handles for it."""
    return request.unit_id if acts_for(session, me, request.unit_id) else None


def acting_unit(session: Session, me: CurrentUser, request: ResidentRequest) -> int | None:
    """The unit ``me`` acts for on this request: the lead unit first, else a helper."""
    lead = lead_unit(session, me, request)
    if lead is not None:
        return lead
    for unit_id in helper_ids(session, request.id):
        if acts_for(session, me, unit_id):
            return unit_id
    return None


def routes_for(session: Session, me: CurrentUser, request: ResidentRequest) -> bool:
    place = session.get(Area, request.area_id)
    return place is not None and me.can(Permission.ROUTE_REQUESTS, place.path)


def require_sight(session: Session, me: CurrentUser, request: ResidentRequest) -> None:
    """403 unless ``me`` handles for one of its units or routes where it was filed."""
    if acting_unit(session, me, request) is None and not routes_for(session, me, request):
        raise HTTPException(403)
