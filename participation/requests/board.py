"""The public board and the hotspot figures of resident requests, from SQL aggregates.

Every figure is a GROUP BY in the database: no function here loads one row per
request, so the pages cost the same few statements at a thousand requests or a
million. The pure rules in ``rules.figures`` then rank and filter the aggregates.

Nothing here returns personal data: only counts by area, category, channel, status,
unit and month. Requests merged into another are counted through the one they joined
(``closure = "merged"`` is left out), except in recurring matters, where each merged
request is one more person raising the matter.

Indexes that keep these fast at many requests (declared in ``requests.loop``):
- the board's totals read ``ix_resident_requests_board`` (category, channel, status,
  closure, filed_at) alone, as a covering index, in one scan; so do rising categories;
- requests per place, the grid × category × month cells and recurring matters read
  ``ix_resident_requests_place_window`` (area_id, category, filed_at, closure) alone,
  already in GROUP BY order;
- a unit's queue reads ``ix_resident_requests_unit_status`` (unit_id, status);
- the units' rates need a full scan, so the worker stores them hourly (summary table
  ``request_unit_figures``) and the hotspot page reads that.
What bench/bench_requests.py measured with them is in bench/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Integer,
    and_,
    bindparam,
    case,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.areas import Area, AreaNode, ancestors
from participation.db import Base
from participation.requests.models import HandlingUnit, ResidentRequest
from participation.requests.rules import figures
from participation.requests.rules.calendar import local_day

R = ResidentRequest
_NOT_MERGED = R.closure != "merged"


def _month(session: Session) -> ColumnElement[str]:
    """The Asia/Shanghai month of filing, "YYYY-MM", in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        # Stored naive UTC: read it as UTC, then as a Beijing wall-clock time.
        local = func.timezone("Asia/Shanghai", func.timezone("UTC", R.filed_at))
        return func.to_char(local, "YYYY-MM")
    return func.strftime("%Y-%m", R.filed_at, "+8 hours")


def _within(path: str | None) -> ColumnElement[bool]:
    """Requests placed in the subtree of the area at ``path`` (everywhere: None)."""
    if path is None:
        return R.id.isnot(None)
    return R.area_id.in_(select(Area.id).where(Area.path.startswith(path)))


@dataclass(frozen=True)
class Board:
    """What the public board shows: totals by category, channel and status, and
    requests per place (the request's grid or community), most first."""

    total: int
    by_category: dict[str, int]
    by_channel: dict[str, int]
    by_status: dict[str, int]
    by_place: list[tuple[int, str, int]]  # area id, name, count
    table: list[tuple[str, str, str, int]]  # category, channel, status, count


def public_board(session: Session, *, area_path: str | None = None, places: int = 50) -> Board:
    """Two GROUP BYs: (category, channel, status), folded here, and by place."""
    rows = session.execute(
        select(R.category, R.channel, R.status, func.count())
        .where(_NOT_MERGED, _within(area_path))
        .group_by(R.category, R.channel, R.status)
        .order_by(R.category, R.channel, R.status)
    ).all()
    by_category: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    by_status: dict[str, int] = {}
    table = []
    for category, channel, status, n in rows:
        by_category[category] = by_category.get(category, 0) + n
        by_channel[channel] = by_channel.get(channel, 0) + n
        by_status[status] = by_status.get(status, 0) + n
        table.append((category, channel, status, int(n)))
    counted = func.count().label("n")
    per_place = (
        select(R.area_id, counted)
        .where(_NOT_MERGED, _within(area_path))
        .group_by(R.area_id)
        .order_by(counted.desc(), R.area_id)
        .limit(places)
        .subquery()
    )
    by_place = [
        (int(a), str(name), int(n))
        for a, name, n in session.execute(
            select(per_place.c.area_id, Area.name, per_place.c.n)
            .join(Area, Area.id == per_place.c.area_id)
            .order_by(per_place.c.n.desc(), per_place.c.area_id)
        )
    ]
    return Board(sum(by_category.values()), by_category, by_channel, by_status, by_place, table)


@dataclass(frozen=True)
class Feed:
    """The latest public requests of an area, for its Atom feed (no personal data:
    number, category, status, place name and times only)."""

    number: str
    category: str
    status: str
    place: str
    filed_at: datetime


def latest(session: Session, area_path: str, limit: int = 50) -> list[Feed]:
    rows = session.execute(
        select(R.number, R.category, R.status, Area.name, R.filed_at)
        .join(Area, Area.id == R.area_id)
        .where(_NOT_MERGED, Area.path.startswith(area_path))
        .order_by(R.filed_at.desc(), R.id.desc())
        .limit(limit)
    ).all()
    return [Feed(*row) for row in rows]


@dataclass(frozen=True)
class Hotspots:
    month: str
    cells: list[tuple[int, str, str, int]]  # grid id, category, month, count (most first)
    recurring: list[figures.Recurring]
    rising: list[figures.Rising]
    places: dict[int, str]  # area id -> name, for the ids above


def hotspots(
    session: Session,
    today: date,
    *,
    months: int = 6,
    window_days: int = 90,
    at_least: int = 3,
    limit: int = 50,
    area_path: str | None = None,
) -> Hotspots:
    """Counts by grid × category × month over the last ``months`` months (the largest
    first), recurring matters in the last ``window_days`` days, and rising categories
    this month: three GROUP BYs over a window that starts at an indexed ``filed_at``."""
    month = today.strftime("%Y-%m")
    first = figures.previous_months(month, months - 1)[-1] if months > 1 else month
    since = datetime(int(first[:4]), int(first[5:7]), 1, tzinfo=UTC) - timedelta(hours=8)
    m = _month(session)
    counted = func.count().label("n")
    cells = [
        (int(a), str(c), str(mo), int(n))
        for a, c, mo, n in session.execute(
            select(R.area_id, R.category, m.label("m"), counted)
            .where(_NOT_MERGED, R.filed_at >= since, _within(area_path))
            .group_by(R.area_id, R.category, m)
            .order_by(counted.desc(), R.area_id, R.category, m)
            .limit(limit)
        )
    ]
    start = today - timedelta(days=window_days - 1)
    window_start = datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(hours=8)
    window_end = datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(hours=16)
    recurring = figures.recurring_from_counts(
        [
            (int(a), str(c), int(n), local_day(lo), local_day(hi))
            for a, c, n, lo, hi in session.execute(
                select(
                    R.area_id, R.category, func.count(), func.min(R.filed_at), func.max(R.filed_at)
                )
                .where(R.filed_at >= window_start, R.filed_at < window_end, _within(area_path))
                .group_by(R.area_id, R.category)
                .having(func.count() >= at_least)
            )
        ],
        at_least=at_least,
    )[:limit]
    trailing = 3
    before = figures.previous_months(month, trailing)
    since_rising = datetime(int(before[-1][:4]), int(before[-1][5:7]), 1, tzinfo=UTC) - timedelta(
        hours=8
    )
    per_month = [
        (str(c), str(mo), int(n))
        for c, mo, n in session.execute(
            select(R.category, m, func.count())
            .where(_NOT_MERGED, R.filed_at >= since_rising, _within(area_path))
            .group_by(R.category, m)
        )
    ]
    rising = figures.rising_from_counts(per_month, month=month, trailing=trailing)
    ids = {c[0] for c in cells} | {r.grid for r in recurring}
    places = (
        dict(session.execute(select(Area.id, Area.name).where(Area.id.in_(ids))).all())
        if ids
        else {}
    )
    return Hotspots(month, cells, recurring, rising, places)


class UnitFigures(Base):
    """A unit's counts as the worker last computed them (one row per unit)."""

    __tablename__ = "request_unit_figures"

    unit_id: Mapped[int] = mapped_column(ForeignKey("request_units.id"), primary_key=True)
    received: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    deadlines: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    rated: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column()


@dataclass(frozen=True)
class UnitBoard:
    ranking: list[figures.Ranked]
    red: list[figures.Ranked]
    black: list[figures.Ranked]
    names: dict[int, str]


def unit_tallies(session: Session, today: date) -> list[figures.UnitRates]:
    """Each unit's counts from one GROUP BY unit_id with conditional sums (a full scan:
    the worker stores them hourly, see ``refresh_unit_figures``). A deadline counts as
    decided once met or missed: accepting, when accepted or past due; resolving, when
    closed as resolved or past due while still being handled. Days are compared as the
    database's dates of the stored (UTC) times, which may differ from Beijing's by a
    few hours around midnight."""
    accepted_in_time = and_(R.accepted_at.isnot(None), func.date(R.accepted_at) <= R.accept_due)
    accept_decided = and_(
        R.accept_due.isnot(None), R.accepted_at.isnot(None) | (R.accept_due < today)
    )
    resolved = and_(R.status == "closed", R.closure.in_(tuple(figures.RESOLVED_CLOSURES)))
    resolved_in_time = and_(resolved, func.date(R.closed_at) <= R.resolve_due)
    resolve_decided = and_(
        R.resolve_due.isnot(None),
        resolved | ((R.status == "accepted") & (R.resolve_due < today)),
    )

    def total(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = session.execute(
        select(
            R.unit_id,
            func.count(),
            total(R.accepted_at.isnot(None)),
            total(resolved),
            total(accept_decided & accepted_in_time) + total(resolve_decided & resolved_in_time),
            total(accept_decided) + total(resolve_decided),
            total(R.rating.in_(tuple(figures.SATISFIED_RATINGS))),
            total(R.rating.in_(tuple(figures.RATINGS))),
        )
        .where(_NOT_MERGED, R.unit_id.isnot(None))
        .group_by(R.unit_id)
    ).all()
    return [figures.UnitRates(*(int(v) for v in row)) for row in rows]


def refresh_unit_figures(session: Session, today: date, now: datetime) -> int:
    """Store every unit's counts (the worker's hourly job); returns how many units."""
    rates = unit_tallies(session, today)
    session.execute(delete(UnitFigures))
    session.add_all(
        UnitFigures(
            unit_id=r.unit,
            received=r.received,
            accepted=r.accepted,
            resolved=r.resolved,
            on_time=r.on_time,
            deadlines=r.deadlines,
            satisfied=r.satisfied,
            rated=r.rated,
            computed_at=now,
        )
        for r in rates
    )
    return len(rates)


def unit_board(
    session: Session, today: date, *, n: int = 5, shown: slice | None = None
) -> UnitBoard:
    """The ranking of units (红黑榜) by the pure rule, from the counts the worker stored
    (as of its last run); counted on the spot when it never ran (a new install).
    With ``shown`` (the page of the ranking a table shows), names are read for that
    page, the red and black lists and the top ten only, not for every unit."""
    stored = session.scalars(select(UnitFigures)).all()
    rates = (
        [
            figures.UnitRates(
                f.unit_id,
                f.received,
                f.accepted,
                f.resolved,
                f.on_time,
                f.deadlines,
                f.satisfied,
                f.rated,
            )
            for f in stored
        ]
        if stored
        else unit_tallies(session, today)
    )
    ranking = figures.rank_units(rates)
    red, black = figures.red_and_black(ranking, n)
    named = ranking if shown is None else red + black + ranking[:10] + ranking[shown]
    ids = sorted({r.unit for r in named})
    names = (
        dict(
            session.execute(
                select(HandlingUnit.id, HandlingUnit.name).where(HandlingUnit.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return UnitBoard(ranking, red, black, names)


def area_by_id(session: Session, area_id: int) -> Area | None:
    return session.get(Area, area_id)


#: At most this many areas of one level offered by the board's filter.
FILTER_LIMIT = 200


# The filter's levels, built once, at import: the top level, and the areas under one.
_TOP_LEVEL = (
    select(Area)
    .where(Area.parent_id.is_(None), Area.kind != "grid")
    .order_by(Area.id)
    .limit(FILTER_LIMIT)
)
_BELOW = (
    select(Area)
    .where(Area.parent_id == bindparam("parent_id"), Area.kind != "grid")
    .order_by(Area.id)
    .limit(FILTER_LIMIT)
)


def area_filter(session: Session, area: Area | None) -> list[AreaNode]:
    """The areas a board may be narrowed to from ``area`` (None: everywhere), a level
    at a time: the chain down to it, then the areas directly under it (the top level
    when none), grids left out. Two statements whatever the size of the tree."""
    chain = ancestors(session, area) if area is not None else []
    if area is None:
        below = session.scalars(_TOP_LEVEL).all()
    else:
        below = session.scalars(_BELOW, {"parent_id": area.id}).all()
    return [AreaNode(a, depth) for depth, a in enumerate(chain)] + [
        AreaNode(a, len(chain)) for a in below
    ]
