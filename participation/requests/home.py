"""Resident requests on the personal home: the person's own requests and their
status, and what waits in the queue of those who route and handle them (the
to-do list, through the queue's own rule: one statement each)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.requests import queues
from participation.requests.models import ResidentRequest

#: Queue counts stop here; the page says "100+" (the queue itself pages on).
COUNT_CAP = 100


@dataclass(frozen=True)
class MyRequest:
    id: int
    number: str
    category: str
    status: str
    filed_at: datetime


def my_requests(
    session: Session, account_id: int, offset: int, limit: int
) -> tuple[list[MyRequest], int]:
    """Requests the person raised, newest first, and how many. Two statements."""
    R = ResidentRequest
    where = (R.requester_id == account_id, R.merged_into_id.is_(None))
    total = session.scalar(select(func.count()).select_from(R).where(*where)) or 0
    rows = session.execute(
        select(R.id, R.number, R.category, R.status, R.filed_at)
        .where(*where)
        .order_by(R.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [MyRequest(*row) for row in rows], total


@dataclass(frozen=True)
class QueueWaiting:
    unrouted: int  # at most COUNT_CAP + 1
    overdue: int  # at most COUNT_CAP + 1


def waiting(
    session: Session,
    *,
    account_id: int,
    handle_paths: Sequence[str] | None,
    route_paths: Sequence[str] | None,
    today: date,
) -> QueueWaiting:
    """How many requests of the person's queue wait to be routed, and how many are
    overdue, by the queue's own rule (``queues.queue``), counted up to
    ``COUNT_CAP + 1``. Two statements."""

    def count(status: str | None, due: str) -> int:
        rows = queues.queue(
            session,
            handle_paths=handle_paths,
            route_paths=route_paths,
            status=status,
            due=due,
            today=today,
            limit=COUNT_CAP + 1,
            account_id=account_id,
        )
        return len(rows)

    return QueueWaiting(count("unrouted", ""), count(None, "overdue"))
