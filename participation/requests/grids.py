"""Grid work (网格化服务管理): grid workers (网格员) assigned to grids, their own page,
and cadres' regular visits to grids (e.g. 逢五进格) whose findings may become requests.

An assignment ties a worker's account to one grid from a start date to an optional
end date; a grid may have several workers and a worker several grids. Once a worker
has any assignment on record, the assignments (those running on the day) decide
where they may file; a worker nobody has assigned yet files where their role grant
covers, as before assignments existed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from participation import audit
from participation.accounts import Account, RoleGrant
from participation.areas import Area
from participation.db import Base, utcnow
from participation.errors import N_, DomainError
from participation.paging import last_page
from participation.requests import intake
from participation.requests.deadlines import lateness_of
from participation.requests.models import ResidentRequest
from participation.requests.rules.catalog import GRID_CHANNELS, OPEN_STATUSES
from participation.requests.rules.lateness import Due, Lateness
from participation.rules.areas import AreaKind, is_within
from participation.rules.permissions import Role

MAX_FINDINGS = 2000
#: How many of a worker's own patrol discoveries their page shows.
DISCOVERIES_SHOWN = 20


class GridAssignment(Base):
    """A grid worker covers a grid from ``starts_on`` to ``ends_on`` (open: None)."""

    __tablename__ = "grid_assignments"
    __table_args__ = (Index("ix_grid_assignments_worker_dates", "worker_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class GridVisitRule(Base):
    """The days cadres visit the grids of an area: days of the month ending in one of
    ``digits`` (逢五进格: "05", days ending in 5 or 0)."""

    __tablename__ = "grid_visit_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), unique=True)
    digits: Mapped[str] = mapped_column(String(10))
    set_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class GridVisit(Base):
    """A cadre's visit to a grid: who, when, what they found; the finding may have
    become a request."""

    __tablename__ = "grid_visits"
    # By grid and day: a community's visits, latest first, from the index alone.
    __table_args__ = (Index("ix_grid_visits_grid_day", "grid_id", "visited_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    cadre: Mapped[str] = mapped_column(String(60))
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    findings: Mapped[str] = mapped_column(Text)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("resident_requests.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- pure rules ---------------------------------------------------------------


def clean_digits(raw: str) -> str:
    """The distinct digits of ``raw`` in order ("5,0" -> "50"); refused when none."""
    digits = "".join(dict.fromkeys(c for c in raw if c.isdigit()))
    if not digits:
        raise DomainError(
            "grid.rule",
            N_("Please correct the marked fields."),
            fields={"digits": N_("Give the last digits of the visit days, e.g. 5 and 0.")},
        )
    return digits


def is_visit_day(day: date, digits: str) -> bool:
    return str(day.day % 10) in digits


def visit_days(first: date, digits: str) -> list[date]:
    """The visit days of the month of ``first``."""
    days = []
    day = first.replace(day=1)
    while day.month == first.month:
        if is_visit_day(day, digits):
            days.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    return days


def _within(path: str, scope: Sequence[str] | None) -> bool:
    return scope is None or any(is_within(path, p) for p in scope)


def _ids_on(paths: Iterable[str]) -> set[int]:
    """The ids of the areas on ``paths`` ("/1/2/5/": 1, 2 and 5): each area and
    those above it."""
    return {int(i) for p in paths for i in p.strip("/").split("/") if i}


def _refuse(field: str, message: str) -> DomainError:
    return DomainError(
        "grid.form", N_("Please correct the marked fields."), fields={field: message}
    )


def _grid_in_scope(session: Session, grid_id: int | None, scope: Sequence[str] | None) -> Area:
    grid = session.get(Area, grid_id) if grid_id else None
    if grid is None or grid.kind != AreaKind.GRID.value:
        raise _refuse("grid_id", N_("Choose a grid."))
    if not _within(grid.path, scope):
        raise _refuse("grid_id", N_("This grid is outside the areas you cover."))
    return grid


# --- assignments --------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    assignment: GridAssignment
    grid: Area
    community: Area | None
    worker: Account


def assign(
    session: Session,
    grid_id: int | None,
    worker_id: int | None,
    starts_on: date | None,
    ends_on: date | None,
    actor_id: int | None,
    scope: Sequence[str] | None,
) -> GridAssignment:
    """Assign a grid worker to a grid in the actor's areas (``scope``: their paths)."""
    grid = _grid_in_scope(session, grid_id, scope)
    worker = session.get(Account, worker_id) if worker_id else None
    if worker is None or not _is_grid_worker(session, worker.id):
        raise _refuse("worker_id", N_("Choose a grid worker."))
    if starts_on is None:
        raise _refuse("starts_on", N_("Give the start date."))
    if ends_on is not None and ends_on < starts_on:
        raise _refuse("ends_on", N_("The end date is before the start date."))
    overlapping = session.scalar(
        select(GridAssignment.id).where(
            GridAssignment.grid_id == grid.id,
            GridAssignment.worker_id == worker.id,
            or_(GridAssignment.ends_on.is_(None), GridAssignment.ends_on >= starts_on),
            *([GridAssignment.starts_on <= ends_on] if ends_on is not None else []),
        )
    )
    if overlapping is not None:
        raise _refuse("worker_id", N_("This worker already covers this grid then."))
    row = GridAssignment(
        grid_id=grid.id,
        worker_id=worker.id,
        starts_on=starts_on,
        ends_on=ends_on,
        assigned_by=actor_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="grid.assigned",
        target=f"grid_assignment:{row.id}",
        grid=grid.id,
        worker=worker.id,
    )
    return row


def end_assignment(
    session: Session,
    assignment_id: int,
    ends_on: date | None,
    actor_id: int | None,
    scope: Sequence[str] | None,
) -> GridAssignment:
    row = session.get(GridAssignment, assignment_id)
    grid = session.get(Area, row.grid_id) if row else None
    if row is None or grid is None or not _within(grid.path, scope):
        raise DomainError("grid.not_found", N_("No such assignment."), status=404)
    if ends_on is None:
        raise _refuse("ends_on", N_("Give the end date."))
    if ends_on < row.starts_on:
        raise _refuse("ends_on", N_("The end date is before the start date."))
    row.ends_on = ends_on
    audit.record(
        session,
        actor_id=actor_id,
        action="grid.assignment_ended",
        target=f"grid_assignment:{row.id}",
        ends_on=ends_on.isoformat(),
    )
    session.flush()
    return row


def _is_grid_worker(session: Session, account_id: int) -> bool:
    return (
        session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.account_id == account_id, RoleGrant.role == Role.GRID_WORKER.value
            )
        )
        is not None
    )


def grid_workers(
    session: Session,
    scope: Sequence[str] | None,
    near: Area | None = None,
    *,
    name: str = "",
    page: int = 1,
    per_page: int,
) -> tuple[list[Account], int, int]:
    """Accounts holding the grid-worker role in (or above, or below) the scope's areas
    and, given ``near``, in (or above, or below) that area, their display name
    containing ``name``: one page of them by name, how many there are and the page
    number (``page`` past the end: the last). Filtered and paged in SQL, two
    statements however many workers a city has."""
    wheres: list[ColumnElement[bool]] = [RoleGrant.role == Role.GRID_WORKER.value]
    groups: list[Sequence[str]] = [scope] if scope is not None else []
    if near is not None:
        groups.append([near.path])
    for paths in groups:
        wheres.append(
            or_(
                Area.path.is_(None),
                *[Area.path.startswith(p) for p in paths],
                *[literal(p).startswith(Area.path) for p in paths],
            )
        )
    # The grants first (ix_role_grants_role: the city's grid workers, not every
    # grant), then their accounts by key: accounts are not walked in name order.
    ids = (
        select(RoleGrant.account_id)
        .outerjoin(Area, Area.id == RoleGrant.area_id)
        .where(*wheres)
        .distinct()
        .subquery()
    )
    named = [Account.display_name.contains(name, autoescape=True)] if name else []
    total = int(
        session.scalar(
            select(func.count())
            .select_from(ids)
            .join(Account, Account.id == ids.c.account_id)
            .where(*named)
        )
        or 0
    )
    page = last_page(page, total, per_page)
    rows = session.scalars(
        select(Account)
        .join(ids, ids.c.account_id == Account.id)
        .where(*named)
        .order_by(Account.display_name, Account.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total, page


def _paths_within(scope: Sequence[str] | None) -> list[ColumnElement[bool]]:
    """SQL: the area (``Area`` in the statement) lies within one of the ``scope`` paths."""
    if scope is None:
        return []
    return [or_(false(), *[Area.path.startswith(p) for p in scope])]


def _assignment_filter(
    scope: Sequence[str] | None, under: Area | None
) -> list[ColumnElement[bool]]:
    return [
        *_paths_within(scope),
        *([Area.path.startswith(under.path)] if under is not None else []),
    ]


def assignments(
    session: Session,
    scope: Sequence[str] | None,
    *,
    under: Area | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[AssignmentRow]:
    """Assignments to grids in the scope (and under ``under``), in tree order:
    ``limit`` of them from ``offset`` (None: all), filtered and paged in SQL."""
    parent = aliased(Area)
    query = (
        select(GridAssignment, Area, parent, Account)
        .join(Area, Area.id == GridAssignment.grid_id)
        .outerjoin(parent, parent.id == Area.parent_id)
        .join(Account, Account.id == GridAssignment.worker_id)
        .where(*_assignment_filter(scope, under))
        .order_by(Area.path, GridAssignment.starts_on.desc(), GridAssignment.id)
    )
    if limit is not None:
        query = query.offset(max(0, offset)).limit(limit)
    return [AssignmentRow(a, g, c, w) for a, g, c, w in session.execute(query)]


def assignment_count(session: Session, scope: Sequence[str] | None, under: Area | None) -> int:
    """How many assignments ``assignments`` lists in all."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(GridAssignment)
            .join(Area, Area.id == GridAssignment.grid_id)
            .where(*_assignment_filter(scope, under))
        )
        or 0
    )


def _running(day: date) -> list[ColumnElement[bool]]:
    return [
        GridAssignment.starts_on <= day,
        or_(GridAssignment.ends_on.is_(None), GridAssignment.ends_on >= day),
    ]


def assigned_paths(session: Session, worker_id: int, day: date) -> list[str] | None:
    """The paths of the grids ``worker_id`` covers on ``day``; None when nobody has
    ever assigned them a grid (then their role grant decides, as before)."""
    rows = session.execute(
        select(Area.path, GridAssignment.starts_on, GridAssignment.ends_on)
        .join(Area, Area.id == GridAssignment.grid_id)
        .where(GridAssignment.worker_id == worker_id)
    ).all()
    if not rows:
        return None
    return sorted({p for p, start, end in rows if start <= day and (end is None or end >= day)})


# --- the worker's page ----------------------------------------------------------


@dataclass(frozen=True)
class GridRequest:
    request: ResidentRequest
    place: str
    late: Lateness


@dataclass(frozen=True)
class WorkerPage:
    grids: list[tuple[Area, Area | None]]
    open_requests: list[GridRequest]  # in their grids, the latest first
    discoveries: list[GridRequest]  # what they filed on patrol or for residents
    waiting: list[GridRequest]  # overdue in their grids, or closures to follow up
    visit_days: list[date]  # the cadres' visit days left this month in their areas


def worker_page(session: Session, worker_id: int, today: date) -> WorkerPage:
    """Everything a grid worker's page shows, in a fixed number of queries."""
    parent = aliased(Area)
    mine = session.execute(
        select(Area, parent)
        .join(GridAssignment, GridAssignment.grid_id == Area.id)
        .outerjoin(parent, parent.id == Area.parent_id)
        .where(GridAssignment.worker_id == worker_id, *_running(today))
        .order_by(Area.path)
    ).all()
    grid_pairs: list[tuple[Area, Area | None]] = list(dict.fromkeys((g, c) for g, c in mine))
    grid_ids = [g.id for g, _ in grid_pairs]
    names = {g.id: f"{c.name} · {g.name}" if c else g.name for g, c in grid_pairs}

    def view(rows: Sequence[tuple[ResidentRequest, str]]) -> list[GridRequest]:
        return [
            GridRequest(r, names.get(r.area_id, name), lateness_of(r, today)) for r, name in rows
        ]

    open_rows = (
        session.execute(
            select(ResidentRequest, Area.name)
            .join(Area, Area.id == ResidentRequest.area_id)
            .where(
                ResidentRequest.area_id.in_(grid_ids),
                ResidentRequest.status.in_(OPEN_STATUSES),
            )
            .order_by(ResidentRequest.filed_at.desc(), ResidentRequest.id.desc())
        ).all()
        if grid_ids
        else []
    )
    open_requests = view([(r, n) for r, n in open_rows])
    found_rows = session.execute(
        select(ResidentRequest, Area.name)
        .join(Area, Area.id == ResidentRequest.area_id)
        .where(
            ResidentRequest.filed_by_id == worker_id,
            ResidentRequest.channel.in_(GRID_CHANNELS),
        )
        .order_by(ResidentRequest.filed_at.desc(), ResidentRequest.id.desc())
        .limit(DISCOVERIES_SHOWN)
    ).all()
    discoveries = view([(r, n) for r, n in found_rows])
    waiting = (
        [g for g in open_requests if g.late.due in (Due.OVERDUE, Due.SOON)]
        + [
            g
            for g in discoveries
            if g.request.status == "proposed" and g.request.area_id not in grid_ids
        ]
        + [g for g in open_requests if g.request.status == "proposed"]
    )
    days: set[date] = set()
    if grid_pairs:
        paths = [g.path for g, _ in grid_pairs]
        # Only the rules of their grids and the areas above them (ids on the
        # grids' paths), by key: a city sets rules on thousands of areas.
        above = _ids_on(paths)
        rules = session.execute(
            select(GridVisitRule.digits, Area.path)
            .join(Area, Area.id == GridVisitRule.area_id)
            .where(GridVisitRule.area_id.in_(above))
        ).all()
        for digits, path in rules:
            if any(is_within(p, path) for p in paths):
                days.update(d for d in visit_days(today, digits) if d >= today)
    return WorkerPage(grid_pairs, open_requests, discoveries, waiting, sorted(days))


# --- visits ---------------------------------------------------------------------


@dataclass(frozen=True)
class VisitRow:
    visit: GridVisit
    grid: Area
    community: Area | None
    request: ResidentRequest | None
    on_rule_day: bool | None  # None: no rule for the grid's areas


def set_visit_rule(
    session: Session,
    area_id: int | None,
    raw_digits: str,
    actor_id: int | None,
    scope: Sequence[str] | None,
) -> GridVisitRule:
    area = session.get(Area, area_id) if area_id else None
    if area is None:
        raise _refuse("rule_area_id", N_("Choose an area."))
    if not _within(area.path, scope):
        raise _refuse("rule_area_id", N_("This area is outside the areas you cover."))
    digits = clean_digits(raw_digits)
    rule = session.scalar(select(GridVisitRule).where(GridVisitRule.area_id == area.id))
    if rule is None:
        rule = GridVisitRule(area_id=area.id, digits=digits, set_by=actor_id)
        session.add(rule)
    else:
        rule.digits, rule.set_by = digits, actor_id
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="grid.visit_rule",
        target=f"area:{area.id}",
        digits=digits,
    )
    return rule


def visit_rules(
    session: Session,
    scope: Sequence[str] | None,
    under: Area | None = None,
    *,
    page: int = 1,
    per_page: int,
) -> tuple[list[tuple[GridVisitRule, Area]], int, int]:
    """The visit rules of areas in the scope (and in or above ``under``), in tree
    order: one page of them, how many there are and the page number (``page`` past
    the end: the last). Filtered and paged in SQL, two statements; an area has at
    most one rule, so the count is bounded by the tree, not by time."""
    near = (
        [or_(Area.path.startswith(under.path), literal(under.path).startswith(Area.path))]
        if under is not None
        else []
    )
    wheres = [*_paths_within(scope), *near]
    total = int(
        session.scalar(
            select(func.count())
            .select_from(GridVisitRule)
            .join(Area, Area.id == GridVisitRule.area_id)
            .where(*wheres)
        )
        or 0
    )
    page = last_page(page, total, per_page)
    rows = session.execute(
        select(GridVisitRule, Area)
        .join(Area, Area.id == GridVisitRule.area_id)
        .where(*wheres)
        .order_by(Area.path, Area.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(r, a) for r, a in rows], total, page


def record_visit(
    session: Session,
    grid_id: int | None,
    cadre: str,
    visited_on: date | None,
    findings: str,
    actor_id: int | None,
    today: date,
    scope: Sequence[str] | None,
) -> GridVisit:
    """Record a cadre's visit to a grid in the actor's areas, on or before today."""
    grid = _grid_in_scope(session, grid_id, scope)
    problems: dict[str, str] = {}
    if not cadre.strip():
        problems["cadre"] = N_("Give the name of who visited.")
    elif len(cadre) > 60:
        problems["cadre"] = N_("This text is too long.")
    if visited_on is None:
        problems["visited_on"] = N_("Give the date of the visit.")
    elif visited_on > today:
        problems["visited_on"] = N_("A visit cannot be recorded before it happens.")
    if len(findings) > MAX_FINDINGS:
        problems["findings"] = N_("This text is too long.")
    if problems:
        raise DomainError("grid.form", N_("Please correct the marked fields."), fields=problems)
    assert visited_on is not None
    visit = GridVisit(
        grid_id=grid.id,
        cadre=cadre.strip(),
        visited_on=visited_on,
        findings=findings.strip(),
        recorded_by=actor_id,
    )
    session.add(visit)
    session.flush()
    audit.record(session, actor_id=actor_id, action="grid.visit", target=f"grid_visit:{visit.id}")
    return visit


@dataclass(frozen=True)
class VisitsPage:
    """One page of visits, the latest first: a year of a city's visits is not
    counted on every view, so whether a next page follows is all that is known."""

    rows: list[VisitRow]
    number: int
    has_next: bool


#: How deep a street's path is ("/city/district/street/").
_STREET_DEPTH = 3


def _depth(path: str) -> int:
    return path.count("/") - 1


def _visit_ids(scope: Sequence[str] | None, under: Area | None) -> Select[int]:
    """SQL: the ids of the visits to grids in the scope and under ``under``, the same
    rule as assignments, put so that SQLite reads a page quickly. Within a street or
    less (a community worker's scope, a grid reached) the few grids' visits are read
    by grid (ix_grid_visits_grid_day: grid, day and id, the index alone) and sorted:
    walking the whole city's visits latest first would pass thousands for a page of
    one community's, and all of them for a community with none. Over a district or
    the city, most visits are in: the walk by day (ix_grid_visits_visited_on) finds a
    page at once, where sorting would read all."""
    ids = select(GridVisit.id)
    narrow = (under is not None and _depth(under.path) >= _STREET_DEPTH) or (
        scope is not None and all(_depth(p) >= _STREET_DEPTH for p in scope)
    )
    if narrow:
        # The subquery reads areas on its own: the same filter, in SQL.
        in_scope = select(Area.id).where(*_assignment_filter(scope, under)).correlate(None)
        return ids.where(GridVisit.grid_id.in_(in_scope))
    wheres = _assignment_filter(scope, under)
    if wheres:
        ids = ids.join(Area, Area.id == GridVisit.grid_id).where(*wheres)
    return ids


def visits(
    session: Session,
    scope: Sequence[str] | None,
    under: Area | None = None,
    *,
    page: int = 1,
    per_page: int,
) -> VisitsPage:
    """Page ``page`` of the visits to grids in the scope (and under ``under``), the
    latest first, filtered in SQL (:func:`_visit_ids`), each with whether it fell on
    a set visit day: two statements however many visits, reading a page and one row
    more to know whether another follows; nothing counts them. A page past the end
    shows the last one, found by counting: two statements more, and only then."""
    parent = aliased(Area)
    latest = (GridVisit.visited_on.desc(), GridVisit.id.desc())
    chosen = _visit_ids(scope, under)

    def read(number: int) -> list[tuple[GridVisit, Area, Area | None, ResidentRequest | None]]:
        # The page's ids first, from the indexes alone; then those rows with their
        # grid, community and request (not every candidate row joined, then sorted).
        # Offset and limit written into the statement: with them as parameters,
        # SQLite's planner walks every visit by day even for a community's few grids.
        ids = (
            chosen.order_by(*latest)
            .offset(bindparam("offset", (number - 1) * per_page, literal_execute=True))
            .limit(bindparam("limit", per_page + 1, literal_execute=True))
        ).subquery()
        return [
            (v, g, c, r)
            for v, g, c, r in session.execute(
                select(GridVisit, Area, parent, ResidentRequest)
                .join(ids, ids.c.id == GridVisit.id)
                .join(Area, Area.id == GridVisit.grid_id)
                .outerjoin(parent, parent.id == Area.parent_id)
                .outerjoin(ResidentRequest, ResidentRequest.id == GridVisit.request_id)
                .order_by(*latest)
            )
        ]

    rows = read(page)
    if not rows and page > 1:
        total = session.scalar(select(func.count()).select_from(chosen.subquery()))
        page = last_page(page, int(total or 0), per_page)
        rows = read(page)
    has_next, rows = len(rows) > per_page, rows[:per_page]
    above = _ids_on(g.path for _, g, _, _ in rows)
    rules = (
        session.execute(
            select(GridVisitRule.digits, Area.path)
            .join(Area, Area.id == GridVisitRule.area_id)
            .where(GridVisitRule.area_id.in_(above))
        ).all()
        if above
        else []
    )

    def rule_day(grid: Area, day: date) -> bool | None:
        # The nearest area's rule holds (the longest path above the grid).
        held = [(len(p), d) for d, p in rules if is_within(grid.path, p)]
        return is_visit_day(day, max(held)[1]) if held else None

    shown = [VisitRow(v, g, c, r, rule_day(g, v.visited_on)) for v, g, c, r in rows]
    return VisitsPage(shown, page, has_next)


def file_finding(
    session: Session,
    visit_id: int,
    category: str,
    urgency: str,
    actor_id: int | None,
    now: datetime,
    scope: Sequence[str] | None,
) -> intake.Filed:
    """Turn a visit's findings into a request (channel "visit") in one step, through
    the intake service; a visit's findings become at most one request."""
    visit = session.get(GridVisit, visit_id)
    grid = session.get(Area, visit.grid_id) if visit else None
    if visit is None or grid is None or not _within(grid.path, scope):
        raise DomainError("grid.not_found", N_("No such visit."), status=404)
    if visit.request_id is not None:
        raise DomainError("grid.filed", N_("These findings are already a request."), status=409)
    if not visit.findings:
        raise DomainError("grid.empty", N_("This visit recorded no findings."), status=422)
    filed = intake.file_request(
        session,
        intake.NewRequest(
            category=category,
            description=visit.findings,
            area_id=grid.id,
            channel="visit",
            urgency=urgency or "normal",
            requester_name=visit.cadre,
        ),
        now,
        filer_id=actor_id,
        requester_id=None,
        scope=scope,
    )
    visit.request_id = filed.request.id
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="grid.visit_filed",
        target=f"request:{filed.request.id}",
        visit=visit.id,
    )
    return filed
