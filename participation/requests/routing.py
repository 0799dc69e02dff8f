"""The routing table (分流) and dispatching: automatically at intake, by routing staff
with a reason, and up a level when a request escalates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area, ancestors, get_area
from participation.errors import N_, DomainError
from participation.requests import records
from participation.requests.deadlines import set_dues
from participation.requests.models import HandlingUnit, ResidentRequest, RoutingRule
from participation.requests.rules.catalog import CATEGORIES, PLACE_KINDS, SCALES, UNIT_KINDS
from participation.requests.rules.flow import Action
from participation.requests.rules.routing import ANY_SCALE, RuleRow, choose_rule
from participation.requests.units import get_unit, level_above, office_of


@dataclass(frozen=True)
class NewRule:
    category: str
    area_id: int
    scale: str
    target_kind: str
    unit_id: int | None  # for departments and mediation bodies


def add_rule(session: Session, new: NewRule, actor_id: int | None) -> RoutingRule:
    problems: dict[str, str] = {}
    if new.category not in CATEGORIES:
        problems["category"] = N_("Choose one.")
    if new.scale not in (*SCALES, ANY_SCALE):
        problems["scale"] = N_("Choose one.")
    if new.target_kind not in UNIT_KINDS:
        problems["target_kind"] = N_("Choose one.")
    if session.get(Area, new.area_id) is None:
        problems["area_id"] = N_("Choose one.")
    unit = session.get(HandlingUnit, new.unit_id) if new.unit_id else None
    if new.target_kind in PLACE_KINDS:
        unit = None
    elif new.target_kind in UNIT_KINDS and (unit is None or unit.kind != new.target_kind):
        problems["unit_id"] = N_("Choose the unit of this kind.")
    if problems:
        raise DomainError("rule.form", N_("Please correct the marked fields."), fields=problems)
    rule = RoutingRule(
        category=new.category,
        area_id=new.area_id,
        scale=new.scale,
        target_kind=new.target_kind,
        unit_id=unit.id if unit else None,
        created_by=actor_id,
    )
    session.add(rule)
    session.flush()
    audit.record(session, actor_id=actor_id, action="request.rule_added", target=f"rule:{rule.id}")
    return rule


def remove_rule(session: Session, rule_id: int, actor_id: int | None) -> None:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise DomainError("rule.not_found", N_("No such routing rule."), status=404)
    session.delete(rule)
    audit.record(
        session,
        actor_id=actor_id,
        action="request.rule_removed",
        target=f"rule:{rule_id}",
        category=rule.category,
        area_id=rule.area_id,
    )


@dataclass(frozen=True)
class RuleView:
    rule: RoutingRule
    area: Area
    unit: HandlingUnit | None


def rules(session: Session) -> list[RuleView]:
    rows = session.execute(
        select(RoutingRule, Area, HandlingUnit)
        .join(Area, Area.id == RoutingRule.area_id)
        .outerjoin(HandlingUnit, HandlingUnit.id == RoutingRule.unit_id)
        .order_by(RoutingRule.category, Area.path, RoutingRule.id)
    )
    return [RuleView(r, a, u) for r, a, u in rows]


def _unit_for_rule(session: Session, rule: RoutingRule, place: Area) -> HandlingUnit | None:
    if rule.unit_id is not None:
        return get_unit(session, rule.unit_id)
    for area in reversed(ancestors(session, place)):
        if area.kind == rule.target_kind:
            return office_of(session, area)
    return None


def unit_for(session: Session, request: ResidentRequest) -> HandlingUnit | None:
    """The unit the routing table sends this request to (None: no rule fits)."""
    place = get_area(session, request.area_id)
    candidates: Sequence[tuple[RoutingRule, str]] = session.execute(
        select(RoutingRule, Area.path)
        .join(Area, Area.id == RoutingRule.area_id)
        .where(RoutingRule.category == request.category)
    ).all()
    by_id = {r.id: r for r, _ in candidates}
    chosen = choose_rule(
        [RuleRow(r.id, r.category, path, r.scale) for r, path in candidates],
        category=request.category,
        scale=request.scale,
        place_path=place.path,
    )
    return _unit_for_rule(session, by_id[chosen.id], place) if chosen else None


def send_to(
    session: Session,
    request: ResidentRequest,
    unit: HandlingUnit,
    now: datetime,
    *,
    kind: str,
    actor_id: int | None = None,
    note: str = "",
) -> None:
    """Put the request in ``unit``'s queue, waiting to be accepted, with fresh clocks."""
    request.unit_id = unit.id
    request.status = "routed"
    request.routed_at = now
    request.accepted_at = None
    set_dues(request, now)
    records.step(session, request, kind, now, actor_id=actor_id, unit_id=unit.id, note=note)


def dispatch(session: Session, request: ResidentRequest, now: datetime) -> HandlingUnit | None:
    """Automatic routing at intake; without a fitting rule it waits for routing staff."""
    unit = unit_for(session, request)
    if unit is not None:
        send_to(session, request, unit, now, kind="routed")
    return unit


@records.guarded
def redirect(
    session: Session,
    request: ResidentRequest,
    unit: HandlingUnit,
    reason: str,
    now: datetime,
    actor_id: int,
) -> None:
    """Routing staff send the request to another unit, with a reason."""
    records.require(request, Action.ROUTE)
    why = records.reason(reason)
    if unit.id == request.unit_id and request.status != "unrouted":
        message = N_("The request is already with this unit.")
        raise DomainError("request.same_unit", message, fields={"unit_id": message})
    send_to(session, request, unit, now, kind="redirected", actor_id=actor_id, note=why)
    audit.record(
        session,
        actor_id=actor_id,
        action="request.redirected",
        target=f"request:{request.id}",
        unit_id=unit.id,
    )
    records.save(session)


def escalate(
    session: Session, request: ResidentRequest, now: datetime, actor_id: int | None, note: str
) -> HandlingUnit | None:
    """Send the request to the level above its current unit (or to routing staff at the top)."""
    current = get_unit(session, request.unit_id) if request.unit_id else None
    above = level_above(session, current) if current else None
    request.escalations += 1
    request.supervised = True
    if above is None:
        request.status = "unrouted"
        request.unit_id = None
        records.step(session, request, "escalated", now, actor_id=actor_id, note=note)
        return None
    send_to(session, request, above, now, kind="escalated", actor_id=actor_id, note=note)
    return above
