"""Choosing where a request is: a flat list for a small scope, a cascade district →
street → community → grid for a city (Foshan has 5,069 grids: one <select> of them all
is neither usable on a phone nor cheap to render on every filing).

``choose`` answers one step of the cascade from the area chosen so far: the chain
above it (to go back up), the next level to narrow to, and, once a community is
reached, the places a request may be filed in (the community and its grids). It reads
a bounded number of rows whatever the size of the tree: the children of one area.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session, aliased

from participation.areas import Area
from participation.departments import all_departments
from participation.requests import units
from participation.requests.models import HandlingUnit
from participation.rules.areas import AreaKind

#: Up to this many communities and grids in scope, one <select> of them all.
FLAT_LIMIT = 60
PLACE_KINDS = (AreaKind.COMMUNITY.value, AreaKind.GRID.value)


@dataclass(frozen=True)
class PlaceChoice:
    flat: bool
    chain: list[Area] = field(default_factory=list)  # from the top down to the chosen one
    options: list[Area] = field(default_factory=list)  # the next level to narrow to
    places: list[tuple[int, str]] = field(default_factory=list)  # where one may file
    chosen: int | None = None  # the place chosen, when it is one


def _within(column: object, paths: Sequence[str] | None) -> object:
    if paths is None:
        return true()
    return or_(False, *[column.startswith(p) for p in paths])  # type: ignore[attr-defined]


def _visible(area: Area, within: Sequence[str] | None) -> bool:
    """In scope, or above an area in scope (a step on the way down to it)."""
    return within is None or any(area.path.startswith(p) or p.startswith(area.path) for p in within)


def _in_scope(area: Area, within: Sequence[str] | None) -> bool:
    return within is None or any(area.path.startswith(p) for p in within)


def flat_places(session: Session, within: Sequence[str] | None) -> list[tuple[int, str]]:
    """Communities and grids in scope as (id, "community · grid"), in tree order."""
    parent = aliased(Area)
    rows = session.execute(
        select(Area.id, Area.name, Area.kind, parent.name)
        .outerjoin(parent, parent.id == Area.parent_id)
        .where(Area.kind.in_(PLACE_KINDS), _within(Area.path, within))  # type: ignore[arg-type]
        .order_by(Area.path)
    ).all()
    return [
        (int(i), f"{p} · {n}" if kind == AreaKind.GRID.value and p else str(n))
        for i, n, kind, p in rows
    ]


def choose(session: Session, at: int | None, within: Sequence[str] | None) -> PlaceChoice:
    """One step of choosing a place in scope (``within``: area paths; None: anywhere),
    the area ``at`` chosen so far (None: nothing yet)."""
    count = session.scalar(
        select(func.count())
        .select_from(Area)
        .where(Area.kind.in_(PLACE_KINDS), _within(Area.path, within))  # type: ignore[arg-type]
    )
    if int(count or 0) <= FLAT_LIMIT:
        return PlaceChoice(flat=True, places=flat_places(session, within), chosen=at)
    area = session.get(Area, at) if at else None
    if area is not None and not _visible(area, within):
        area = None
    if area is None:
        if within is not None and len(within) == 1:
            area = session.scalar(select(Area).where(Area.path == within[0]))
        if area is None:
            tops = session.scalars(
                select(Area).where(Area.kind == AreaKind.DISTRICT.value).order_by(Area.path)
            ).all()
            return PlaceChoice(flat=False, options=[a for a in tops if _visible(a, within)])
    chosen = area.id if area.kind in PLACE_KINDS and _in_scope(area, within) else None
    community = area
    if area.kind == AreaKind.GRID.value and area.parent_id:
        community = session.get(Area, area.parent_id) or area
    ids = [int(i) for i in community.path.strip("/").split("/") if i]
    chain = list(session.scalars(select(Area).where(Area.id.in_(ids)).order_by(Area.path)))
    children = session.scalars(
        select(Area).where(Area.parent_id == community.id).order_by(Area.path)
    ).all()
    if community.kind != AreaKind.COMMUNITY.value:
        return PlaceChoice(
            flat=False, chain=chain, options=[a for a in children if _visible(a, within)]
        )
    places = [(community.id, community.name)] if _in_scope(community, within) else []
    places += [
        (a.id, f"{community.name} · {a.name}")
        for a in children
        if a.kind == AreaKind.GRID.value and _in_scope(a, within)
    ]
    return PlaceChoice(flat=False, chain=chain, places=places, chosen=chosen)


@dataclass(frozen=True)
class UnitChoice:
    """The units staff may send a request to (redirect, transfer, joint handling), as
    (key, label) for ``units.resolve``: every department and mediation body, and the
    offices of areas. A small tree lists every area; a city lists the chain above the
    area chosen so far and its children, and ``options`` to step elsewhere."""

    flat: bool
    choices: list[tuple[str, str]]
    chain: list[Area] = field(default_factory=list)
    options: list[Area] = field(default_factory=list)


def unit_choice(session: Session, at: int | None, near: int) -> UnitChoice:
    """``at``: the area chosen so far (None: the community of ``near``, the request's
    place, where most requests go). A bounded number of rows whatever the tree."""
    count = session.scalar(
        select(func.count()).select_from(Area).where(Area.kind != AreaKind.CITY.value)
    )
    if int(count or 0) <= FLAT_LIMIT:
        return UnitChoice(True, units.choices(session))
    area = session.get(Area, at) if at else None
    if area is None:
        area = session.get(Area, near)
        if area is not None and area.kind == AreaKind.GRID.value and area.parent_id:
            area = session.get(Area, area.parent_id)
    assert area is not None
    ids = [int(i) for i in area.path.strip("/").split("/") if i]
    chain = list(session.scalars(select(Area).where(Area.id.in_(ids)).order_by(Area.path)))
    children = list(
        session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.path))
    )
    found = [(f"d:{d.id}", d.name) for d in all_departments(session)]
    shown = [a for a in chain if a.kind != AreaKind.CITY.value]
    found += [(f"a:{a.id}", "　" * depth + a.name) for depth, a in enumerate(shown)]
    found += [(f"a:{a.id}", "　" * len(shown) + a.name) for a in children]
    found += [
        (f"u:{u.id}", u.name)
        for u in session.scalars(
            select(HandlingUnit).where(HandlingUnit.kind == "mediation").order_by(HandlingUnit.name)
        )
    ]
    return UnitChoice(False, found, chain, children)
