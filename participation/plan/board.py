"""The progress board (挂图作战): plan items with their computed progress, spend and
lateness, filtered, and the figures the charts show.

An item's progress is its owner's latest reported progress; before any report,
the weights of its done milestones. A parent item's progress is rolled up from
its children by their weights. The item views are loaded in a fixed number of
queries, whatever the number of items; the board itself (:func:`board_page`) pages its
table and computes its counts and charts in SQL, and the export reads scalar rows
(:func:`export_rows`), so that neither builds an object per item of the year.
"""

from __future__ import annotations

import functools
import typing
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVarTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CTE,
    BigInteger,
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    RowMapping,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from participation.areas import Area
from participation.db import utcnow
from participation.departments import Department
from participation.plan import board_counts, decisions
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Milestone, Update, YearEndOutcome
from participation.plan.rules import (
    OnTime,
    Part,
    is_overdue,
    item_overdue,
    milestone_progress,
    on_time_rate,
    roll_up,
)
from participation.plan.sources import ItemStatus
from participation.rules.departments import label

_Ts = TypeVarTuple("_Ts")

#: What the board shows as an item's status; "delayed" is computed (overdue).
BOARD_STATUSES = ("planned", "in_progress", "delayed", "done", "dropped")


@dataclass
class ItemView:
    item: PlanItem
    plan: Plan
    area: Area
    progress: int = 0
    spend_yuan: int = 0
    overdue: bool = False
    overdue_milestones: int = 0
    milestones: list[tuple[date, date | None]] = field(default_factory=list)
    milestone_weight: int = 0
    outcome: str | None = None
    # The owner department as boards show it: the record's short name (or name),
    # else the unmatched text.
    department: str = ""

    @property
    def department_key(self) -> int | str:
        """Groups items by department record (by text when no record is assigned)."""
        return self.item.owner_department_id or self.item.owner_department

    @property
    def status(self) -> str:
        if self.item.status in (ItemStatus.DONE.value, ItemStatus.DROPPED.value):
            return self.item.status
        if self.overdue or self.overdue_milestones:
            return ItemStatus.DELAYED.value
        if self.progress > 0 or self.item.status == ItemStatus.IN_PROGRESS.value:
            return ItemStatus.IN_PROGRESS.value
        return ItemStatus.PLANNED.value


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    area_id: int | None = None
    source: str = ""
    department_id: int | None = None
    status: str = ""


def item_views(
    session: Session,
    today: date,
    filters: Filters | None = None,
    *,
    item_ids: Iterable[int] = (),
    fill: bool = True,
) -> list[ItemView]:
    """Items matching the filters (or exactly ``item_ids``), in plan and creation order;
    without ``fill``, their progress, spend and milestones are left for the caller."""
    filters = filters or Filters()
    query = (
        select(PlanItem, Plan, Area, Department.name, Department.short_name)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Area, Area.id == Plan.area_id)
        .outerjoin(Department, Department.id == PlanItem.owner_department_id)
        .order_by(Plan.year.desc(), Area.path, PlanItem.id)
    )
    ids = list(item_ids)
    if ids:
        query = query.where(PlanItem.id.in_(ids))
    query = _filtered(session, query, filters)
    views = [
        ItemView(
            item,
            plan,
            area,
            department=label(name, short) if name else item.owner_department,
        )
        for item, plan, area, name, short in session.execute(query).all()
    ]
    if fill:
        _fill(session, views, today)
    if filters.status:
        views = [v for v in views if v.status == filters.status]
    return views


def _fill(session: Session, views: list[ItemView], today: date) -> None:
    by_id = {v.item.id: v for v in views}
    if not by_id:
        return
    ids = list(by_id)
    latest = (
        select(Update.item_id, func.max(Update.id).label("last"), func.sum(Update.spend_yuan))
        .where(Update.item_id.in_(ids))
        .group_by(Update.item_id)
    )
    last_ids: dict[int, int] = {}
    for item_id, last, spend in session.execute(latest):
        by_id[item_id].spend_yuan = int(spend or 0)
        last_ids[last] = item_id
    reported: dict[int, int] = {}
    if last_ids:
        for update_id, progress in session.execute(
            select(Update.id, Update.progress).where(Update.id.in_(list(last_ids)))
        ):
            reported[last_ids[update_id]] = progress
    done_weights: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for m in session.scalars(select(Milestone).where(Milestone.item_id.in_(ids))):
        view = by_id[m.item_id]
        view.milestones.append((m.due_on, m.done_on))
        view.milestone_weight += m.weight
        done_weights[m.item_id].append((m.weight, m.done_on is not None))
        if is_overdue(m.due_on, m.done_on, today) and view.item.status not in (
            ItemStatus.DONE.value,
            ItemStatus.DROPPED.value,
        ):
            view.overdue_milestones += 1
    for item_id, outcome in session.execute(
        select(YearEndOutcome.item_id, YearEndOutcome.outcome).where(
            YearEndOutcome.item_id.in_(ids)
        )
    ):
        by_id[item_id].outcome = outcome
    for view in views:
        if view.item.id in reported:
            view.progress = reported[view.item.id]
        elif view.item.status == ItemStatus.DONE.value:
            view.progress = 100
        else:
            view.progress = milestone_progress(done_weights[view.item.id])
    _roll_up_parents(session, views)
    for view in views:
        closed = view.item.status in (ItemStatus.DONE.value, ItemStatus.DROPPED.value)
        view.overdue = item_overdue(view.item.due_on, view.progress, closed, today)


def _roll_up_parents(session: Session, views: list[ItemView]) -> None:
    """Parents shown on the board take their children's weighted progress."""
    parent_ids = [v.item.id for v in views]
    children = session.execute(
        select(PlanItem.parent_id, PlanItem.id, PlanItem.weight).where(
            PlanItem.parent_id.in_(parent_ids)
        )
    ).all()
    if not children:
        return
    child_views = {
        v.item.id: v for v in item_views(session, date.max, item_ids=[c[1] for c in children])
    }
    grouped: dict[int, list[Part]] = defaultdict(list)
    for parent_id, child_id, weight in children:
        assert parent_id is not None
        grouped[parent_id].append(Part(max(1, weight), child_views[child_id].progress))
    for view in views:
        if view.item.id in grouped:
            view.progress = roll_up(grouped[view.item.id])


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    second: int = 0  # spend next to budget


@dataclass(frozen=True)
class Figures:
    """What the board's charts show, each also given as a table."""

    progress_bins: list[Bar]
    on_time: OnTime
    # Per department: value = percent of due milestones done on time, second = due.
    on_time_by_department: list[Bar]
    by_source: list[Bar]
    by_department: list[Bar]
    total_budget: int
    total_spend: int


PROGRESS_BINS = (
    (0, 0, "0%"),
    (1, 24, "1–24%"),
    (25, 49, "25–49%"),
    (50, 74, "50–74%"),
    (75, 99, "75–99%"),
    (100, 100, "100%"),
)


def figures(views: Sequence[ItemView], today: date) -> Figures:
    """The figures over item views, in Python: the definition :func:`board_page`'s SQL
    must agree with (the tests compare both on the demo)."""
    bins = [
        Bar(label, sum(1 for v in views if low <= v.progress <= high))
        for low, high, label in PROGRESS_BINS
    ]
    all_milestones = [m for v in views for m in v.milestones]
    source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_key: dict[int | str, list[int]] = defaultdict(lambda: [0, 0])
    labels: dict[int | str, str] = {}
    for v in views:
        source[v.item.source_kind][0] += v.item.budget_yuan
        source[v.item.source_kind][1] += v.spend_yuan
        by_key[v.department_key][0] += v.item.budget_yuan
        by_key[v.department_key][1] += v.spend_yuan
        labels[v.department_key] = v.department
    milestones_of: dict[int | str, list[tuple[date, date | None]]] = defaultdict(list)
    for v in views:
        milestones_of[v.department_key].extend(v.milestones)
    rates = {k: on_time_rate(ms, today) for k, ms in milestones_of.items()}
    return Figures(
        progress_bins=bins,
        on_time=on_time_rate(all_milestones, today),
        on_time_by_department=[
            Bar(labels[k], r.percent or 0, r.due)
            for k, r in sorted(rates.items(), key=lambda kv: (kv[1].percent or 0, labels[kv[0]]))
            if r.due
        ],
        by_source=[Bar(k, b, s) for k, (b, s) in sorted(source.items(), key=lambda kv: -kv[1][0])],
        by_department=[
            Bar(labels[k], b, s)
            for k, (b, s) in sorted(by_key.items(), key=lambda kv: (-kv[1][0], labels[kv[0]]))
        ],
        total_budget=sum(v.item.budget_yuan for v in views),
        total_spend=sum(v.spend_yuan for v in views),
    )


def years(session: Session) -> list[int]:
    return list(session.scalars(select(Plan.year).distinct().order_by(Plan.year.desc())))


def plans(
    session: Session, *, after: int = 0, limit: int, year: int | None = None
) -> list[tuple[Plan, Area]]:
    """Plans with their areas by id (the open-data API): those with an id above
    ``after`` (only ``year``'s when given), at most ``limit`` of them (keyset paging)."""
    query = select(Plan, Area).join(Area, Area.id == Plan.area_id).where(Plan.id > after)
    if year:
        query = query.where(Plan.year == year)
    rows = session.execute(query.order_by(Plan.id).limit(limit))
    return [(plan, area) for plan, area in rows]


def latest_updates(session: Session, limit: int = 50) -> list[tuple[Update, PlanItem]]:
    """The latest ``limit`` updates of all items with their items, newest first."""
    rows = session.execute(
        select(Update, PlanItem)
        .join(PlanItem, PlanItem.id == Update.item_id)
        .order_by(Update.at.desc(), Update.id.desc())
        .limit(limit)
    )
    return [(update, item) for update, item in rows]


_DEPARTMENTS = (
    select(Department.id, Department.name, Department.short_name)
    .where(Department.id.in_(select(PlanItem.owner_department_id)))
    .order_by(Department.name)
)
_PLAN_AREAS = (
    select(Area.id, Area.name).where(Area.id.in_(select(Plan.area_id))).order_by(Area.path)
)


def departments(session: Session) -> list[tuple[int, str]]:
    """The department records that own at least one plan item (the board's filter),
    as (id, label) by name: scalar rows, no objects."""
    return [(i, label(name, short)) for i, name, short in session.execute(_DEPARTMENTS)]


def plan_areas(session: Session) -> list[tuple[int, str]]:
    """The areas that have a plan, as (id, name) in tree order: scalar rows."""
    return [(i, name) for i, name in session.execute(_PLAN_AREAS)]


def refresh_statuses(session: Session, today: date, item_ids: Iterable[int] = ()) -> int:
    """Store the board's status (planned, in progress, delayed, done) on open items, so
    that pages of other processes showing ``PlanItem.status`` agree with the board.

    Dropped and rolled-up items keep theirs. Runs after each change to an item and
    daily with ``gongzhi plan-remind`` (lateness changes with the date alone).
    Returns how many items changed.
    """
    ids = list(item_ids)
    if not ids:
        return _store_all_statuses(session, today)
    changed = 0
    for view in item_views(session, today, item_ids=ids):
        if view.outcome or view.item.status == ItemStatus.DROPPED.value:
            continue
        if view.item.status != view.status:
            view.item.status = view.status
            changed += 1
    store_board_statuses(session, today, ids)
    return changed


# --- The stored board status (``PlanItem.board_status``) ------------------------------
#
# Invariant: an item's ``board_status`` is the status :func:`_facts` computes for it
# (the board's definition, :attr:`ItemView.status`) as of the day of the last write
# to the item or to an item below it (each writing service calls
# :func:`store_board_statuses` for the items it changed: their ancestors follow), or
# of the last plan-figures run (:func:`store_all_board_statuses`, hourly), whichever
# came later. Between two runs only the date can have moved an item on: a milestone
# or due date passing makes an open item "delayed" up to an hour late on the status
# filter's pages (the rows themselves show the status computed now). Items written
# around the services (bulk inserts) hold None until the next run.


def local_today() -> date:
    """Today in the portal's time zone (Asia/Shanghai, web.kit.i18n.LOCAL_TZ), for the
    writing services that are not given the day."""
    return utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()


def _with_ancestors(session: Session, item_ids: Iterable[int]) -> list[int]:
    """``item_ids`` and every item above them (a parent's progress is its children's)."""
    ids = set(item_ids)
    frontier = set(ids)
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        parents = session.scalars(
            select(PlanItem.parent_id).where(
                PlanItem.id.in_(frontier), PlanItem.parent_id.is_not(None)
            )
        )
        frontier = {p for p in parents if p is not None} - ids
        ids |= frontier
    return sorted(ids)


def _write_board_statuses(session: Session, changes: Sequence[Any]) -> None:
    """Store the (item id, board status) pairs ``changes``, ``STATUS_CHUNK`` a batch;
    the loaded objects are given the stored values."""
    table = typing.cast(Table, PlanItem.__table__)
    for start in range(0, len(changes), STATUS_CHUNK):
        chunk = changes[start : start + STATUS_CHUNK]
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("item"))
            .values(board_status=bindparam("new")),
            [{"item": i, "new": status} for i, status in chunk],
        )
    for item_id, status in changes:
        loaded = session.identity_map.get(identity_key(PlanItem, item_id))
        if loaded is not None:
            set_committed_value(loaded, "board_status", status)


def _board_status_changes(facts_of: Select[Any]) -> Select[Any]:
    facts = facts_of.subquery("facts")
    return (
        select(facts.c.id, facts.c.status)
        .join(PlanItem, PlanItem.id == facts.c.id)
        .where(PlanItem.board_status.is_distinct_from(facts.c.status))
        .order_by(facts.c.id)
    )


def store_board_statuses(session: Session, today: date, item_ids: Iterable[int]) -> int:
    """Store the board status of the items ``item_ids`` and of the items above them,
    as of ``today`` (the writing services call it after each change); returns how
    many changed."""
    ids = _with_ancestors(session, item_ids)
    if not ids:
        return 0
    changes = session.execute(
        _board_status_changes(_facts(session, today, Filters(), only=ids))
    ).all()
    _write_board_statuses(session, changes)
    decisions.store(session, ids)  # whether each needs a decision: stored alongside
    return len(changes)


def store_all_board_statuses(session: Session, today: date) -> int:
    """Every item's board status as of ``today``, computed set-based in SQL and written
    where it differs (the plan-figures job), and whether it needs a decision
    (:mod:`participation.plan.decisions`); returns how many statuses changed."""
    changes = session.execute(_board_status_changes(_facts(session, today, Filters()))).all()
    _write_board_statuses(session, changes)
    decisions.store_all(session)
    return len(changes)


#: Status changes written per UPDATE batch by :func:`_store_all_statuses`.
STATUS_CHUNK = 1_000


def _store_all_statuses(session: Session, today: date) -> int:
    """Every open item's board status stored, set-based: the statuses are computed in
    SQL (:func:`_facts`, the same definition the board uses), only the items whose
    stored status differs are read (as id and status, no objects), and they are
    written ``STATUS_CHUNK`` at a time. Dropped items and items rolled up at year end
    keep theirs."""
    facts = _facts(session, today, Filters()).subquery("facts")
    changes = session.execute(
        select(facts.c.id, facts.c.status)
        .join(PlanItem, PlanItem.id == facts.c.id)
        .where(
            PlanItem.status != ItemStatus.DROPPED.value,
            PlanItem.status != facts.c.status,
            ~select(YearEndOutcome.id).where(YearEndOutcome.item_id == PlanItem.id).exists(),
        )
        .order_by(facts.c.id)
    ).all()
    table = typing.cast(Table, PlanItem.__table__)
    for start in range(0, len(changes), STATUS_CHUNK):
        chunk = changes[start : start + STATUS_CHUNK]
        session.connection().execute(
            update(table).where(table.c.id == bindparam("item")).values(status=bindparam("new")),
            [{"item": i, "new": status} for i, status in chunk],
        )
    if changes:
        session.expire_all()  # objects loaded before hold the old statuses
    return len(changes)


# --- The board at any size: the table paged and the figures aggregated in SQL --------
#
# Each item's progress and board status are computed in SQL from its updates and
# milestones (and, for a parent, its children's), never read from the stored
# ``PlanItem.status`` beyond "done"/"dropped"/"in_progress" as entered: the stored
# "delayed" that ``plan-remind`` writes may be stale (a parent is not refreshed when a
# child moves), so the board derives lateness from the dates of open milestones and
# the rolled-up progress, exactly as :class:`ItemView` does.

_CLOSED = (ItemStatus.DONE.value, ItemStatus.DROPPED.value)


def _at_least_one(value: ColumnElement[int]) -> ColumnElement[int]:
    return case((value < 1, 1), else_=value)


def _scope(
    filters: Filters,
    area_path: str | None,
    only: Sequence[int] | None,
    plans: Sequence[tuple[int, int]] | None = None,
) -> Select[int, int | None, int]:
    """The items of the plans the year and area filters choose (only ``only``, if given;
    only those of the plans of the (year, area id) pairs ``plans``, if given)."""
    query = (
        select(PlanItem.id, PlanItem.parent_id, PlanItem.weight)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Area, Area.id == Plan.area_id)
    )
    if filters.year:
        query = query.where(Plan.year == filters.year)
    if area_path is not None:
        query = query.where(Area.path.startswith(area_path))
    if only is not None:
        query = query.where(PlanItem.id.in_(only))
    if plans is not None:
        query = query.where(
            or_(*[and_(Plan.year == year, Plan.area_id == area) for year, area in plans])
        )
    return query


#: Deeper nesting than any plan has; guards the depth query against a cycle.
MAX_DEPTH = 50


def _facts(
    session: Session,
    today: date,
    filters: Filters,
    only: Sequence[int] | None = None,
    plans: Sequence[tuple[int, int]] | None = None,
) -> Select[Any]:
    """One row per matching item (of ``only``, if given; of the plans of the (year,
    area id) pairs ``plans``, if given), scalar columns only: id, progress, spend,
    overdue open milestones, board status and what the figures group by."""
    area_path = None
    if filters.area_id:
        area = session.get(Area, filters.area_id)
        area_path = area.path if area is not None else None
    scoped = _scope(filters, area_path, only, plans)
    depth = int(session.scalar(select(func.max(_tree(scoped)[1].c.depth))) or 0)
    return _facts_at(today, filters, scoped, depth)


def _tree(scoped: Select[int, int | None, int]) -> tuple[CTE, CTE]:
    """The chosen items and everything below them (a child may be in another plan:
    a city item broken down into community items), for the roll-ups, with their
    depth below the chosen ones."""
    base = scoped.cte("base")
    below = aliased(PlanItem)
    tree = select(
        base.c.id, base.c.parent_id, base.c.weight, literal_column("0", Integer).label("depth")
    ).cte("tree", recursive=True)
    tree = tree.union_all(
        select(below.id, below.parent_id, below.weight, (tree.c.depth + 1).label("depth"))
        .join(tree, below.parent_id == tree.c.id)
        .where(tree.c.depth < MAX_DEPTH)
    )
    return base, tree


def _facts_at(
    today: date | BindParameter[date],
    filters: Filters,
    scoped: Select[int, int | None, int],
    depth: int,
    *,
    bare: bool = False,
    by_status: bool = False,
) -> Select[Any]:
    """:func:`_facts` of the items ``scoped`` chooses, rolled up ``depth`` levels
    (``bare``: only their id, progress, late open milestones and lateness;
    ``by_status``: only those whose board status is the parameter ``status``)."""
    base, tree = _tree(scoped)
    scope = select(tree.c.id, tree.c.parent_id, tree.c.weight).distinct().cte("scope")
    spent = (
        select(
            Update.item_id,
            func.max(Update.id).label("last"),
            func.sum(Update.spend_yuan).label("spend"),
        )
        .where(Update.item_id.in_(select(scope.c.id)))
        .group_by(Update.item_id)
        .cte("spent")
    )
    last = aliased(Update)
    steps = (
        select(
            Milestone.item_id,
            func.sum(case((Milestone.done_on.is_not(None), Milestone.weight), else_=0)).label(
                "done_weight"
            ),
            func.sum(
                case((and_(Milestone.done_on.is_(None), Milestone.due_on < today), 1), else_=0)
            ).label("late_steps"),
            # rules.on_time_rate: due by today (or done), and done by the due date.
            func.sum(
                case((Milestone.done_on.is_not(None), 1), (Milestone.due_on < today, 1), else_=0)
            ).label("due_steps"),
            func.sum(
                case(
                    (
                        and_(Milestone.done_on.is_not(None), Milestone.done_on <= Milestone.due_on),
                        1,
                    ),
                    else_=0,
                )
            ).label("on_time_steps"),
        )
        .where(Milestone.item_id.in_(select(scope.c.id)))
        .group_by(Milestone.item_id)
        .cte("steps")
    )
    done_weight = func.coalesce(steps.c.done_weight, 0)
    own = (
        select(
            PlanItem.id,
            case(
                (last.progress.is_not(None), last.progress),
                (PlanItem.status == ItemStatus.DONE.value, 100),
                (done_weight > 100, 100),
                else_=done_weight,
            ).label("progress"),
        )
        .join(scope, scope.c.id == PlanItem.id)
        .outerjoin(spent, spent.c.item_id == PlanItem.id)
        .outerjoin(last, last.id == spent.c.last)
        .outerjoin(steps, steps.c.item_id == PlanItem.id)
        .cte("level0")
    )
    # A parent's progress is its children's, rolled up (rules.roll_up): level k is right
    # for every item with at most k levels below it.
    level = own
    for k in range(1, depth + 1):
        child = aliased(level)
        weight = _at_least_one(scope.c.weight)
        # Integer sums (PostgreSQL's sum of a bigint is numeric) for an integer division.
        total = cast(func.sum(weight), BigInteger)
        weighted = cast(func.sum(weight * child.c.progress), BigInteger)
        mean = (2 * weighted + total) // (2 * total)
        rolled = (
            select(
                scope.c.parent_id,
                case((and_(mean == 100, func.min(child.c.progress) < 100), 99), else_=mean).label(
                    "progress"
                ),
            )
            .join(child, child.c.id == scope.c.id)
            .where(scope.c.parent_id.is_not(None))
            .group_by(scope.c.parent_id)
            .subquery()
        )
        level = (
            select(own.c.id, func.coalesce(rolled.c.progress, own.c.progress).label("progress"))
            .outerjoin(rolled, rolled.c.parent_id == own.c.id)
            .cte(f"level{k}")
        )
    progress = level.c.progress
    closed = PlanItem.status.in_(_CLOSED)
    late_steps = case((closed, 0), else_=func.coalesce(steps.c.late_steps, 0))
    overdue = and_(~closed, progress < 100, PlanItem.due_on.is_not(None), PlanItem.due_on < today)
    status = case(
        (closed, PlanItem.status),
        (or_(overdue, late_steps > 0), ItemStatus.DELAYED.value),
        (
            or_(progress > 0, PlanItem.status == ItemStatus.IN_PROGRESS.value),
            ItemStatus.IN_PROGRESS.value,
        ),
        else_=ItemStatus.PLANNED.value,
    )
    if bare:  # a page's rows: no plan, area or department to join
        return (
            select(
                PlanItem.id,
                progress.label("progress"),
                late_steps.label("late_steps"),
                case((overdue, 1), else_=0).label("overdue"),
                func.coalesce(spent.c.spend, 0).label("spend"),
            )
            .select_from(base)
            .join(PlanItem, PlanItem.id == base.c.id)
            .join(level, level.c.id == PlanItem.id)
            .outerjoin(steps, steps.c.item_id == PlanItem.id)
            .outerjoin(spent, spent.c.item_id == PlanItem.id)
        )
    facts = (
        select(
            PlanItem.id,
            progress.label("progress"),
            func.coalesce(spent.c.spend, 0).label("spend"),
            late_steps.label("late_steps"),
            func.coalesce(steps.c.due_steps, 0).label("due_steps"),
            func.coalesce(steps.c.on_time_steps, 0).label("on_time_steps"),
            case((overdue, 1), else_=0).label("overdue"),
            status.label("status"),
            PlanItem.source_kind,
            PlanItem.budget_yuan,
            PlanItem.owner_department_id,
            # Items without a department record are grouped by the text they name.
            case(
                (PlanItem.owner_department_id.is_(None), PlanItem.owner_department), else_=""
            ).label("department_text"),
            Department.name.label("department_name"),
            Department.short_name.label("department_short"),
            Plan.year,
            Plan.area_id,
            Area.path,
        )
        .join(level, level.c.id == PlanItem.id)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Area, Area.id == Plan.area_id)
        .outerjoin(Department, Department.id == PlanItem.owner_department_id)
        .outerjoin(spent, spent.c.item_id == PlanItem.id)
        .outerjoin(steps, steps.c.item_id == PlanItem.id)
        .where(PlanItem.id.in_(select(base.c.id)))
    )
    if filters.source:
        facts = facts.where(PlanItem.source_kind == filters.source)
    if filters.department_id:
        facts = facts.where(PlanItem.owner_department_id == filters.department_id)
    if filters.status:
        facts = facts.where(status == filters.status)
    if by_status:
        facts = facts.where(status == bindparam("status"))
    return facts


@dataclass
class Board:
    """The board's table page and figures, each in a bounded number of statements."""

    count: int
    late: int
    rows: list[ItemView]
    figures: Figures
    #: When the count and figures were stored (board_counts); None: counted now.
    as_of: datetime | None = None


def board_page(session: Session, today: date, filters: Filters, page: int, per_page: int) -> Board:
    """Page ``page`` (from 1; past the end: the last) of the items matching ``filters``,
    in plan and creation order, and the figures over all of them: from the summary
    table the worker keeps (:mod:`participation.plan.board_counts`) once it has run,
    else computed in SQL over every matching item."""
    return _board(session, today, filters, page, per_page, _summary(session, today, filters))


def board_figures(
    session: Session, today: date, filters: Filters
) -> tuple[Figures, datetime | None]:
    """The board's figures over every item matching ``filters`` and when they were
    stored (None: counted now), as :func:`board_page` gives them, without its table."""
    summary = _summary(session, today, filters)
    return summary.figures, summary.as_of


@dataclass(frozen=True)
class _Summary:
    figures: Figures
    count: int
    late: int
    #: When stored (board_counts); None: counted now.
    as_of: datetime | None
    #: The area filter's path (None: no area, or an unknown one).
    area_path: str | None


def _summary(session: Session, today: date, filters: Filters) -> _Summary:
    """The figures, count and late items (stored, else live)."""
    run = board_counts.last_run(session)
    area_path = None
    if filters.area_id:
        area = session.get(Area, filters.area_id)
        area_path = area.path if area is not None else None
    if run is not None:
        rows = board_counts.parts(
            session,
            year=filters.year,
            area_path=area_path,
            source=filters.source,
            department_id=filters.department_id,
            status=filters.status,
        )
        by_status = {r[2]: int(r[8]) for r in rows if r[0] == 1}
        return _Summary(
            _figures_of_parts(rows),
            sum(by_status.values()),
            by_status.get(ItemStatus.DELAYED.value, 0),
            run.computed_at,
            area_path,
        )
    facts = _facts(session, today, filters).subquery("facts")
    dept_key = (facts.c.owner_department_id, facts.c.department_text)
    live = session.execute(
        select(
            facts.c.source_kind,
            *dept_key,
            facts.c.department_name,
            facts.c.department_short,
            facts.c.progress,
            facts.c.status,
            func.count(),
            func.sum(facts.c.budget_yuan),
            func.sum(facts.c.spend),
            func.sum(facts.c.due_steps),
            func.sum(facts.c.on_time_steps),
        ).group_by(
            facts.c.source_kind,
            *dept_key,
            facts.c.department_name,
            facts.c.department_short,
            facts.c.progress,
            facts.c.status,
        )
    ).all()
    grouped = [tuple(r) for r in live]
    return _Summary(
        _figures_of(grouped),
        sum(int(r[7]) for r in grouped),
        sum(int(r[7]) for r in grouped if r[6] == ItemStatus.DELAYED.value),
        None,
        area_path,
    )


def _board(
    session: Session,
    today: date,
    filters: Filters,
    page: int,
    per_page: int,
    summary: _Summary,
) -> Board:
    """The board from its grouped figures: the page of items computed for its items.

    Once the summary is stored, the table (and the count that pages it) is chosen by
    stored columns on the plan index, the status filter by each item's stored
    ``board_status`` (see :func:`store_board_statuses` for when it holds): every
    item of the filter is on exactly one page. Before it, the status of every
    matching item is computed on the spot."""
    if filters.status and summary.as_of is None:
        count = summary.count
        page = min(max(1, page), max(1, -(-count // per_page)))
        facts = _facts(session, today, filters).subquery("facts")
        ids = list(
            session.scalars(
                select(facts.c.id)
                .order_by(facts.c.year.desc(), facts.c.path, facts.c.id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        )
        rows = item_views(session, today, item_ids=ids, fill=False) if ids else []
    else:  # the page is chosen by stored columns, in two queries; computed for its items
        counts = _plan_counts(session, filters, summary.area_path)
        count = sum(n for _, n in counts)
        page = min(max(1, page), max(1, -(-count // per_page)))
        rows = _page_views(session, filters, counts, per_page, (page - 1) * per_page)
    _compute(session, today, rows)
    return Board(
        count=count,
        late=summary.late,
        rows=rows,
        figures=summary.figures,
        as_of=summary.as_of,
    )


def shown_views(session: Session, today: date, item_ids: Sequence[int]) -> list[ItemView]:
    """The views of the items ``item_ids``, in the board's order, with their progress
    (rolled up), spend, late open milestones and lateness as the board computes them:
    three statements, whatever the number of items. Their milestones and year-end
    outcomes are not read (:func:`item_views` reads them)."""
    views = item_views(session, today, item_ids=item_ids, fill=False) if item_ids else []
    _compute(session, today, views)
    return views


def _compute(session: Session, today: date, views: list[ItemView]) -> None:
    """Fill ``views``' progress, spend, late open milestones and lateness in SQL."""
    if not views:
        return
    ids = [v.item.id for v in views]
    depth = int(session.scalar(_shown_depth(), {"only": ids}) or 0)
    computed = {r[0]: r for r in session.execute(_shown(depth), {"only": ids, "today": today})}
    for view in views:
        _, view.progress, view.overdue_milestones, overdue, spend = computed[view.item.id]
        view.overdue = bool(overdue)
        view.spend_yuan = int(spend)


def _shown_scope() -> Select[int, int | None, int]:
    """The items of the parameter ``only`` (a list of ids)."""
    only: Any = bindparam("only", expanding=True)
    return _scope(Filters(), None, only)


@functools.cache
def _shown_depth() -> Select[Any]:
    """How deep the items ``only`` (a parameter) nest: built once, run with the ids."""
    return select(func.max(_tree(_shown_scope())[1].c.depth))


@functools.cache
def _shown(depth: int) -> Select[Any]:
    """Progress, open late milestones and lateness of the items ``only`` as of
    ``today`` (both parameters), rolled up ``depth`` levels: the statement of a page's
    rows, built once per depth (building it costs more than running it)."""
    return _facts_at(bindparam("today", type_=Date), Filters(), _shown_scope(), depth, bare=True)


@dataclass(frozen=True)
class _Chosen:
    """Which of the filters on the items' own columns are set: the shape of the
    board's statements, each built once per shape and run with the values."""

    source: bool
    department: bool
    status: bool


def _chosen(filters: Filters) -> tuple[_Chosen, dict[str, Any]]:
    """The filters' shape and their values as the statements' parameters."""
    values = {
        "source": filters.source or None,
        "department_id": filters.department_id or None,
        "status": filters.status or None,
    }
    shape = _Chosen(*(v is not None for v in values.values()))
    return shape, {k: v for k, v in values.items() if v is not None}


def _stored(shape: _Chosen, query: Select[*_Ts], suffix: str = "") -> Select[*_Ts]:
    """``query`` (of plan items) narrowed by the filters on the items' own columns
    (source, department and stored board status), as parameters named after them
    (with ``suffix``)."""
    if shape.source:
        query = query.where(PlanItem.source_kind == bindparam("source" + suffix))
    if shape.department:
        query = query.where(PlanItem.owner_department_id == bindparam("department_id" + suffix))
    if shape.status:
        query = query.where(PlanItem.board_status == bindparam("status" + suffix))
    return query


@functools.cache
def _plan_counts_query(shape: _Chosen, year: bool, area: bool) -> Select[Any]:
    """:func:`_plan_counts`' statement for a shape of filters, built once."""
    # A count per plan, on the plan index (covering with the status): cheaper than a
    # join grouped by plan, which reads each item's row.
    n = _stored(shape, select(func.count()).where(PlanItem.plan_id == Plan.id))
    query = (
        select(Plan.id, n.scalar_subquery())
        .join(Area, Area.id == Plan.area_id)
        .order_by(Plan.year.desc(), Area.path, Plan.id)
    )
    if year:
        query = query.where(Plan.year == bindparam("year"))
    if area:
        query = query.where(Area.path.startswith(bindparam("area_path", type_=String)))
    return query


def _plan_counts(
    session: Session, filters: Filters, area_path: str | None
) -> list[tuple[int, int]]:
    """How many items matching ``filters`` (the status by the stored board status)
    each plan holds, as (plan id, count), in the board's order (newest year first,
    then by place in the area tree): counted on the plan index."""
    shape, params = _chosen(filters)
    area = bool(filters.area_id and area_path is not None)  # an unknown area: no filter
    query = _plan_counts_query(shape, bool(filters.year), area)
    if filters.year:
        params["year"] = filters.year
    if area:
        params["area_path"] = area_path
    rows = session.connection().execute(query, params)
    return [(int(p), int(n)) for p, n in rows if n]


@functools.cache
def _page_query(shape: _Chosen, plans: int) -> Select[PlanItem, Plan, Area, str, str]:
    """:func:`_page_views`' statement for a shape of filters and a page spanning
    ``plans`` plans, built once: the parameters ``plan_k``, ``limit_k`` and
    ``offset_k`` say which of each plan's items the page takes."""
    parts: list[Select[Any]] = []
    for k in range(plans):
        part = _stored(shape, select(PlanItem.id).where(PlanItem.plan_id == bindparam(f"plan_{k}")))
        inner = (
            part.order_by(PlanItem.id)
            .limit(bindparam(f"limit_{k}", type_=Integer))
            .offset(bindparam(f"offset_{k}", type_=Integer))
        )
        parts.append(select(inner.subquery().c.id))
    chosen = parts[0] if len(parts) == 1 else union_all(*parts)
    return (
        select(PlanItem, Plan, Area, Department.name, Department.short_name)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Area, Area.id == Plan.area_id)
        .outerjoin(Department, Department.id == PlanItem.owner_department_id)
        .where(PlanItem.id.in_(chosen))
        .order_by(Plan.year.desc(), Area.path, PlanItem.id)
    )


def _page_views(
    session: Session,
    filters: Filters,
    counts: Sequence[tuple[int, int]],
    limit: int,
    offset: int,
) -> list[ItemView]:
    """The views (not filled) of the items from ``offset`` among those the filters
    choose (:func:`_plan_counts` gave each plan's count), in the board's order (newest
    year, place in the area tree, item id): one query, sorting no year's items.

    In each plan the page falls in, its matching items are read in id order from the
    plan index ((board_status, plan_id, id) with a status), only as many as the page
    takes."""
    shape, values = _chosen(filters)
    params: dict[str, Any] = {}
    before = 0
    for plan_id, n in counts:
        start, end = max(offset, before), min(offset + limit, before + n)
        if start < end:
            k = len(params) // 3
            params |= {f"plan_{k}": plan_id, f"limit_{k}": end - start}
            params[f"offset_{k}"] = start - before
        before += n
    if not params:
        return []
    query = _page_query(shape, len(params) // 3)
    return [
        ItemView(item, plan, area, department=label(name, short) if name else item.owner_department)
        for item, plan, area, name, short in session.execute(query, params | values).all()
    ]


def _filtered(session: Session, query: Select[*_Ts], filters: Filters) -> Select[*_Ts]:
    """``query`` (of plan items joined to plans and areas) narrowed by the filters
    other than status."""
    if filters.year:
        query = query.where(Plan.year == filters.year)
    if filters.area_id:
        area = session.get(Area, filters.area_id)
        if area is not None:
            query = query.where(Area.path.startswith(area.path))
    if filters.source:
        query = query.where(PlanItem.source_kind == filters.source)
    if filters.department_id:
        query = query.where(PlanItem.owner_department_id == filters.department_id)
    return query


def _figures_of_parts(rows: Sequence[Any]) -> Figures:
    """The figures from :func:`board_counts.parts`' rows, as :func:`_figures_of` gives
    them from the grouped rows."""
    bins = [
        Bar(name, sum(int(r[8]) for r in rows if r[0] == 0 and low <= r[1] <= high))
        for low, high, name in PROGRESS_BINS
    ]
    source = {r[3]: (int(r[9] or 0), int(r[10] or 0)) for r in rows if r[0] == 2}
    labels: dict[int | str, str] = {}
    money: dict[int | str, tuple[int, int]] = {}
    rates: dict[int | str, OnTime] = {}
    for _, _, _, _, dept_id, text, name, short, _n, budget, spend, due, ok in (
        r for r in rows if r[0] == 3
    ):
        key = dept_id or text
        labels[key] = label(name, short) if name else text
        money[key] = (int(budget or 0), int(spend or 0))
        rates[key] = OnTime(int(due or 0), int(ok or 0))
    return _assembled(bins, rates, labels, source, money)


def _assembled(
    bins: list[Bar],
    rates: Mapping[int | str, OnTime],
    labels: Mapping[int | str, str],
    source: Mapping[str, Sequence[int]],
    money: Mapping[int | str, Sequence[int]],
) -> Figures:
    """The board's figures from per-department rates and money (keyed by department
    id, or its typed name) and per-source money: (budget, spend) pairs."""
    return Figures(
        progress_bins=bins,
        on_time=OnTime(sum(r.due for r in rates.values()), sum(r.on_time for r in rates.values())),
        on_time_by_department=[
            Bar(labels[k], r.percent or 0, r.due)
            for k, r in sorted(rates.items(), key=lambda kv: (kv[1].percent or 0, labels[kv[0]]))
            if r.due
        ],
        by_source=[
            Bar(k, b, s) for k, (b, s) in sorted(source.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ],
        by_department=[
            Bar(labels[k], b, s)
            for k, (b, s) in sorted(money.items(), key=lambda kv: (-kv[1][0], labels[kv[0]]))
        ],
        total_budget=sum(b for b, _ in source.values()),
        total_spend=sum(s for _, s in source.values()),
    )


def _figures_of(grouped: Sequence[Any]) -> Figures:
    """The figures from the grouped rows (source, department, progress, status: count,
    budget, spend, milestones due, milestones on time)."""
    bins = [
        Bar(name, sum(int(r[7]) for r in grouped if low <= r[5] <= high))
        for low, high, name in PROGRESS_BINS
    ]
    source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_key: dict[int | str, list[int]] = defaultdict(lambda: [0, 0])
    labels: dict[int | str, str] = {}
    due: dict[int | str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, dept_id, text, name, short, _progress, _status, _n, budget, spend, d, ok in grouped:
        key = dept_id or text
        due[key][0] += int(d or 0)
        due[key][1] += int(ok or 0)
        source[kind][0] += int(budget or 0)
        source[kind][1] += int(spend or 0)
        by_key[key][0] += int(budget or 0)
        by_key[key][1] += int(spend or 0)
        labels[key] = label(name, short) if name else text
    rates = {k: OnTime(d, ok) for k, (d, ok) in due.items()}
    return _assembled(bins, rates, labels, source, by_key)


def export_rows(session: Session, today: date, filters: Filters) -> Iterator[RowMapping]:
    """Every item matching ``filters``, in the board's order, as scalar rows (an export
    of all items: one statement, no ORM objects): the item's columns, its plan's year
    and area, and its computed ``progress``, ``spend``, ``late_steps``, ``status`` and
    year-end ``outcome``."""
    query = _export_query(_facts(session, today, filters)).order_by(
        Plan.year.desc(), Area.path, PlanItem.id
    )
    yield from session.execute(query.execution_options(yield_per=1_000)).mappings()


def export_page(
    session: Session, today: date, filters: Filters, *, after: int, limit: int
) -> list[RowMapping]:
    """The items matching ``filters`` with an id above ``after``, by id, at most
    ``limit`` of them, as :func:`export_rows` gives them (the API's keyset pages):
    computed for the page's items only; with a status filter, for the items after
    ``after`` a chunk at a time until the page is full."""
    chunk = limit if not filters.status else max(limit, 200)
    found: list[RowMapping] = []
    while len(found) < limit:
        ids = list(
            session.scalars(
                _filtered(
                    session,
                    select(PlanItem.id)
                    .join(Plan, Plan.id == PlanItem.plan_id)
                    .join(Area, Area.id == Plan.area_id),
                    filters,
                )
                .where(PlanItem.id > after)
                .order_by(PlanItem.id)
                .limit(chunk)
            )
        )
        if not ids:
            break
        depth = int(session.scalar(_shown_depth(), {"only": ids}) or 0)
        asked = {"only": ids, "today": today, "status": filters.status}
        found.extend(session.execute(_export_page(depth, bool(filters.status)), asked).mappings())
        after = ids[-1]
        if len(ids) < chunk:
            break
    return found[:limit]


@functools.cache
def _export_page(depth: int, by_status: bool) -> Select[*tuple[Any, ...]]:
    """The exported rows of the items ``only`` as of ``today`` (parameters; with
    ``by_status``, only those whose board status is the parameter ``status``),
    rolled up ``depth`` levels, by id: built once per shape (building the statement
    cost an API page ten times what running it did). The other filters chose
    ``only`` already."""
    facts = _facts_at(
        bindparam("today", type_=Date), Filters(), _shown_scope(), depth, by_status=by_status
    )
    return _export_query(facts).order_by(PlanItem.id)


def _export_query(facts_of: Select[Any]) -> Select[*tuple[Any, ...]]:
    """The exported columns of the items ``facts_of`` (a :func:`_facts` query) holds."""
    facts = facts_of.subquery("facts")
    return (
        select(
            PlanItem.id,
            PlanItem.plan_id,
            Plan.year,
            Area.id.label("area_id"),
            Area.name.label("area"),
            PlanItem.parent_id,
            PlanItem.title,
            PlanItem.source_kind,
            PlanItem.source_id,
            PlanItem.owner_department,
            PlanItem.owner_department_id,
            PlanItem.budget_yuan,
            facts.c.spend,
            PlanItem.starts_on,
            PlanItem.due_on,
            facts.c.progress,
            facts.c.status,
            facts.c.late_steps,
            YearEndOutcome.outcome,
        )
        .join(PlanItem, PlanItem.id == facts.c.id)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Area, Area.id == Plan.area_id)
        .outerjoin(YearEndOutcome, YearEndOutcome.item_id == PlanItem.id)
    )
