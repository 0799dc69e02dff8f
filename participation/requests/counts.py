"""Summary tables of request counts for the public board and the hotspot page.

At a million requests even a covering-index GROUP BY over every request costs most of
a second, so the worker's ``requests-figures`` job stores what those pages show, as
counts, and the pages read a few thousand summary rows instead (the page says "as of"
when it does). Each table is rebuilt whole, in the database (INSERT … SELECT … GROUP
BY), in the job's one transaction: a refresh is always equal to the direct aggregate
of ``requests.board`` at that moment (tests/db/requests/test_counts.py checks it after
random filings, transitions and merges).

- ``request_board_counts``: per rolled-up place (a grid's community, else the place)
  × category × channel × status, merged requests left out: the board's totals and its
  open data (JSON, CSV);
- ``request_place_counts``: per place, merged left out: the board's "requests per place";
- ``request_month_counts``: per place × category × local month, merged left out: the
  hotspot cells (grid × category × month) and rising categories;
- ``request_category_months``: per rolled-up place × category × local month, merged
  left out: rising categories;
- ``request_recurring_counts``: per place × category over the 90 days up to the
  refresh day, merged requests counted (each is one more person raising the matter),
  with the first and last day: recurring matters;
- ``request_count_runs``: one row, when the tables were last rebuilt.

Before the first refresh (a new install, the tests) and for a grid's own board, the
pages count on the spot through ``requests.board``. Every function here runs a fixed
number of statements whatever the number of requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from participation.areas import Area
from participation.db import Base
from participation.requests import board
from participation.requests.models import ResidentRequest
from participation.requests.rules import figures
from participation.requests.rules.calendar import local_day
from participation.requests.rules.catalog import OPEN_STATUSES

R = ResidentRequest
T = TypeVar("T")
#: The recurring-matters window the page shows (``board.hotspots``' default).
WINDOW_DAYS = 90


class BoardCount(Base):
    __tablename__ = "request_board_counts"

    # The request's place rolled up to its community (a grid's parent), else the place.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel: Mapped[str] = mapped_column(String(12), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    path: Mapped[str] = mapped_column(String(255))
    n: Mapped[int] = mapped_column(Integer)


class PlaceCount(Base):
    __tablename__ = "request_place_counts"

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(255))
    n: Mapped[int] = mapped_column(Integer)


class MonthCount(Base):
    __tablename__ = "request_month_counts"
    # The hotspot cells, most first: walked from the largest count down to 50 of the
    # last six months, not sorted whole.
    __table_args__ = (Index("ix_request_month_counts_n", "n"),)

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "YYYY-MM", Beijing
    path: Mapped[str] = mapped_column(String(255))
    n: Mapped[int] = mapped_column(Integer)


class CategoryMonthCount(Base):
    """Per rolled-up place (as the board's) × category × month, merged left out: rising
    categories, a few rows per community instead of one per grid."""

    __tablename__ = "request_category_months"

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    path: Mapped[str] = mapped_column(String(255))
    n: Mapped[int] = mapped_column(Integer)


class RecurringCount(Base):
    __tablename__ = "request_recurring_counts"
    __table_args__ = (Index("ix_request_recurring_counts_n", "n"),)

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    path: Mapped[str] = mapped_column(String(255))
    n: Mapped[int] = mapped_column(Integer)  # merged requests included
    first: Mapped[datetime] = mapped_column()
    last: Mapped[datetime] = mapped_column()


class CountRun(Base):
    __tablename__ = "request_count_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column()
    day: Mapped[date] = mapped_column(Date)  # the Beijing day the windows end on


def _window(today: date, days: int) -> tuple[datetime, datetime]:
    """The stored (UTC) bounds of the ``days`` Beijing days up to and including today."""
    start = today - timedelta(days=days - 1)
    return (
        datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(hours=8),
        datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(hours=16),
    )


def refresh(session: Session, now: datetime) -> int:
    """Rebuild every summary table from the requests (six INSERT … SELECTs); returns
    how many board rows were stored."""
    today = local_day(now)
    place = aliased(Area)
    parent = aliased(Area)
    for table in (BoardCount, PlaceCount, MonthCount, CategoryMonthCount, RecurringCount, CountRun):
        session.execute(delete(table))
    not_merged = R.closure != "merged"
    rolled = case((place.kind == "grid", place.parent_id), else_=place.id)
    rolled_path = case((place.kind == "grid", parent.path), else_=place.path)
    session.execute(
        insert(BoardCount).from_select(
            ["area_id", "category", "channel", "status", "path", "n"],
            select(rolled, R.category, R.channel, R.status, rolled_path, func.count())
            .select_from(R)
            .join(place, place.id == R.area_id)
            .outerjoin(parent, parent.id == place.parent_id)
            .where(not_merged)
            .group_by(rolled, R.category, R.channel, R.status, rolled_path),
        )
    )
    session.execute(
        insert(PlaceCount).from_select(
            ["area_id", "path", "n"],
            select(R.area_id, place.path, func.count())
            .join(place, place.id == R.area_id)
            .where(not_merged)
            .group_by(R.area_id, place.path),
        )
    )
    month = board._month(session)
    session.execute(
        insert(MonthCount).from_select(
            ["area_id", "category", "month", "path", "n"],
            select(R.area_id, R.category, month, place.path, func.count())
            .join(place, place.id == R.area_id)
            .where(not_merged)
            .group_by(R.area_id, R.category, month, place.path),
        )
    )
    session.execute(
        insert(CategoryMonthCount).from_select(
            ["area_id", "category", "month", "path", "n"],
            select(rolled, R.category, month, rolled_path, func.count())
            .select_from(R)
            .join(place, place.id == R.area_id)
            .outerjoin(parent, parent.id == place.parent_id)
            .where(not_merged)
            .group_by(rolled, R.category, month, rolled_path),
        )
    )
    lo, hi = _window(today, WINDOW_DAYS)
    session.execute(
        insert(RecurringCount).from_select(
            ["area_id", "category", "path", "n", "first", "last"],
            select(
                R.area_id,
                R.category,
                place.path,
                func.count(),
                func.min(R.filed_at),
                func.max(R.filed_at),
            )
            .join(place, place.id == R.area_id)
            .where(R.filed_at >= lo, R.filed_at < hi)
            .group_by(R.area_id, R.category, place.path),
        )
    )
    session.add(CountRun(id=1, computed_at=now, day=today))
    session.flush()
    return int(session.scalar(select(func.count()).select_from(BoardCount)) or 0)


def last_run(session: Session) -> CountRun | None:
    return session.get(CountRun, 1)


def _summarised(session: Session, area: Area | None) -> CountRun | None:
    """The last refresh, when the summary can answer for ``area`` (not a grid's own)."""
    if area is not None and area.kind == "grid":
        return None
    return last_run(session)


@dataclass(frozen=True)
class Counted(Generic[T]):
    """Figures and when they were counted (None: live, counted for this answer)."""

    figures: T
    as_of: datetime | None


def _within(path: Any, within: bool) -> Any:
    """Rows under the area of path ``:path``, or every row."""
    return path.startswith(bindparam("path")) if within else literal(True)


# The board's two statements, everywhere or within an area; built once, at import
# (building a statement on each request cost about as much as running it).
_BOARD_ROWS = {
    within: select(
        BoardCount.category, BoardCount.channel, BoardCount.status, func.sum(BoardCount.n)
    )
    .where(_within(BoardCount.path, within))
    .group_by(BoardCount.category, BoardCount.channel, BoardCount.status)
    .order_by(BoardCount.category, BoardCount.channel, BoardCount.status)
    for within in (False, True)
}
_BOARD_PLACES = {
    within: select(PlaceCount.area_id, Area.name, PlaceCount.n)
    .join(Area, Area.id == PlaceCount.area_id)
    .where(_within(PlaceCount.path, within))
    .order_by(PlaceCount.n.desc(), PlaceCount.area_id)
    .limit(bindparam("places"))
    for within in (False, True)
}


def public_board(session: Session, area: Area | None, *, places: int = 50) -> Counted[board.Board]:
    """What ``board.public_board`` answers, from the summary tables when they exist."""
    run = _summarised(session, area)
    if run is None:
        return Counted(board.public_board(session, area_path=area.path if area else None), None)
    params = {"path": area.path if area else "", "places": places}
    within = area is not None
    rows = session.execute(_BOARD_ROWS[within], params).all()
    by_category: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    by_status: dict[str, int] = {}
    table = []
    for category, channel, status, n in rows:
        n = int(n)
        by_category[category] = by_category.get(category, 0) + n
        by_channel[channel] = by_channel.get(channel, 0) + n
        by_status[status] = by_status.get(status, 0) + n
        table.append((category, channel, status, n))
    by_place = [
        (int(a), str(name), int(n)) for a, name, n in session.execute(_BOARD_PLACES[within], params)
    ]
    found = board.Board(
        sum(by_category.values()), by_category, by_channel, by_status, by_place, table
    )
    return Counted(found, run.computed_at)


def hotspots(
    session: Session, today: date, area: Area | None, *, limit: int = 50
) -> Counted[board.Hotspots]:
    """What ``board.hotspots`` answers with its defaults, from the summary tables when
    they exist (then for the refresh's day, not ``today``)."""
    run = _summarised(session, area)
    if run is None:
        return Counted(
            board.hotspots(session, today, area_path=area.path if area else None, limit=limit),
            None,
        )
    day = run.day
    within = MonthCount.path.startswith(area.path) if area else literal(True)
    month = day.strftime("%Y-%m")
    first = figures.previous_months(month, 5)[-1]
    cells = [
        (int(a), str(c), str(m), int(n))
        for a, c, m, n in session.execute(
            select(MonthCount.area_id, MonthCount.category, MonthCount.month, MonthCount.n)
            .where(within, MonthCount.month >= first, MonthCount.month <= month)
            .order_by(
                MonthCount.n.desc(), MonthCount.area_id, MonthCount.category, MonthCount.month
            )
            .limit(limit)
        )
    ]
    recurring = figures.recurring_from_counts(
        [
            (int(a), str(c), int(n), local_day(lo), local_day(hi))
            for a, c, n, lo, hi in session.execute(
                select(
                    RecurringCount.area_id,
                    RecurringCount.category,
                    RecurringCount.n,
                    RecurringCount.first,
                    RecurringCount.last,
                )
                .where(
                    RecurringCount.path.startswith(area.path) if area else literal(True),
                    RecurringCount.n >= 3,
                )
                .order_by(RecurringCount.n.desc(), RecurringCount.area_id, RecurringCount.category)
                .limit(limit)
            )
        ],
        at_least=3,
    )[:limit]
    before = figures.previous_months(month, 3)
    per_month = [
        (str(c), str(m), int(n))
        for c, m, n in session.execute(
            select(
                CategoryMonthCount.category,
                CategoryMonthCount.month,
                func.sum(CategoryMonthCount.n),
            )
            .where(
                CategoryMonthCount.path.startswith(area.path) if area else literal(True),
                CategoryMonthCount.month >= before[-1],
                CategoryMonthCount.month <= month,
            )
            .group_by(CategoryMonthCount.category, CategoryMonthCount.month)
        )
    ]
    rising = figures.rising_from_counts(per_month, month=month, trailing=3)
    ids = {c[0] for c in cells} | {r.grid for r in recurring}
    names = (
        dict(session.execute(select(Area.id, Area.name).where(Area.id.in_(ids))).all())
        if ids
        else {}
    )
    return Counted(board.Hotspots(month, cells, recurring, rising, names), run.computed_at)


# Indexes that keep the back office's pages and the worker's sweep off full scans at a
# million requests (declared here, in this area's own module, like requests.loop's).
_OPEN = R.status.in_(OPEN_STATUSES)
# A unit's queue, oldest first, paged by id (requests.queues): only the open requests.
Index(
    "ix_resident_requests_open_unit",
    R.unit_id,
    R.id,
    postgresql_where=_OPEN,
    sqlite_where=_OPEN,
)
# The overdue sweep (requests.supervision.sweep): routed requests by the day they are
# due to be accepted, accepted ones by the day they are due to be resolved.
Index(
    "ix_resident_requests_routed_due",
    R.accept_due,
    postgresql_where=R.status == "routed",
    sqlite_where=R.status == "routed",
)
Index(
    "ix_resident_requests_accepted_due",
    R.resolve_due,
    postgresql_where=R.status == "accepted",
    sqlite_where=R.status == "accepted",
)
