"""Where one person stands with one request in the back office: for which unit they
act (the lead unit, else a helping one), whether they route where it was filed, stand
to its mediation case as the body's staff or its mediator, and decide its extension
(the level above its unit). Asked once per request and page, in two statements
whatever the number of helping units, and passed to every panel and action.

The rule for one unit (``acts_for``), as ``participation.requests.membership`` says:
a unit with members is acted for by its members only; a unit nobody was made a member
of yet, by whoever holds a handling grant over its area; a unit placed in no area, by
grants everywhere only. Nobody without a handling grant acts for any unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, exists, or_, select
from sqlalchemy.orm import Session, aliased

from participation.areas import Area
from participation.requests.mediation import MediationCase
from participation.requests.membership import UnitMember
from participation.requests.models import HandlingUnit, RequestHelper, ResidentRequest
from participation.requests.rules.mediation import Who
from participation.rules.areas import AreaKind
from participation.rules.permissions import ROLE_PERMISSIONS, Decision, Grant, Permission, allows


@dataclass(frozen=True)
class Standing:
    """What the viewer may do with one request (plain values: no session needed)."""

    lead: int | None  # the request's unit, when the viewer acts for it
    acting: int | None  # the unit the viewer acts for: the lead first, else a helper
    router: bool  # routes requests where it was filed
    body: bool  # staff of its mediation case's body
    mediator: bool  # its mediation case's mediator
    decides: bool  # handles at the level above its unit: decides its extension

    @property
    def sees(self) -> bool:
        """Whether the back office shows the request to the viewer at all."""
        return self.acting is not None or self.router

    @property
    def roles(self) -> frozenset[Who]:
        """How the viewer stands to the request's mediation."""
        named = (
            (Who.ROUTER, self.router),
            (Who.LEAD, self.lead is not None),
            (Who.BODY, self.body),
            (Who.MEDIATOR, self.mediator),
        )
        return frozenset(who for who, holds in named if holds)


NOBODY = Standing(None, None, False, False, False, False)


def covers(grants: Sequence[Grant], permission: Permission, area_path: str | None) -> bool:
    """Whether the grants hold ``permission`` on that area; a unit placed in no area
    (a department nobody placed yet) is covered by grants everywhere only."""
    if area_path is not None:
        return allows(True, grants, permission, area_path) is Decision.ALLOW
    return any(permission in ROLE_PERMISSIONS[g.role] and g.area_path is None for g in grants)


def _handles(grants: Sequence[Grant]) -> bool:
    return any(Permission.HANDLE_REQUESTS in ROLE_PERMISSIONS[g.role] for g in grants)


def _acts(grants: Sequence[Grant], staffed: bool, member: bool, path: str | None) -> bool:
    """The rule for one existing unit (see the module's docstring)."""
    if not _handles(grants):
        return False
    if staffed:
        return member
    return covers(grants, Permission.HANDLE_REQUESTS, path)


def _unit_rows(
    session: Session, account_id: int, where: ColumnElement[bool], request_id: int = 0
) -> list[Row[Any]]:
    """Units matching ``where`` in id order, each with its area (kind, path, parent),
    the parent area's kind and path, whether it has members and the account is one,
    and, for ``request_id``: its joint-handling order (None: no helper) and whether
    it is the body of the request's mediation case."""
    place, parent = aliased(Area), aliased(Area)
    staffed = exists().where(UnitMember.unit_id == HandlingUnit.id)
    member = exists().where(
        UnitMember.unit_id == HandlingUnit.id, UnitMember.account_id == account_id
    )
    body = exists().where(
        MediationCase.request_id == request_id, MediationCase.unit_id == HandlingUnit.id
    )
    mediator = select(MediationCase.mediator_id).where(MediationCase.request_id == request_id)
    query = (
        select(
            HandlingUnit.id,
            HandlingUnit.kind,
            HandlingUnit.area_id,
            HandlingUnit.department_id,
            place.kind.label("area_kind"),
            place.path.label("path"),
            place.parent_id,
            parent.kind.label("parent_kind"),
            parent.path.label("parent_path"),
            staffed.label("staffed"),
            member.label("member"),
            RequestHelper.id.label("helper_order"),
            body.label("body"),
            mediator.scalar_subquery().label("mediator_id"),
        )
        .outerjoin(place, place.id == HandlingUnit.area_id)
        .outerjoin(parent, parent.id == place.parent_id)
        .outerjoin(
            RequestHelper,
            (RequestHelper.unit_id == HandlingUnit.id) & (RequestHelper.request_id == request_id),
        )
        .where(where)
        .order_by(HandlingUnit.id)
    )
    return list(session.execute(query))


def acts_for(
    session: Session, account_id: int, grants: Sequence[Grant], unit_id: int | None
) -> bool:
    """Whether the account handles requests for this unit (one statement)."""
    if not unit_id or not _handles(grants):
        return False
    rows = _unit_rows(session, account_id, HandlingUnit.id == unit_id)
    return bool(rows) and _acts(grants, bool(rows[0].staffed), bool(rows[0].member), rows[0].path)


def _above(lead: Row[Any], rows: Sequence[Row[Any]]) -> tuple[bool, bool, str | None] | None:
    """(staffed, member, path) of the level above the lead unit, as
    ``participation.requests.units.level_above`` finds it, without making its office
    when it has none yet (then nobody is a member: its area's grants decide); None at
    the top of the tree or for a unit placed nowhere."""
    if lead.area_id is None or lead.path is None:
        return None
    in_own_area = lead.kind == "department" or (
        lead.kind == "mediation" and lead.area_kind != AreaKind.GRID.value
    )
    if in_own_area:
        area_id, kind, path = lead.area_id, lead.area_kind, lead.path
    elif lead.parent_id is not None and lead.parent_path is not None:
        area_id, kind, path = lead.parent_id, lead.parent_kind, lead.parent_path
    else:
        return None
    for row in rows:  # in id order: the office office_of finds first
        if row.area_id == area_id and row.department_id is None and row.kind == kind:
            return bool(row.staffed), bool(row.member), row.path
    return False, False, path


def stand(
    session: Session, request: ResidentRequest, account_id: int, grants: Sequence[Grant]
) -> Standing:
    """Where the account stands with ``request``, in two statements however many
    units help with it: the place's area (kept in the session for the page), and
    every unit that matters (the lead, the helpers, the mediation body, the offices
    of the level above) with what decides who acts for it."""
    place = session.get(Area, request.area_id)
    router = place is not None and covers(grants, Permission.ROUTE_REQUESTS, place.path)
    lead_area = select(HandlingUnit.area_id).where(HandlingUnit.id == (request.unit_id or 0))
    parent_area = select(Area.parent_id).where(Area.id.in_(lead_area))
    own_area_kind = select(Area.kind).where(Area.id == HandlingUnit.area_id).scalar_subquery()
    case_body = select(MediationCase.unit_id).where(MediationCase.request_id == request.id)
    rows = _unit_rows(
        session,
        account_id,
        or_(
            HandlingUnit.id == (request.unit_id or 0),
            RequestHelper.id.is_not(None),
            HandlingUnit.id.in_(case_body),
            HandlingUnit.department_id.is_(None)
            & HandlingUnit.area_id.in_(lead_area.union(parent_area))
            & (HandlingUnit.kind == own_area_kind),
        ),
        request.id,
    )

    def acts(row: Row[Any]) -> bool:
        return _acts(grants, bool(row.staffed), bool(row.member), row.path)

    lead_row = next((r for r in rows if r.id == request.unit_id), None)
    lead = request.unit_id if lead_row is not None and acts(lead_row) else None
    helpers = sorted((r for r in rows if r.helper_order is not None), key=lambda r: r.helper_order)
    acting = lead if lead is not None else next((r.id for r in helpers if acts(r)), None)
    above = _above(lead_row, rows) if lead_row is not None else None
    if above is None:  # no unit, or the top of the tree: grants everywhere decide
        decides = covers(grants, Permission.HANDLE_REQUESTS, None)
    else:
        decides = _acts(grants, *above)
    return Standing(
        lead=lead,
        acting=acting,
        router=router,
        body=any(r.body and acts(r) for r in rows),
        mediator=any(r.mediator_id is not None and r.mediator_id == account_id for r in rows),
        decides=decides,
    )
