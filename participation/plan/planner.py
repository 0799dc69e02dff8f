"""The planner's desk (/admin/plan) at a city's size: where the year's items came
from, what is late and what needs a decision, each counted and paged in SQL over
the areas the planner holds, so that no request builds an object per item of the
year; only the items of the shown pages are loaded (:func:`board.item_views`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, func, or_, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.plan import board, board_counts
from participation.plan.decisions import needs_decision
from participation.plan.models import Plan, PlanItem
from participation.plan.sources import ItemStatus

#: Items a page of the planner's lists.
PER_PAGE = 50


@dataclass(frozen=True)
class Listed:
    """One page (from 1) of a list of items, and how many there are in all."""

    views: list[board.ItemView]
    total: int
    page: int
    pages: int

    @property
    def number(self) -> int:
        return self.page

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class Desk:
    sources: list[tuple[str, int]]
    late: Listed
    decide: Listed


def _within(path: SQLColumnExpression[str], scope: Sequence[str] | None) -> ColumnElement[bool]:
    """Inside one of the subtrees ``scope`` (None: everywhere)."""
    if scope is None:
        return path.is_not(None)
    if not scope:
        return path.is_(None)  # no area at all
    return or_(*(path.startswith(p) for p in scope))


def _page(
    session: Session, today: date, ids_query: Select[int, int, str], page: int, per_page: int
) -> Listed:
    ordered = ids_query.subquery("listed")
    listed = select(ordered.c.id, func.count().over()).order_by(
        ordered.c.year.desc(), ordered.c.path, ordered.c.id
    )
    page = max(1, page)
    # The page and the count in one pass over the list (it is read whole either way).
    rows = session.execute(listed.limit(per_page).offset((page - 1) * per_page)).all()
    total = int(rows[0][1]) if rows else 0
    if not rows and page > 1:  # past its end (or empty): the last page
        total = session.scalar(select(func.count()).select_from(ordered)) or 0
        if total:
            page = -(-total // per_page)
            rows = session.execute(listed.limit(per_page).offset((page - 1) * per_page)).all()
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    ids = [int(r[0]) for r in rows]
    found = {v.item.id: v for v in board.item_views(session, today, item_ids=ids)} if ids else {}
    return Listed([found[i] for i in ids if i in found], total, page, pages)


@dataclass(frozen=True)
class PlanList:
    """One page (from 1) of the plans, each with its area, and how many there are."""

    rows: list[tuple[Plan, Area]]
    total: int
    page: int
    pages: int

    @property
    def number(self) -> int:
        return self.page

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def plans_page(
    session: Session,
    year: int | None,
    scope: Sequence[str] | None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> PlanList:
    """One page of the plans of ``year`` (None: every year) over the subtrees ``scope``,
    the newest year first, then by place in the area tree: two statements."""
    query = select(Plan, Area).join(Area, Area.id == Plan.area_id).where(_within(Area.path, scope))
    if year:
        query = query.where(Plan.year == year)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        query.order_by(Plan.year.desc(), Area.path, Plan.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return PlanList([(plan, area) for plan, area in rows], total, page, pages)


def _sources(
    session: Session, year: int | None, scope: Sequence[str] | None, stored: bool
) -> list[tuple[str, int]]:
    """How many items of ``year`` over ``scope`` came from each source, most first:
    once the plan-figures job has run, from its summary (the board's counts by source,
    as of its run, a few hundred rows); before it, counted over the year's items."""
    if stored:
        counts = board_counts.PlanBoardCount
        n = func.sum(counts.n)
        query = (
            select(counts.source_kind, n)
            .where(_within(counts.path, scope))
            .group_by(counts.source_kind)
            .order_by(n.desc(), counts.source_kind)
        )
        if year:
            query = query.where(counts.year == year)
    else:
        query = (
            select(PlanItem.source_kind, func.count())
            .join(Plan, Plan.id == PlanItem.plan_id)
            .join(Area, Area.id == Plan.area_id)
            .where(Plan.year == year if year else Plan.id.is_not(None), _within(Area.path, scope))
            .group_by(PlanItem.source_kind)
            .order_by(func.count().desc(), PlanItem.source_kind)
        )
    return [(kind, int(count)) for kind, count in session.execute(query)]


def _late_ids(
    session: Session, today: date, year: int | None, scope: Sequence[str] | None, stored: bool
) -> Select[int, int, str]:
    """The late items of ``year`` over ``scope`` (id, year, area path): once the
    plan-figures job has run, by the stored board status on its index (as the board's
    status filter chooses them, see :func:`board.store_board_statuses` for when it
    holds; the rows shown are computed now); before it, every item of the year
    computed on the spot (its progress rolled up in SQL), which grows with the year."""
    if stored:
        in_year = Plan.year == year if year else Plan.id.is_not(None)
        return (
            select(PlanItem.id, Plan.year, Area.path)
            .join(Plan, Plan.id == PlanItem.plan_id)
            .join(Area, Area.id == Plan.area_id)
            .where(
                PlanItem.board_status == ItemStatus.DELAYED.value,
                # The plans first: the status index read for each of their ids.
                PlanItem.plan_id.in_(
                    select(Plan.id)
                    .join(Area, Area.id == Plan.area_id)
                    .where(in_year, _within(Area.path, scope))
                ),
            )
        )
    facts = board._facts(session, today, board.Filters(year=year, status="delayed")).subquery()
    return select(facts.c.id, facts.c.year, facts.c.path).where(_within(facts.c.path, scope))


def _decide_ids(
    year: int | None, scope: Sequence[str] | None, stored: bool
) -> Select[int, int, str]:
    """The items of ``year`` over ``scope`` that need a decision (id, year, area path):
    once the plan-figures job has run, by the stored flag on its index (see
    :mod:`participation.plan.decisions` for when it holds), reading only the flagged
    items of the year's plans; before it, every item of the year tested on the spot."""
    in_year = Plan.year == year if year else Plan.id.is_not(None)
    query = (
        select(PlanItem.id, Plan.year, Area.path)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Area, Area.id == Plan.area_id)
    )
    if stored:
        return query.where(
            PlanItem.needs_decision.is_(True),
            # The plans first: the flag's index read for each of their ids.
            PlanItem.plan_id.in_(
                select(Plan.id)
                .join(Area, Area.id == Plan.area_id)
                .where(in_year, _within(Area.path, scope))
            ),
        )
    return query.where(in_year, _within(Area.path, scope), needs_decision())


def desk(
    session: Session,
    today: date,
    year: int | None,
    scope: Sequence[str] | None,
    *,
    late_page: int = 1,
    decide_page: int = 1,
    per_page: int = PER_PAGE,
) -> Desk:
    """The planner's desk for ``year`` over the subtrees ``scope`` (None: every area):
    a bounded number of statements whatever the number of items."""
    # The plan-figures job's summary and stored statuses, once it has run.
    stored = board_counts.last_run(session) is not None
    sources = _sources(session, year, scope, stored)
    late_ids = _late_ids(session, today, year, scope, stored)
    return Desk(
        sources,
        _page(session, today, late_ids, late_page, per_page),
        _page(session, today, _decide_ids(year, scope, stored), decide_page, per_page),
    )
