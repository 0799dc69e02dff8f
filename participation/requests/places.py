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

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from participation.areas import Area, area_tree
from participation.departments import Department
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
class Step:
    """An area of the unit lists' cascade: what its links and options show."""

    id: int
    name: str
    path: str
    kind: str


@dataclass(frozen=True)
class UnitChoice:
    """The units staff may send a request to (redirect, transfer, joint handling), as
    (key, label) for ``units.resolve``: every department and mediation body, and the
    offices of areas. A small tree lists every area; a city lists the chain above the
    area chosen so far and its children, and ``options`` to step elsewhere.
    ``paths``: each key's area path (None: placed in no area), for scope checks."""

    flat: bool
    choices: list[tuple[str, str]]
    chain: list[Step] = field(default_factory=list)
    options: list[Step] = field(default_factory=list)
    paths: dict[str, str | None] = field(default_factory=dict)


def _fixed_units(
    session: Session, near: Sequence[int] | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[str, str | None]]:
    """Departments (those of higher areas first, then by name) and mediation bodies
    (by name; given ``near``, only those sitting in one of those areas or in none: a
    city has one in most streets and communities) as (key, label), and each one's
    area path: two statements."""
    departments = session.execute(
        select(Department.id, Department.name, Area.path)
        .outerjoin(Area, Area.id == Department.area_id)
        .order_by(Area.path.is_(None), Area.path, Department.name)
    ).all()
    placed = (
        [or_(HandlingUnit.area_id.is_(None), HandlingUnit.area_id.in_(list(near)))]
        if near is not None
        else []
    )
    bodies = session.execute(
        select(HandlingUnit.id, HandlingUnit.name, Area.path)
        .outerjoin(Area, Area.id == HandlingUnit.area_id)
        .where(HandlingUnit.kind == "mediation", *placed)
        .order_by(HandlingUnit.name)
    ).all()
    paths: dict[str, str | None] = {f"d:{i}": p for i, _, p in departments}
    paths |= {f"u:{i}": p for i, _, p in bodies}
    return (
        [(f"d:{i}", str(n)) for i, n, _ in departments],
        [(f"u:{i}", str(n)) for i, n, _ in bodies],
        paths,
    )


def fixed_unit_choices(
    session: Session, near: Sequence[int] | None = None
) -> list[tuple[str, str]]:
    """Every department, then the mediation bodies (given ``near``: those sitting in
    one of those areas or in none), as (key, label) for ``units.resolve``: the units a
    routing rule may name (no area office)."""
    departments, bodies, _ = _fixed_units(session, near)
    return departments + bodies


def unit_choice(session: Session, at: int | None, near: int | None) -> UnitChoice:
    """``at``: the area chosen so far (None: the community of ``near``, the request's
    place, where most requests go; neither: the top of the tree). A bounded number of
    rows whatever the tree: a city lists the offices and mediation bodies of the chain
    and the next level only. One statement from the request's place when the caller
    holds it (the request's page does), one more to read ``at``; a small tree reads
    every area (three more)."""
    area = session.get(Area, at) if at else None
    centre = area.id if area is not None else None
    if area is None and near is not None:
        area = session.get(Area, near)
        if area is not None:  # most requests go to the community of a grid
            grid = area.kind == AreaKind.GRID.value and area.parent_id is not None
            centre = area.parent_id if grid else area.id
    if area is None or centre is None:
        return _from_the_top(session)
    ids = [int(i) for i in area.path.strip("/").split("/") if i]
    near_unit = _near(session, centre, ids if centre == area.id else ids[:-1])
    return _flat(session) if near_unit is None else near_unit


def _step(area: Area) -> Step:
    return Step(area.id, area.name, area.path, area.kind)


def _flat(session: Session) -> UnitChoice:
    """A small tree: every department, area office and mediation body."""
    departments, bodies, paths = _fixed_units(session)
    nodes = [n for n in area_tree(session) if n.area.kind != AreaKind.CITY.value]
    paths |= {f"a:{n.area.id}": n.area.path for n in nodes}
    offices = [(f"a:{n.area.id}", "　" * max(0, n.depth - 1) + n.area.name) for n in nodes]
    return UnitChoice(True, departments + offices + bodies, paths=paths)


def _from_the_top(session: Session) -> UnitChoice:
    """No area chosen and no place (the members page): the top of the tree."""
    tops = list(
        session.scalars(select(Area).where(Area.parent_id.is_(None)).order_by(Area.path).limit(2))
    )
    if len(tops) == 1:
        top = tops[0]
        return _near(session, top.id, [top.id]) or _flat(session)
    count = session.scalar(
        select(func.count()).select_from(Area).where(Area.kind != AreaKind.CITY.value)
    )
    if int(count or 0) <= FLAT_LIMIT:
        return _flat(session)
    # Several trees: step into one first.
    tops = list(session.scalars(select(Area).where(Area.parent_id.is_(None)).order_by(Area.path)))
    departments, bodies, paths = _fixed_units(session, [a.id for a in tops])
    offices = [(f"a:{a.id}", a.name) for a in tops if a.kind != AreaKind.CITY.value]
    paths |= {f"a:{a.id}": a.path for a in tops}
    return UnitChoice(False, departments + offices + bodies, [], [_step(a) for a in tops], paths)


def _near(session: Session, centre: int, chain_ids: Sequence[int]) -> UnitChoice | None:
    """The offices of the areas ``chain_ids`` (from the top down to ``centre``) and of
    ``centre``'s children, every department, and the mediation bodies sitting in one
    of those areas or in none; None when the tree is small enough to list whole
    (FLAT_LIMIT areas or fewer, counted no further). One statement: the four lists
    as one, each in the order the database sorts its names."""
    nearby = or_(Area.id.in_(list(chain_ids)), Area.parent_id == centre)
    placed = aliased(Area)

    def part(n: int) -> ColumnElement[int]:
        return literal_column(str(n), Integer).label("part")

    zero = literal_column("0", Integer)
    blank = literal_column("''", String)
    areas = select(
        part(0),
        Area.id.label("id"),
        Area.name.label("name"),
        Area.path.label("path"),
        Area.kind.label("kind"),
        zero.label("k0"),
        Area.path.label("k1"),
    ).where(nearby)
    departments = select(
        part(1),
        Department.id,
        Department.name,
        placed.path,
        null(),
        case((placed.path.is_(None), 1), else_=0),
        func.coalesce(placed.path, blank),
    ).outerjoin(placed, placed.id == Department.area_id)
    bodies = (
        select(part(2), HandlingUnit.id, HandlingUnit.name, placed.path, null(), zero, blank)
        .outerjoin(placed, placed.id == HandlingUnit.area_id)
        .where(
            HandlingUnit.kind == "mediation",
            or_(
                HandlingUnit.area_id.is_(None),
                HandlingUnit.area_id.in_(select(Area.id).where(nearby)),
            ),
        )
    )
    # Whether the tree is small: counted up to one past the limit, no further.
    counted = select(Area.id).where(Area.kind != AreaKind.CITY.value).limit(FLAT_LIMIT + 1)
    size = select(
        part(3),
        select(func.count()).select_from(counted.subquery()).scalar_subquery(),
        blank,
        null(),
        null(),
        zero,
        blank,
    )
    listed = union_all(areas, departments, bodies, size)
    by = listed.selected_columns
    rows = session.execute(listed.order_by(by.part, by.k0, by.k1, by.name)).all()
    if any(row.part == 3 and row.id <= FLAT_LIMIT for row in rows):
        return None
    chain = [Step(r.id, r.name, r.path, r.kind) for r in rows if r.part == 0 and r.id in chain_ids]
    children = [
        Step(r.id, r.name, r.path, r.kind) for r in rows if r.part == 0 and r.id not in chain_ids
    ]
    shown = [a for a in chain if a.kind != AreaKind.CITY.value]
    offices = [(f"a:{a.id}", "　" * depth + a.name) for depth, a in enumerate(shown)]
    offices += [(f"a:{a.id}", "　" * len(shown) + a.name) for a in children]
    paths: dict[str, str | None] = {f"a:{a.id}": a.path for a in [*shown, *children]}
    paths |= {f"d:{r.id}": r.path for r in rows if r.part == 1}
    paths |= {f"u:{r.id}": r.path for r in rows if r.part == 2}
    departments_listed = [(f"d:{r.id}", str(r.name)) for r in rows if r.part == 1]
    bodies_listed = [(f"u:{r.id}", str(r.name)) for r in rows if r.part == 2]
    return UnitChoice(False, departments_listed + offices + bodies_listed, chain, children, paths)
