"""The front page's city-wide counts, kept in one summary row.

Counting every community, account and verified resident on each visit of the
front page scans three large tables (a city holds millions of accounts). The
worker's ``home-counts`` job stores the counts in one row instead; the front
page reads that row (one primary-key read). Before the first refresh (a new
install, a test) the page counts directly, which is cheap while there is
nothing to count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.accounts import account_count
from participation.areas import community_count
from participation.db import Base
from participation.rolls import verified_count

#: The one row's key.
ROW = 1


class PortalCounts(Base):
    __tablename__ = "portal_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    communities: Mapped[int] = mapped_column()
    accounts: Mapped[int] = mapped_column()
    verified: Mapped[int] = mapped_column()
    refreshed_at: Mapped[datetime] = mapped_column()


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
    session.flush()
    return counts


def current(session: Session) -> Counts:
    """The stored counts (one statement); counted directly before the first refresh."""
    row = session.execute(
        select(
            PortalCounts.communities,
            PortalCounts.accounts,
            PortalCounts.verified,
            PortalCounts.refreshed_at,
        ).where(PortalCounts.id == ROW)
    ).first()
    if row is None:
        return Counts(
            community_count(session), account_count(session), verified_count(session), None
        )
    return Counts(*row)
