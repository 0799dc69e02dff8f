"""A summary table of the progress board's figures, per year × plan area × source ×
department × progress bin × status, so that ``/plan`` reads a few hundred summary rows
instead of computing every item of the year (progress rolled up from updates and
milestones) on each request.

The worker's ``plan-figures`` job rebuilds it whole, in the database (one INSERT …
SELECT … GROUP BY over :func:`board._facts`), in the job's transaction: a refresh is
equal to the live aggregate of :func:`board.board_page` for that day
(tests/db/plan/test_board_counts.py checks it). Lateness depends on the date, so
the page says "as of" when it shows the stored figures. Before the first refresh (a
new install, the tests) the board counts on the spot, as before.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Date,
    Index,
    Integer,
    String,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.db import Base
from participation.departments import Department


class PlanBoardCount(Base):
    __tablename__ = "plan_board_counts"
    __table_args__ = (Index("ix_plan_board_counts_year_path", "year", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    area_id: Mapped[int] = mapped_column()  # the plan's area
    path: Mapped[str] = mapped_column(String(255))
    source_kind: Mapped[str] = mapped_column(String(40))
    owner_department_id: Mapped[int | None] = mapped_column()
    department_text: Mapped[str] = mapped_column(String(200))
    progress: Mapped[int] = mapped_column()  # the low end of its bin (board.PROGRESS_BINS)
    status: Mapped[str] = mapped_column(String(20))
    n: Mapped[int] = mapped_column()
    budget_yuan: Mapped[int] = mapped_column()
    spend_yuan: Mapped[int] = mapped_column()
    due_steps: Mapped[int] = mapped_column()
    on_time_steps: Mapped[int] = mapped_column()


class PlanBoardRun(Base):
    __tablename__ = "plan_board_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column()
    day: Mapped[date] = mapped_column(Date)  # the local day lateness was judged on


def refresh(session: Session, today: date, now: datetime) -> int:
    """Rebuild the summary from every item (one INSERT … SELECT); returns its rows."""
    from participation.plan import board

    # The items' stored board statuses first, as of the same day (board's invariant
    # on PlanItem.board_status): the status filter pages over them.
    board.store_all_board_statuses(session, today)
    session.execute(delete(PlanBoardCount))
    session.execute(delete(PlanBoardRun))
    facts = board._facts(session, today, board.Filters()).subquery("facts")
    # Progress is kept as the low end of its chart bin (board.PROGRESS_BINS): all the
    # board reads of it, in a twentieth of the rows.
    binned = case(
        *[(facts.c.progress <= high, low) for low, high, _ in board.PROGRESS_BINS],
        else_=facts.c.progress,
    )
    keys = (
        facts.c.year,
        facts.c.area_id,
        facts.c.path,
        facts.c.source_kind,
        facts.c.owner_department_id,
        facts.c.department_text,
        binned,
        facts.c.status,
    )
    session.execute(
        insert(PlanBoardCount).from_select(
            [
                "year",
                "area_id",
                "path",
                "source_kind",
                "owner_department_id",
                "department_text",
                "progress",
                "status",
                "n",
                "budget_yuan",
                "spend_yuan",
                "due_steps",
                "on_time_steps",
            ],
            select(
                *keys,
                func.count(),
                func.coalesce(func.sum(facts.c.budget_yuan), 0),
                func.coalesce(func.sum(facts.c.spend), 0),
                func.coalesce(func.sum(facts.c.due_steps), 0),
                func.coalesce(func.sum(facts.c.on_time_steps), 0),
            ).group_by(*keys),
        )
    )
    session.add(PlanBoardRun(id=1, computed_at=now, day=today))
    session.flush()
    return int(session.scalar(select(func.count()).select_from(PlanBoardCount)) or 0)


def last_run(session: Session) -> PlanBoardRun | None:
    return session.get(PlanBoardRun, 1)


def grouped(
    session: Session,
    *,
    year: int | None,
    area_path: str | None,
    source: str,
    department_id: int | None,
    status: str,
) -> list[tuple[object, ...]]:
    """The stored figures in the shape of the board's live grouping: (source,
    department id, department text, department name, short name, progress, status,
    count, budget, spend, milestones due, milestones on time)."""
    c = PlanBoardCount
    keys = (
        c.source_kind,
        c.owner_department_id,
        c.department_text,
        Department.name,
        Department.short_name,
        c.progress,
        c.status,
    )
    query = (
        select(
            *keys,
            func.sum(c.n),
            func.sum(c.budget_yuan),
            func.sum(c.spend_yuan),
            func.sum(c.due_steps),
            func.sum(c.on_time_steps),
        )
        .outerjoin(Department, Department.id == c.owner_department_id)
        .where(c.year == year if year else literal(True))
        .group_by(*keys)
    )
    if area_path is not None:
        query = query.where(c.path.startswith(area_path))
    if source:
        query = query.where(c.source_kind == source)
    if department_id:
        query = query.where(c.owner_department_id == department_id)
    if status:
        query = query.where(c.status == status)
    # Core execution: hundreds of scalar rows, no ORM row processing.
    return [tuple(r) for r in session.connection().execute(query)]


def parts(
    session: Session,
    *,
    year: int | None,
    area_path: str | None,
    source: str,
    department_id: int | None,
    status: str,
) -> list[tuple[Any, ...]]:
    """The stored figures the board shows, aggregated in one statement (where
    :func:`grouped` gives a row per source × department × progress × status): rows of
    (part, progress, status, source, department id, department text, name, short
    name, count, budget, spend, milestones due, milestones on time), ``part`` 0 by
    progress bin, 1 by status, 2 by source, 3 by department; the columns a part does
    not group by are None."""
    chosen = {
        "year": year or None,
        "area_path": area_path,
        "source": source or None,
        "department_id": department_id or None,
        "status": status or None,
    }
    params = {k: v for k, v in chosen.items() if v is not None}
    query = _parts_query(*(chosen[k] is not None for k in chosen))
    return [tuple(r) for r in session.connection().execute(query, params)]


@functools.cache
def _parts_query(
    year: bool, area: bool, source: bool, department: bool, status: bool
) -> CompoundSelect[Any]:
    """:func:`parts`' statement for the filters given, built once (building it costs
    more than running it), run with the filters as parameters."""
    c = PlanBoardCount
    chosen = select(c)
    if year:
        chosen = chosen.where(c.year == bindparam("year"))
    if area:
        chosen = chosen.where(c.path.startswith(bindparam("area_path", type_=String)))
    if source:
        chosen = chosen.where(c.source_kind == bindparam("source"))
    if department:
        chosen = chosen.where(c.owner_department_id == bindparam("department_id"))
    if status:
        chosen = chosen.where(c.status == bindparam("status"))
    s = chosen.cte("chosen")
    # Typed empty columns: PostgreSQL resolves a union's column types branch by branch,
    # and an untyped NULL in the first branches becomes text.
    number, text = cast(null(), Integer), cast(null(), String)
    sums = (
        func.sum(s.c.n),
        func.sum(s.c.budget_yuan),
        func.sum(s.c.spend_yuan),
        func.sum(s.c.due_steps),
        func.sum(s.c.on_time_steps),
    )
    by_progress = select(
        literal_column("0"), s.c.progress, text, text, number, text, text, text, *sums
    ).group_by(s.c.progress)
    by_status = select(
        literal_column("1"), number, s.c.status, text, number, text, text, text, *sums
    ).group_by(s.c.status)
    by_source = select(
        literal_column("2"), number, text, s.c.source_kind, number, text, text, text, *sums
    ).group_by(s.c.source_kind)
    by_department = (
        select(
            literal_column("3"),
            number,
            text,
            text,
            s.c.owner_department_id,
            s.c.department_text,
            Department.name,
            Department.short_name,
            *sums,
        )
        .outerjoin(Department, Department.id == s.c.owner_department_id)
        .group_by(
            s.c.owner_department_id, s.c.department_text, Department.name, Department.short_name
        )
    )
    return union_all(by_progress, by_status, by_source, by_department)
