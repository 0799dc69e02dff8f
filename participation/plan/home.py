"""The governance plan on the personal home: the items of a community's plans
with their latest update, and how many items are overdue where a person
manages or supervises the plan (the to-do list). Bounded statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import BindParameter, ScalarSelect, Select, bindparam, func, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Update
from participation.scopes import under_any

#: Items no longer being delivered.
FINISHED = ("done", "dropped")


@dataclass(frozen=True)
class ItemNews:
    id: int
    title: str
    status: str
    due_on: date | None
    late: bool
    #: The latest update's text, progress and time (None: no update yet).
    update_text: str | None
    progress: int | None
    updated_at: datetime | None


@cache
def _items_statement(
    limit: int,
) -> Select[int, str, str, date | None, str, int, datetime]:
    """``community_items``' statement, built once (building it costs more CPU than
    running it), with the community's path as a parameter. Area paths are digits
    and slashes only (``rules.areas.path_of``), so the prefix needs no escaping."""
    # Per item, its newest update (by time, then id) through the index on
    # plan_updates.item_id.
    latest = (
        select(Update.id)
        .where(Update.item_id == PlanItem.id)
        .order_by(Update.at.desc(), Update.id.desc())
        .limit(1)
        .correlate(PlanItem)
        .scalar_subquery()
    )
    path: BindParameter[str] = bindparam("path")
    return (
        select(
            PlanItem.id,
            PlanItem.title,
            PlanItem.status,
            PlanItem.due_on,
            Update.text,
            Update.progress,
            Update.at,
        )
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Area, Area.id == Plan.area_id)
        .outerjoin(Update, Update.id == latest)
        .where(Area.path.startswith(path), PlanItem.status != "dropped")
        .order_by(Update.id.is_(None), Update.at.desc(), PlanItem.id.desc())
        .limit(limit)
    )


def community_items(
    session: Session, community_path: str, today: date, limit: int = 8
) -> list[ItemNews]:
    """Items of the plans of the community (and its grids), the most recently
    updated first (then the newest items without an update), each with its latest
    update. One statement, reading the columns shown."""
    rows = session.execute(_items_statement(limit), {"path": community_path})
    return [
        ItemNews(
            id_,
            title,
            status,
            due_on,
            due_on is not None and due_on < today and status not in FINISHED,
            text,
            progress,
            at,
        )
        for id_, title, status, due_on, text, progress, at in rows
    ]


def overdue_items(session: Session, paths: Sequence[str] | None, today: date) -> int:
    """Unfinished items past their due date in plans within ``paths``. One statement."""
    return session.scalar(select(overdue_items_count(paths, today))) or 0


def overdue_items_count(
    paths: Sequence[str] | None, today: date, cap: int | None = None
) -> ScalarSelect[int]:
    """``overdue_items`` as a scalar subquery, to count beside others in one
    statement; with ``cap``, counted up to ``cap`` only (the to-do list shows
    "100+"), so a city's years of items are never all counted on a page view."""
    items = (
        select(PlanItem.id)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Area, Area.id == Plan.area_id)
        .where(
            PlanItem.due_on < today,
            PlanItem.status.not_in(FINISHED),
            under_any(Area.path, paths),
        )
    )
    if cap is not None:
        items = items.limit(cap)
    return select(func.count()).select_from(items.subquery()).scalar_subquery()
