"""The progress board (挂图作战): plan items with their computed progress, spend and
lateness, filtered, and the figures the charts show.

An item's progress is its owner's latest reported progress; before any report,
the weights of its done milestones. A parent item's progress is rolled up from
its children by their weights. Loaded in a fixed number of queries, whatever
the number of items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.departments import Department
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
) -> list[ItemView]:
    """Items matching the filters (or exactly ``item_ids``), in plan and creation order."""
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
    views = [
        ItemView(
            item,
            plan,
            area,
            department=label(name, short) if name else item.owner_department,
        )
        for item, plan, area, name, short in session.execute(query).all()
    ]
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


def plans(session: Session, year: int | None = None) -> list[tuple[Plan, Area]]:
    """Every plan with its area (only ``year``'s when given), the newest year first,
    then by place in the area tree."""
    query = select(Plan, Area).join(Area, Area.id == Plan.area_id)
    if year:
        query = query.where(Plan.year == year)
    rows = session.execute(query.order_by(Plan.year.desc(), Area.path))
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


def departments(session: Session) -> Sequence[Department]:
    """The department records that own at least one plan item (the board's filter)."""
    return session.scalars(
        select(Department)
        .where(Department.id.in_(select(PlanItem.owner_department_id)))
        .order_by(Department.name)
    ).all()


def plan_areas(session: Session) -> Sequence[Area]:
    return session.scalars(
        select(Area).where(Area.id.in_(select(Plan.area_id))).order_by(Area.path)
    ).all()


def refresh_statuses(session: Session, today: date, item_ids: Iterable[int] = ()) -> int:
    """Store the board's status (planned, in progress, delayed, done) on open items, so
    that pages of other processes showing ``PlanItem.status`` agree with the board.

    Dropped and rolled-up items keep theirs. Runs after each change to an item and
    daily with ``gongzhi plan-remind`` (lateness changes with the date alone).
    Returns how many items changed.
    """
    ids = list(item_ids)
    if not ids:
        ids = list(
            session.scalars(
                select(PlanItem.id).where(
                    PlanItem.status != ItemStatus.DROPPED.value,
                    ~select(YearEndOutcome.id)
                    .where(YearEndOutcome.item_id == PlanItem.id)
                    .exists(),
                )
            )
        )
        if not ids:
            return 0
    changed = 0
    for view in item_views(session, today, item_ids=ids):
        if view.outcome or view.item.status == ItemStatus.DROPPED.value:
            continue
        if view.item.status != view.status:
            view.item.status = view.status
            changed += 1
    return changed
