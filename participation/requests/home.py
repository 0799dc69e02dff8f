"""Resident requests on the personal home: the person's own requests and their
status, and what waits in the queue of those who route and handle them (the
to-do list, through the queue's own rule, counted beside the list's other counts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import ScalarSelect, Select, bindparam, func, select
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


def latest_requests(session: Session, account_id: int, limit: int) -> tuple[list[MyRequest], bool]:
    """The person's ``limit`` newest requests and whether they raised more: one
    statement (one row more than shown says there are more; nothing is counted)."""
    rows = session.execute(_latest_statement(limit + 1), {"account_id": account_id}).all()
    return [MyRequest(*row) for row in rows[:limit]], len(rows) > limit


@cache
def _latest_statement(limit: int) -> Select[int, str, str, str, datetime]:
    """``latest_requests``' statement, built once with the person as a parameter."""
    R = ResidentRequest
    return (
        select(R.id, R.number, R.category, R.status, R.filed_at)
        .where(R.requester_id == bindparam("account_id"), R.merged_into_id.is_(None))
        .order_by(R.id.desc())
        .limit(limit)
    )


def waiting_counts(
    *,
    account_id: int,
    handle_paths: Sequence[str] | None,
    route_paths: Sequence[str] | None,
    today: date,
) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """How many requests of the person's queue wait to be routed, and how many are
    overdue, by the queue's own rule (``queues.queue_count``), each counted up to
    ``COUNT_CAP + 1``: two scalar subqueries reading ids only, to run beside the
    other counts of the to-do list (``participation.counting``)."""

    def count(status: str | None, due: str) -> ScalarSelect[int]:
        return queues.queue_count(
            handle_paths=handle_paths,
            route_paths=route_paths,
            status=status,
            due=due,
            today=today,
            account_id=account_id,
            cap=COUNT_CAP + 1,
        )

    return count("unrouted", ""), count(None, "overdue")
