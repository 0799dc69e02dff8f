"""Handling units: departments, area offices (street, community, grid) and mediation
bodies, and "the level above" a unit for escalation."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area
from participation.departments import Department
from participation.errors import N_, DomainError
from participation.requests.models import HandlingUnit
from participation.rules.areas import AreaKind


def get_unit(session: Session, unit_id: int) -> HandlingUnit:
    found = session.get(HandlingUnit, unit_id)
    if found is None:
        raise DomainError("unit.not_found", N_("No such unit."), status=404)
    return found


def office_of(session: Session, area: Area) -> HandlingUnit:
    """The office of an area as a unit (made when first needed)."""
    found = session.scalar(
        select(HandlingUnit).where(
            HandlingUnit.area_id == area.id,
            HandlingUnit.department_id.is_(None),
            HandlingUnit.kind == area.kind,
        )
    )
    if found is None:
        found = HandlingUnit(kind=area.kind, name=area.name, area_id=area.id)
        session.add(found)
        session.flush()  # the caller stores its id
    return found


def unit_of_department(session: Session, department: Department) -> HandlingUnit:
    found = session.scalar(select(HandlingUnit).where(HandlingUnit.department_id == department.id))
    if found is None:
        found = HandlingUnit(
            kind="department",
            name=department.name,
            area_id=department.area_id,
            department_id=department.id,
        )
        session.add(found)
        session.flush()  # the caller stores its id
    return found


def add_mediation_body(
    session: Session, area: Area, name: str, actor_id: int | None
) -> HandlingUnit:
    name = (name or "").strip()
    if not name or len(name) > 120:
        message = N_("Give the mediation body's name (at most 120 characters).")
        raise DomainError("unit.name", message, fields={"name": message})
    if session.scalar(
        select(HandlingUnit.id).where(HandlingUnit.kind == "mediation", HandlingUnit.name == name)
    ):
        message = N_("A mediation body with this name already exists.")
        raise DomainError("unit.name_taken", message, fields={"name": message})
    unit = HandlingUnit(kind="mediation", name=name, area_id=area.id)
    session.add(unit)
    session.flush()
    audit.record(session, actor_id=actor_id, action="request.unit_added", target=f"unit:{unit.id}")
    return unit


def units(session: Session) -> Sequence[HandlingUnit]:
    return session.scalars(
        select(HandlingUnit).order_by(HandlingUnit.kind, HandlingUnit.name)
    ).all()


def area_of(session: Session, unit: HandlingUnit) -> Area | None:
    return session.get(Area, unit.area_id) if unit.area_id else None


def level_above(session: Session, unit: HandlingUnit) -> HandlingUnit | None:
    """Where a request goes when it escalates: for an area office (or a mediation body
    of an area), the office of the parent area; for a department, the office of the
    area whose government it belongs to. None at the top of the tree."""
    area = area_of(session, unit)
    if area is None:
        return None
    if unit.kind == "department":
        return office_of(session, area)
    if unit.kind == "mediation" and area.kind != AreaKind.GRID.value:
        return office_of(session, area)
    parent = session.get(Area, area.parent_id) if area.parent_id else None
    return office_of(session, parent) if parent is not None else None


def resolve(session: Session, key: str, field: str = "unit_id") -> HandlingUnit:
    """The unit a form chose: "u:ID" (a unit), "d:ID" (a department's unit) or "a:ID"
    (an area's office); made when first chosen. Anything else is refused."""
    kind, _, raw = (key or "").partition(":")
    ident = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0
    found: HandlingUnit | None = None
    if kind == "u":
        found = session.get(HandlingUnit, ident)
    elif kind == "d":
        department = session.get(Department, ident)
        found = unit_of_department(session, department) if department else None
    elif kind == "a":
        area = session.get(Area, ident)
        found = office_of(session, area) if area and area.kind != AreaKind.CITY.value else None
    if found is None:
        message = N_("Choose the unit from the list.")
        raise DomainError("unit.unknown", message, fields={field: message})
    return found


def existing(session: Session, kind: str, ident: int) -> HandlingUnit | None:
    """The unit a routing-choice key ("u", "d" or "a" and an id) names, if it exists
    yet: creating nothing (an area's office is made when first needed, not by
    looking)."""
    if kind == "u":
        return session.get(HandlingUnit, ident)
    if kind == "d":
        return session.scalar(select(HandlingUnit).where(HandlingUnit.department_id == ident))
    if kind == "a":
        area = session.get(Area, ident)
        if area is None:
            return None
        return session.scalar(
            select(HandlingUnit).where(
                HandlingUnit.area_id == area.id,
                HandlingUnit.department_id.is_(None),
                HandlingUnit.kind == area.kind,
            )
        )
    return None
