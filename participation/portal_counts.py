"""The front page's city-wide counts, kept in one summary row, and the residents
on the roll per community, kept in one row each (the area pages).

Counting every community, account and verified resident on each visit of the
front page scans three large tables (a city holds millions of accounts). The
worker's ``home-counts`` job stores the counts in one row instead; the front
page reads that row (one primary-key read). The same job stores how many roll
entries each community holds, so that an area's page sums a few hundred rows
instead of counting the roll under it (the whole roll for the city). Before the
first refresh (a new install, a test) the pages count directly, which is cheap
while there is nothing to count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import ForeignKey, Select, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.accounts import account_count
from participation.areas import Area, community_count
from participation.db import Base
from participation.rolls import RollEntry, verified_count
from participation.rolls import residents_under as count_residents_under

#: The one row's key.
ROW = 1


class PortalCounts(Base):
    __tablename__ = "portal_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    communities: Mapped[int] = mapped_column()
    accounts: Mapped[int] = mapped_column()
    verified: Mapped[int] = mapped_column()
    refreshed_at: Mapped[datetime] = mapped_column()


class AreaResidents(Base):
    """Roll entries of one community when the job last counted (with the
    community's path, so that an area sums its communities without a join)."""

    __tablename__ = "area_residents"

    community_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(255), index=True)
    residents: Mapped[int] = mapped_column()


@dataclass(frozen=True)
class Counts:
    communities: int
    accounts: int
    verified: int
    #: When the worker counted; None: counted just now (no summary yet).
    as_of: datetime | None


def refresh(session: Session, now: datetime) -> Counts:
    """Count afresh and store the row (idempotent: the same row each time)."""
    counts = Counts(community_count(session), account_count(session), verified_count(session), now)
    row = session.get(PortalCounts, ROW)
    if row is None:
        row = PortalCounts(id=ROW)
        session.add(row)
    row.communities, row.accounts, row.verified = (
        counts.communities,
        counts.accounts,
        counts.verified,
    )
    row.refreshed_at = now
    session.execute(delete(AreaResidents))
    session.execute(
        insert(AreaResidents).from_select(
            ["community_id", "path", "residents"],
            select(RollEntry.community_id, Area.path, func.count())
            .join(Area, Area.id == RollEntry.community_id)
            .group_by(RollEntry.community_id, Area.path),
        )
    )
    session.flush()
    return counts


@cache
def _current_statement() -> Select[int, int, int, datetime]:
    """``current``'s statement, built once (the front page reads it on every view)."""
    return select(
        PortalCounts.communities,
        PortalCounts.accounts,
        PortalCounts.verified,
        PortalCounts.refreshed_at,
    ).where(PortalCounts.id == ROW)


def current(session: Session) -> Counts:
    """The stored counts (one statement); counted directly before the first refresh."""
    row = session.execute(_current_statement()).first()
    if row is None:
        return Counts(
            community_count(session), account_count(session), verified_count(session), None
        )
    return Counts(*row)


@dataclass(frozen=True)
class Residents:
    count: int
    #: When the worker counted; None: counted just now (no summary yet).
    as_of: datetime | None


def residents_under(session: Session, area: Area) -> Residents:
    """How many residents the roll holds in the communities at or below ``area``:
    the sum of the job's rows for those communities (one statement, a few hundred
    rows at most), or counted directly before the first refresh."""
    summed = (
        select(func.coalesce(func.sum(AreaResidents.residents), 0))
        .where(AreaResidents.path.startswith(area.path))
        .scalar_subquery()
    )
    row = session.execute(
        select(PortalCounts.refreshed_at, summed).where(PortalCounts.id == ROW)
    ).first()
    if row is None:
        return Residents(count_residents_under(session, area), None)
    return Residents(int(row[1]), row[0])
