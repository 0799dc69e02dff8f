"""Departments (责任单位) as records: full name, short name, the area they belong to,
and the mailbox that plan reminders go to.

Wherever a department is assigned (plan items, livelihood candidates, evaluations,
rectification items, consultation resolutions) the row keeps the department's id
and, beside it, its full name as text: the pages and open data that show the name
read that text. Invariant: a row whose department id is set carries exactly that
department's current name; :func:`rename` and :func:`merge` rewrite the text in the
same transaction. Rows with text but no id are names nobody has matched to a record
yet (the migration left them where it was unsure); staff match them by merging.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ForeignKey, String, func, literal_column, or_, select, union_all, update
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session, mapped_column
from sqlalchemy.sql import Select, Subquery

from participation import areas as _areas  # noqa: F401  (the table our key refers to)
from participation import audit
from participation.areas import Area
from participation.db import Base
from participation.errors import N_, DomainError
from participation.paging import last_page
from participation.rules.departments import label, normalise_name

_Row = TypeVar("_Row")


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The full official name, unique (e.g. 东湖区住房和城乡建设局).
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # What boards show (e.g. 区住建局); empty means the full name.
    short_name: Mapped[str] = mapped_column(String(40), default="")
    # The area whose government the department belongs to (None: not placed yet).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    email: Mapped[str] = mapped_column(String(255), default="")

    @property
    def label(self) -> str:
        return label(self.name, self.short_name)


# (model, department id attribute, name text attribute) of every model that assigns one.
_REFERENCES: list[
    tuple[type[Base], InstrumentedAttribute[int | None], InstrumentedAttribute[str]]
] = []


def refers(
    model: type[Base],
    id_column: InstrumentedAttribute[int | None],
    text_column: InstrumentedAttribute[str],
) -> None:
    """Declare a model's department columns (called next to the model), so that
    renames and merges reach it."""
    _REFERENCES.append((model, id_column, text_column))


def get_department(session: Session, department_id: int) -> Department:
    found = session.get(Department, department_id)
    if found is None:
        raise DomainError("department.not_found", N_("No such department."), status=404)
    return found


def find_department(session: Session, department_id: int) -> Department | None:
    return session.get(Department, department_id)


def all_departments(session: Session) -> Sequence[Department]:
    """Every department, those of higher areas first, then by name."""
    return session.scalars(
        select(Department)
        .outerjoin(Area, Area.id == Department.area_id)
        .order_by(Area.path.is_(None), Area.path, Department.name)
    ).all()


def _search(query: Select[_Row], search: str) -> Select[_Row]:
    """``query`` kept to the departments whose full or short name holds every word."""
    for word in search.split():
        query = query.where(
            or_(
                Department.name.contains(word, autoescape=True),
                Department.short_name.contains(word, autoescape=True),
            )
        )
    return query


def page_of_departments(
    session: Session, *, search: str = "", page: int = 1, per_page: int = 50
) -> tuple[list[Department], int, int]:
    """One page of the departments (those of higher areas first, then by name), those
    whose full or short name holds every word of ``search``: the rows, how many there
    are in all, and the page number (a page past the end shows the last).
    Two statements whatever the number of departments."""
    total = session.scalar(_search(select(func.count(Department.id)), search)) or 0
    page = last_page(page, total, per_page)
    rows = session.scalars(
        _search(select(Department), search)
        .outerjoin(Area, Area.id == Department.area_id)
        .order_by(Area.path.is_(None), Area.path, Department.name)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total, page


def named(session: Session, name: str) -> Department | None:
    """The department with this full name (whitespace-insensitive), if any."""
    name = normalise_name(name)
    if not name:
        return None
    return session.scalar(select(Department).where(Department.name == name))


def require(
    session: Session, name: str, field: str, *, optional: bool = False
) -> Department | None:
    """The department a form chose, by full name; refuses a name that is not a record
    (free text does not make departments). Empty is allowed only when ``optional``."""
    problems: dict[str, str] = {}
    found = check(session, name, field, problems, optional=optional)
    if problems:
        raise DomainError("department.unknown", problems[field], fields=problems)
    return found


def check(
    session: Session, name: str, field: str, problems: dict[str, str], *, optional: bool = False
) -> Department | None:
    """As :func:`require`, but adds the refusal to ``problems`` (a form's field errors)."""
    found = named(session, name)
    if found is None and (normalise_name(name) or not optional):
        problems[field] = N_("Choose the department from the list.")
    return found


def _chain_ids(area: Area) -> list[int]:
    """The ids of ``area`` and of every area above it (its path holds them)."""
    return [int(p) for p in area.path.strip("/").split("/")]


def serving(session: Session, area: Area | None) -> Sequence[Department]:
    """The departments one may choose for something in ``area``: those placed in it or
    in an area above it (a community's own, its street's, its district's and the
    city's), and those not placed yet (nobody can tell where they serve); those of
    higher areas first, then by name. None: the top level's. One statement; the rows
    grow with the tree's depth, not with the number of the city's departments."""
    places = (
        Department.area_id.in_(_chain_ids(area))
        if area is not None
        else Department.area_id.in_(select(Area.id).where(Area.parent_id.is_(None)))
    )
    return session.scalars(
        select(Department)
        .outerjoin(Area, Area.id == Department.area_id)
        .where(or_(places, Department.area_id.is_(None)))
        .order_by(Area.path.is_(None), Area.path, Department.name)
    ).all()


def check_serving(
    session: Session,
    name: str,
    area: Area | None,
    field: str,
    problems: dict[str, str],
    *,
    optional: bool = False,
) -> Department | None:
    """As :func:`check`, and refuses a department that does not serve ``area`` (one of
    :func:`serving`'s): the form offered only those, so another is a stale page or a
    hand-made request. ``area`` None (not chosen yet): any department."""
    found = check(session, name, field, problems, optional=optional)
    if found is None or area is None or found.area_id is None:
        return found
    if found.area_id not in _chain_ids(area):
        problems[field] = N_(
            "This department does not serve this area: choose one of the list, "
            "the area's own or those of the areas above it."
        )
        return None
    return found


def sole_department_of(session: Session, area_id: int) -> Department | None:
    """The department placed in this area, when there is exactly one."""
    found = session.scalars(select(Department).where(Department.area_id == area_id).limit(2)).all()
    return found[0] if len(found) == 1 else None


def link(session: Session, name: str) -> tuple[str, int | None]:
    """The text and id to store for a name handed over by another process: the
    record's name and id when the name is a record's, else the text unchanged."""
    found = named(session, name)
    return (found.name, found.id) if found else (name.strip(), None)


#: Names looked up per statement by :func:`links`.
LINKS_CHUNK = 500


def links(session: Session, names: Iterable[str]) -> dict[str, tuple[str, int | None]]:
    """:func:`link` for each of ``names`` (name -> text and id), in one statement per
    ``LINKS_CHUNK`` distinct names however many things name them."""
    wanted = {name: normalise_name(name) for name in names}
    keys = sorted({key for key in wanted.values() if key})
    found: dict[str, Department] = {}
    for start in range(0, len(keys), LINKS_CHUNK):
        chunk = keys[start : start + LINKS_CHUNK]
        found.update(
            (d.name, d)
            for d in session.scalars(select(Department).where(Department.name.in_(chunk)))
        )
    return {
        name: (found[key].name, found[key].id) if key in found else (name.strip(), None)
        for name, key in wanted.items()
    }


@dataclass(frozen=True)
class DepartmentFields:
    name: str
    short_name: str = ""
    area_id: int | None = None
    email: str = ""


def _checked(
    session: Session, new: DepartmentFields, current: Department | None
) -> DepartmentFields:
    fields: dict[str, str] = {}
    name, short = normalise_name(new.name), normalise_name(new.short_name)
    email = new.email.strip()
    if not name:
        fields["name"] = N_("A department needs its full name.")
    elif len(name) > 120:
        fields["name"] = N_("The name is too long (at most 120 characters).")
    else:
        other = named(session, name)
        if other is not None and other is not current:
            fields["name"] = N_("A department with this name already exists.")
    if len(short) > 40:
        fields["short_name"] = N_("The short name is too long (at most 40 characters).")
    if email and ("@" not in email or len(email) > 255 or any(c.isspace() for c in email)):
        fields["email"] = N_("Enter a valid e-mail address.")
    if new.area_id is not None and session.get(Area, new.area_id) is None:
        fields["area_id"] = N_("No such area.")
    if fields:
        raise DomainError("department.invalid", next(iter(fields.values())), fields=fields)
    return DepartmentFields(name, short, new.area_id, email)


def create(session: Session, new: DepartmentFields, *, actor_id: int | None) -> Department:
    checked = _checked(session, new, None)
    department = Department(
        name=checked.name,
        short_name=checked.short_name,
        area_id=checked.area_id,
        email=checked.email,
    )
    session.add(department)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="department.create",
        target=f"department:{department.id}",
        name=department.name,
    )
    return department


def rename(
    session: Session, department: Department, new: DepartmentFields, *, actor_id: int | None
) -> None:
    """Change the names, area or mailbox; every row assigned to it shows the new name."""
    checked = _checked(session, new, department)
    before = {
        "name": department.name,
        "short_name": department.short_name,
        "area_id": department.area_id,
        "email": department.email,
    }
    department.name = checked.name
    department.short_name = checked.short_name
    department.area_id = checked.area_id
    department.email = checked.email
    session.flush()
    for model, id_column, text_column in _REFERENCES:
        session.execute(
            update(model)
            .where(id_column == department.id)
            .values({text_column.key: department.name})
        )
    audit.record(
        session,
        actor_id=actor_id,
        action="department.edit",
        target=f"department:{department.id}",
        before=before,
    )


def merge(session: Session, source: Department, target: Department, *, actor_id: int | None) -> int:
    """Fold ``source`` into ``target``: every row assigned to the source, and every row
    still carrying the source's name as unmatched text, is assigned to the target;
    the source record is removed. Returns how many rows moved."""
    if source.id == target.id:
        message = N_("Choose two different departments.")
        raise DomainError("department.same", message, fields={"target_id": message})
    moved = 0
    for model, id_column, text_column in _REFERENCES:
        result = session.execute(
            update(model)
            .where((id_column == source.id) | (id_column.is_(None) & (text_column == source.name)))
            .values({id_column.key: target.id, text_column.key: target.name})
        )
        moved += result.rowcount or 0  # type: ignore[attr-defined]
    if not target.email and source.email:
        target.email = source.email
    audit.record(
        session,
        actor_id=actor_id,
        action="department.merge",
        target=f"department:{target.id}",
        merged=source.name,
        merged_id=source.id,
        rows=moved,
    )
    session.delete(source)
    session.flush()
    return moved


def unmatched_names(session: Session) -> list[tuple[str, int]]:
    """Names assigned as text that match no record, with how many rows carry each."""
    counts: dict[str, int] = {}
    for _model, id_column, text_column in _REFERENCES:
        rows = session.execute(  # counted in SQL: a grown plan has thousands of rows
            select(text_column, func.count())
            .where(id_column.is_(None), text_column != "")
            .group_by(text_column)
        )
        for name, count in rows:
            counts[name] = counts.get(name, 0) + int(count)
    return sorted(counts.items())


def _unmatched_counts() -> Subquery:
    """Every unmatched name with the rows that carry it, one row per name and model."""
    parts = [
        select(text_column.label("name"), func.count().label("rows"))
        .where(id_column.is_(None), text_column != "")
        .group_by(text_column)
        for _model, id_column, text_column in _REFERENCES
    ]
    return union_all(*parts).subquery()


def page_of_unmatched_names(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[str, int]], int, int]:
    """One page of :func:`unmatched_names` in SQL: the names with their counts, how
    many names there are, and the page number. Two statements whatever the rows."""
    counts = _unmatched_counts()
    name = counts.c.name
    total = session.scalar(select(func.count(func.distinct(name)))) or 0
    page = last_page(page, total, per_page)
    rows = session.execute(
        select(name, func.sum(counts.c.rows))
        .group_by(name)
        .order_by(name)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(str(n), int(c)) for n, c in rows], total, page


def carries_unmatched(session: Session, name: str) -> bool:
    """Whether some row carries ``name`` as text with no department record."""
    return any(
        session.scalar(
            select(literal_column("1")).where(id_column.is_(None), text_column == name).limit(1)
        )
        for _model, id_column, text_column in _REFERENCES
    )


def adopt(session: Session, name: str, target: Department, *, actor_id: int | None) -> int:
    """Assign to ``target`` every row that carries the unmatched text ``name``."""
    moved = 0
    for model, id_column, text_column in _REFERENCES:
        result = session.execute(
            update(model)
            .where(id_column.is_(None), text_column == name)
            .values({id_column.key: target.id, text_column.key: target.name})
        )
        moved += result.rowcount or 0  # type: ignore[attr-defined]
    audit.record(
        session,
        actor_id=actor_id,
        action="department.adopt",
        target=f"department:{target.id}",
        name=name,
        rows=moved,
    )
    return moved
