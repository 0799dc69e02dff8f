"""The area tree (市/区/街道/社区/网格): model and services."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import ForeignKey, Select, String, bindparam, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation import audit
from participation.db import Base
from participation.errors import DomainError
from participation.rules.areas import AreaKind, child_kind, path_of


class Area(Base):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(255), default="", index=True)

    @property
    def area_kind(self) -> AreaKind:
        return AreaKind(self.kind)


def create_area(
    session: Session, *, code: str, name: str, kind: AreaKind, parent: Area | None
) -> Area:
    """Add an area under ``parent``; the kind must be the parent's next level."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise DomainError("area.required", "An area needs a code and a name.")
    expected = child_kind(parent.area_kind if parent else None)
    if kind != expected:
        raise DomainError("area.kind", "This kind of area cannot be placed there.")
    if session.scalar(select(Area.id).where(Area.code == code)) is not None:
        raise DomainError("area.code_taken", "An area with this code already exists.")
    area = Area(code=code, name=name, kind=kind.value, parent_id=parent.id if parent else None)
    session.add(area)
    session.flush()  # the path embeds the new id
    area.path = path_of(parent.path if parent else None, area.id)
    return area


def add_area(
    session: Session,
    *,
    code: str,
    name: str,
    kind: AreaKind,
    parent: Area | None,
    actor_id: int | None,
    ip: str = "",
) -> Area:
    """A person adds one area in the back office: create_area, audited."""
    area = create_area(session, code=code, name=name, kind=kind, parent=parent)
    audit.record(
        session,
        actor_id=actor_id,
        action="area.create",
        target=f"area:{area.id}",
        ip=ip,
        code=area.code,
        name=area.name,
    )
    return area


def rename_area(
    session: Session, area: Area, name: str, *, actor_id: int | None, ip: str = ""
) -> None:
    """Rename an area, audited with its old and new names."""
    name = name.strip()
    if not name:
        raise DomainError("area.required", "An area needs a code and a name.")
    old, area.name = area.name, name
    audit.record(
        session,
        actor_id=actor_id,
        action="area.rename",
        target=f"area:{area.id}",
        ip=ip,
        old=old,
        new=name,
    )


def get_area(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise DomainError("area.not_found", "No such area.", status=404)
    return area


def find_area(session: Session, area_id: int) -> Area | None:
    """The area with this id, or None (``get_area`` refuses instead)."""
    return session.get(Area, area_id)


def area_by_code(session: Session, code: str) -> Area | None:
    return session.scalar(select(Area).where(Area.code == code))


def all_areas(session: Session) -> Sequence[Area]:
    return session.scalars(select(Area).order_by(Area.path)).all()


def areas_page(
    session: Session, *, after: int = 0, limit: int = 100, kind: str | None = None
) -> Sequence[Area]:
    """At most ``limit`` areas in tree order (by path) after the area of id ``after``
    (0: from the root), only of ``kind`` when given: one statement, read on the
    path index whatever the size of the tree."""
    query = select(Area)
    if kind:
        query = query.where(Area.kind == kind)
    if after:
        last = select(Area.path).where(Area.id == after).scalar_subquery()
        query = query.where(Area.path > last)
    return session.scalars(query.order_by(Area.path).limit(limit)).all()


@dataclass(frozen=True)
class AreaNode:
    area: Area
    depth: int


def areas_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, Area]:
    """The areas of ``ids`` (None and unknown ids left out), by id: one statement."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(wanted)))}


def area_tree(session: Session, root_path: str | None = None) -> list[AreaNode]:
    """Areas in depth-first order (by path), each with its depth for indenting."""
    query = select(Area)
    if root_path:
        query = query.where(Area.path.startswith(root_path))
    areas = session.scalars(query).all()
    # Sort by the numeric ids along the path so that siblings keep creation order.
    areas = sorted(areas, key=lambda a: [int(p) for p in a.path.strip("/").split("/")])
    return [AreaNode(a, a.path.count("/") - 2) for a in areas]


def ancestors(session: Session, area: Area) -> list[Area]:
    """The chain from the top of the tree down to ``area`` (included): one
    statement for the areas above it, none for a top-level area."""
    ids = [int(p) for p in area.path.strip("/").split("/")]
    above = [i for i in ids if i != area.id]
    found = {area.id: area}
    if above:
        found |= {a.id: a for a in session.scalars(select(Area).where(Area.id.in_(above)))}
    return [found[i] for i in ids if i in found]


def area_by_path(session: Session, path: str) -> Area | None:
    return session.scalar(select(Area).where(Area.path == path))


def children_of(session: Session, area: Area) -> Sequence[Area]:
    """The areas directly under ``area``, in creation order."""
    return session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.id)).all()


def children_page(
    session: Session, parent: Area | None, offset: int, limit: int
) -> tuple[Sequence[Area], int]:
    """One page of the areas directly under ``parent`` (None: the top level), in
    creation order, and how many there are: one indexed statement however large
    the tree (the public tree is shown one level at a time). The total rides on
    each row as a window count; only a page past the end counts on its own."""
    found = session.execute(
        _level_statement(top=parent is None),
        {"parent": parent.id if parent else None, "offset": offset, "limit": limit},
    ).all()
    if not found:
        under = Area.parent_id.is_(None) if parent is None else Area.parent_id == parent.id
        total = session.scalar(select(func.count()).select_from(Area).where(under)) or 0
        return [], total
    return [area for area, _ in found], found[0][1]


@cache
def _level_statement(*, top: bool) -> Select[Area, int]:
    """``children_page``'s statement, built once (the front page and /areas run it
    on every view; building it cost more CPU than running it)."""
    under = Area.parent_id.is_(None) if top else Area.parent_id == bindparam("parent")
    return (
        select(Area, func.count().over())
        .where(under)
        .order_by(Area.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


#: Up to this many areas, one <select> of the whole tree; beyond, a step-by-step choice.
FLAT_AREAS = 60
#: At most this many children offered at one step (a level holds tens, not hundreds).
STEP_LIMIT = 200


@dataclass(frozen=True)
class AreaStep:
    """One step of choosing any area: ``flat`` (a small tree: ``options`` is all of
    it), else ``chain`` (the area reached, top down), ``children`` (the next level
    to narrow to) and ``options`` (the chain and the children, to pick from)."""

    flat: bool
    options: list[AreaNode]
    chain: list[Area]
    children: Sequence[Area]


def area_step(session: Session, at: int | None, *, under: Area | None = None) -> AreaStep:
    """A bounded number of rows whatever the size of the tree: the chain above the
    area ``at`` (None: nothing chosen yet, the top level) and its children.
    ``under``: the choice stays within that area's subtree (a team's, say): the
    chain starts at it, and an ``at`` outside it is the subtree's top."""
    scope = select(func.count()).select_from(Area)
    if under is not None:
        scope = scope.where(Area.path.startswith(under.path))
    total = session.scalar(scope) or 0
    if total <= FLAT_AREAS:
        return AreaStep(True, area_tree(session, under.path if under else None), [], [])
    area = session.get(Area, at) if at else None
    if under is not None and (area is None or not area.path.startswith(under.path)):
        area = under
    chain = ancestors(session, area) if area is not None else []
    if under is not None:
        chain = chain[chain.index(under) :] if under in chain else [under]
    children, _ = children_page(session, area, 0, STEP_LIMIT)
    options = [AreaNode(a, depth) for depth, a in enumerate(chain)]
    options += [AreaNode(a, len(chain)) for a in children]
    return AreaStep(False, options, chain, children)


def community_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Area).where(Area.kind == AreaKind.COMMUNITY.value)
        )
        or 0
    )
