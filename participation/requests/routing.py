"""The routing table (分流) and dispatching: automatically at intake, by routing staff
with a reason, and up a level when a request escalates."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, Select, func, select, text
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area, get_area
from participation.errors import N_, DomainError
from participation.requests import records
from participation.requests.deadlines import dues, set_dues
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


def _rule_views() -> Select[RoutingRule, Area, HandlingUnit]:
    return (
        select(RoutingRule, Area, HandlingUnit)
        .join(Area, Area.id == RoutingRule.area_id)
        .outerjoin(HandlingUnit, HandlingUnit.id == RoutingRule.unit_id)
    )


def rules(session: Session, *, offset: int = 0, limit: int | None = None) -> list[RuleView]:
    """The rules by category, then area (tree order): ``limit`` of them from
    ``offset`` (None: all)."""
    query = _rule_views().order_by(RoutingRule.category, Area.path, RoutingRule.id)
    if limit is not None:
        query = query.offset(max(0, offset)).limit(limit)
    return [RuleView(r, a, u) for r, a, u in session.execute(query)]


def rule_count(session: Session) -> int:
    """How many rules the table holds."""
    return int(session.scalar(select(func.count()).select_from(RoutingRule)) or 0)


def rule_view(session: Session, rule_id: int) -> RuleView | None:
    """One rule with its area and unit (None: no such rule)."""
    row = session.execute(_rule_views().where(RoutingRule.id == rule_id)).first()
    return RuleView(row[0], row[1], row[2]) if row else None


def unit_for(session: Session, request: ResidentRequest) -> HandlingUnit | None:
    """The unit the routing table sends this request to (None: no rule fits)."""
    place = get_area(session, request.area_id)
    unit_id = unit_of_route(session, route_for(session, request.category, request.scale, place))
    return get_unit(session, unit_id) if unit_id is not None else None


# --- the routing table, remembered per process -------------------------------------------
#
# Intake routes every filing. The rules, the kinds of areas and the offices of areas
# change rarely, so each process keeps per engine: the rules by category, the kind of
# each area seen (the area chain of a place is the ids of its path) and the office
# unit found for each (area, kind). One statement checks what a filing uses against
# the database: a digest of the rules table (count, highest id, sums of its areas and
# units: a rule added or removed changes it), and the chosen area's kind and its
# office's kind, area and department. A changed digest drops everything; an area or
# office that no longer matches is looked up again. An office that does not exist yet
# is made inside the write (``unit_of_route``) and remembered once seen in the
# database.


@dataclass(frozen=True)
class Route:
    """Where a filing goes: a known unit, or the office of an area (made when first
    needed)."""

    unit_id: int | None
    office_area_id: int | None = None


@dataclass
class _Table:
    digest: tuple[object, ...]
    rules: dict[str, list[tuple[RuleRow, str, int | None]]] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)  # area id -> kind
    # (area id, kind) -> (office unit id, (its kind, area id, department id))
    offices: dict[tuple[int, str], tuple[int, tuple[object, ...]]] = field(default_factory=dict)


_tables: weakref.WeakKeyDictionary[Engine, _Table] = weakref.WeakKeyDictionary()
_tables_lock = threading.Lock()
MAX_REMEMBERED = 100_000

_CHECK = text(
    "SELECT count(r.id), max(r.id), coalesce(sum(r.area_id), 0), coalesce(sum(r.unit_id), 0),"
    " (SELECT a.kind FROM areas a WHERE a.id = :area),"
    " (SELECT u.kind FROM request_units u WHERE u.id = :unit),"
    " (SELECT u.area_id FROM request_units u WHERE u.id = :unit),"
    " (SELECT u.department_id FROM request_units u WHERE u.id = :unit)"
    " FROM request_routing_rules r"
)


def _table(engine: Engine, digest: tuple[object, ...]) -> _Table:
    table = _tables.get(engine)
    if table is None or table.digest != digest:
        table = _Table(digest)
        with _tables_lock:
            _tables[engine] = table
    return table


def _rules(session: Session, table: _Table, category: str) -> list[tuple[RuleRow, str, int | None]]:
    rules = table.rules.get(category)
    if rules is None:
        rows = session.execute(
            select(RoutingRule, Area.path)
            .join(Area, Area.id == RoutingRule.area_id)
            .where(RoutingRule.category == category)
        ).all()
        rules = table.rules[category] = [
            (RuleRow(r.id, r.category, path, r.scale), r.target_kind, r.unit_id) for r, path in rows
        ]
    return rules


def _chain(session: Session, table: _Table, place: Area) -> list[tuple[int, str]]:
    """(id, kind) of the place and its ancestors, from the top."""
    ids = [int(p) for p in place.path.strip("/").split("/")]
    missing = [i for i in ids if i not in table.kinds]
    if missing:
        if len(table.kinds) >= MAX_REMEMBERED:
            table.kinds.clear()
        for area_id, kind in session.execute(
            select(Area.id, Area.kind).where(Area.id.in_(missing))
        ):
            table.kinds[area_id] = kind
    return [(i, table.kinds[i]) for i in ids if i in table.kinds]


def route_for(session: Session, category: str, scale: str, place: Area) -> Route | None:
    """Where the routing table sends a request of ``category`` and ``scale`` filed at
    ``place`` (None: no rule fits): one statement when remembered, a few otherwise.
    Reads only; an area office still to be made is made by ``unit_of_route``."""
    engine = session.get_bind().engine
    table = _tables.get(engine)
    # What the remembered table says, checked below by the one statement.
    guess: tuple[int, str, int, tuple[object, ...]] | None = None
    if table is not None and category in table.rules:
        found = _choose(table, category, scale, place)
        if found is not None and found[1] is None:
            area_id, kind = found[0], found[2]
            office = table.offices.get((area_id, kind))
            if office is not None and table.kinds.get(area_id) == kind:
                guess = (area_id, kind, office[0], office[1])
    check = session.execute(
        _CHECK,
        {"area": guess[0] if guess else None, "unit": guess[2] if guess else None},
    ).one()
    table = _table(engine, tuple(check[:4]))
    if guess is not None and table.digest == tuple(check[:4]):
        area_id, kind, unit_id, sign = guess
        if check[4] == kind and tuple(check[5:8]) == sign:
            return Route(unit_id)
    _rules(session, table, category)
    return _resolve(session, table, category, scale, place)


def _choose(
    table: _Table, category: str, scale: str, place: Area
) -> tuple[int, int | None, str] | None:
    """From the remembered rules and area kinds: (area id of the office, None, kind)
    for a place kind, (0, unit id, "") for a rule naming its unit; None when no rule
    fits or an area kind is not known yet."""
    rules = table.rules[category]
    chosen = choose_rule(
        [row for row, _kind, _unit in rules], category=category, scale=scale, place_path=place.path
    )
    if chosen is None:
        return None
    _row, target_kind, unit_id = next(r for r in rules if r[0].id == chosen.id)
    if unit_id is not None:
        return 0, unit_id, ""
    ids = [int(p) for p in place.path.strip("/").split("/")]
    for area_id in reversed(ids):
        kind = place.kind if area_id == place.id else table.kinds.get(area_id)
        if kind is None:
            return None
        if kind == target_kind:
            return area_id, None, kind
    return None


def _resolve(
    session: Session, table: _Table, category: str, scale: str, place: Area
) -> Route | None:
    rules = table.rules[category]
    chosen = choose_rule(
        [row for row, _kind, _unit in rules], category=category, scale=scale, place_path=place.path
    )
    if chosen is None:
        return None
    _row, target_kind, unit_id = next(r for r in rules if r[0].id == chosen.id)
    if unit_id is not None:
        return Route(unit_id)
    for area_id, kind in reversed(_chain(session, table, place)):
        if kind == target_kind:
            found = session.execute(
                select(HandlingUnit.id, HandlingUnit.kind, HandlingUnit.area_id)
                .where(
                    HandlingUnit.area_id == area_id,
                    HandlingUnit.department_id.is_(None),
                    HandlingUnit.kind == kind,
                )
                .limit(1)
            ).first()
            if found is None:
                return Route(None, area_id)
            if len(table.offices) >= MAX_REMEMBERED:
                table.offices.clear()
            table.offices[(area_id, kind)] = (found.id, (found.kind, found.area_id, None))
            return Route(found.id)
    return None


def unit_of_route(session: Session, route: Route | None) -> int | None:
    """The unit id of a route: the known one, or the area's office, made now if missing."""
    if route is None:
        return None
    if route.unit_id is not None:
        return route.unit_id
    assert route.office_area_id is not None
    return office_of(session, get_area(session, route.office_area_id)).id


def placed_with(category: str, urgency: str, unit_id: int, now: datetime) -> dict[str, object]:
    """``place_with`` for a request not written yet: the columns it sets."""
    return {
        "unit_id": unit_id,
        "status": "routed",
        "routed_at": now,
        "accepted_at": None,
    } | dues(category, urgency, now)


def place_with(request: ResidentRequest, unit_id: int, now: datetime) -> None:
    """The request's state in the unit's queue, waiting to be accepted, with fresh clocks."""
    request.unit_id = unit_id
    request.status = "routed"
    request.routed_at = now
    request.accepted_at = None
    set_dues(request, now)


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
    place_with(request, unit.id, now)
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
