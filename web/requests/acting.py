"""Who may act on a request in the back office, and for which unit: asked once per
request and HTTP request (participation.requests.standing), then read by every panel
and action of the page."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request

from participation.areas import Area
from participation.requests import standing as rules
from participation.requests.models import HandlingUnit, ResidentRequest
from participation.requests.standing import Standing
from participation.rules.permissions import Permission
from web.kit.auth import CurrentUser, user
from web.kit.dbsession import db


def covers(me: CurrentUser, permission: Permission, area_path: str | None) -> bool:
    """Whether ``me`` holds ``permission`` on that area; a unit placed in no area
    (a department nobody placed yet) is covered by grants everywhere only."""
    return rules.covers(me.grants, permission, area_path)


def unit_path(session: Session, unit_id: int | None) -> tuple[bool, str | None]:
    """(exists, area path) of a unit."""
    unit = session.get(HandlingUnit, unit_id) if unit_id else None
    if unit is None:
        return False, None
    area = session.get(Area, unit.area_id) if unit.area_id else None
    return True, area.path if area else None


def acts_for(session: Session, me: CurrentUser, unit_id: int | None) -> bool:
    """Whether ``me`` handles requests for this unit (participation.requests.standing)."""
    return rules.acts_for(session, me.id, me.grants, unit_id)


def standing(request: Request, found: ResidentRequest) -> Standing:
    """Where the signed-in person stands with ``found``: asked once per HTTP request
    (an action that is refused shows the page again from the same answer, the
    session rolled back to what it was asked from)."""
    known: dict[int, Standing] | None = getattr(request.state, "request_standings", None)
    if known is None:
        known = request.state.request_standings = {}
    if found.id not in known:
        me = user(request)
        known[found.id] = rules.stand(db(request), found, me.id, me.grants)
    return known[found.id]


def require_sight(request: Request, found: ResidentRequest) -> Standing:
    """403 unless the person handles for one of its units or routes where it was filed."""
    seen = standing(request, found)
    if not seen.sees:
        raise HTTPException(403)
    return seen
