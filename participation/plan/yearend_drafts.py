"""The year-end roll-up a page at a time (年终盘点, paged): a plan of a city holds
thousands of items, too many for one form.

The planner goes through the plan's items a page at a time; saving a page keeps each
of its items' choice (a reason to drop it, or none) as a :class:`YearEndDraft` and
leaves every other item's as it was. Rolling up the year (:func:`complete_roll_up`)
is :func:`yearend.roll_up_year` given the saved reasons, exactly as the one form gave
them before: what it records (outcomes, carried items, statuses, the audit line) does
not change, and the drafts are deleted with it. An item nobody judged is rolled up as
an empty reason was: closed if finished, else carried over.

Each page is read in a fixed number of statements, however many items the plan holds.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation.errors import N_, DomainError
from participation.paging import last_page
from participation.plan.board import ItemView, shown_views
from participation.plan.models import Plan, PlanItem
from participation.plan.records import YearEndDraft, YearEndOutcome
from participation.plan.rules import Outcome, classify_year_end
from participation.plan.sources import ItemStatus
from participation.plan.yearend import RolledUp, roll_up_year, rolled_up

#: Items a page of the roll-up form.
PER_PAGE = 50
#: The longest reason to drop an item a page may save.
MAX_REASON = 500


@dataclass(frozen=True)
class RollUpPage:
    """One page (from 1) of a plan's items at year end, with what the roll-up would
    give each (``previews``), the reasons saved for them (``drafts``: an item in it has
    been judged), and how many items the plan holds and how many are still to judge."""

    views: list[ItemView]
    previews: dict[int, str]
    drafts: dict[int, str]
    total: int
    to_judge: int
    #: Only the items still to judge (else all of them).
    todo: bool
    rolled_up: bool
    number: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def preview(view: ItemView, year_end: date, reason: str) -> Outcome:
    """The outcome the roll-up gives the item of ``view`` with ``reason`` to drop it,
    as :func:`yearend.roll_up_year` decides it (an item dropped earlier stays dropped)."""
    if view.item.status == ItemStatus.DROPPED.value:
        return Outcome.DROPPED
    return classify_year_end(
        done=view.item.status == ItemStatus.DONE.value,
        progress=view.progress,
        due_on=view.item.due_on,
        year_end=year_end,
        drop_reason=reason,
    ).outcome


def _not_judged() -> ColumnElement[bool]:
    return ~select(YearEndDraft.id).where(YearEndDraft.item_id == PlanItem.id).exists()


def page_of(
    session: Session,
    plan: Plan,
    today: date,
    *,
    todo: bool,
    page: int,
    per_page: int = PER_PAGE,
) -> RollUpPage:
    """Page ``page`` (past the end: the last) of ``plan``'s items in id order, only
    those still to judge when ``todo`` (and the plan not rolled up yet): eight
    statements at most, whatever the number of items."""
    done = rolled_up(session, plan)
    todo = todo and not done
    total, judged = session.execute(
        select(
            select(func.count(PlanItem.id)).where(PlanItem.plan_id == plan.id).scalar_subquery(),
            select(func.count(YearEndDraft.id))
            .where(YearEndDraft.plan_id == plan.id)
            .scalar_subquery(),
        )
    ).one()
    to_judge = 0 if done else max(0, int(total) - int(judged))
    listed = to_judge if todo else int(total)
    number = last_page(page, listed, per_page)
    query = select(PlanItem.id).where(PlanItem.plan_id == plan.id)
    if todo:
        query = query.where(_not_judged())
    ids = list(
        session.scalars(query.order_by(PlanItem.id).limit(per_page).offset((number - 1) * per_page))
    )
    views = shown_views(session, today, ids)
    drafts: dict[int, str] = {}
    if ids:
        drafts = {
            i: r
            for i, r in session.execute(
                select(YearEndDraft.item_id, YearEndDraft.reason).where(
                    YearEndDraft.item_id.in_(ids)
                )
            )
        }
    if done and ids:
        outcomes = {
            i: o
            for i, o in session.execute(
                select(YearEndOutcome.item_id, YearEndOutcome.outcome).where(
                    YearEndOutcome.item_id.in_(ids)
                )
            )
        }
        for view in views:
            view.outcome = outcomes.get(view.item.id)
    year_end = date(plan.year, 12, 31)
    previews = {v.item.id: preview(v, year_end, drafts.get(v.item.id, "")).value for v in views}
    return RollUpPage(
        views=views,
        previews=previews,
        drafts=drafts,
        total=int(total),
        to_judge=to_judge,
        todo=todo,
        rolled_up=done,
        number=number,
        pages=max(1, -(-listed // per_page)),
    )


def save_page(
    session: Session,
    plan: Plan,
    reasons: Mapping[int, str],
    *,
    now: datetime,
    actor_id: int | None,
) -> int:
    """Keep the choice for each item of ``reasons`` (item id -> reason to drop it, ""
    for none): those items are judged, every other item of the plan keeps what was
    saved for it. Refused, writing nothing, once the plan is rolled up, for an item of
    another plan or a reason past MAX_REASON. Returns how many items were saved."""
    if rolled_up(session, plan):
        raise DomainError("plan.rolled_up", N_("This plan's year has already been rolled up."))
    ids = list(reasons)
    if not ids:
        return 0
    if any(len(r.strip()) > MAX_REASON for r in reasons.values()):
        raise DomainError("plan.reason_long", N_("A reason to drop an item is too long."))
    found = set(
        session.scalars(
            select(PlanItem.id).where(PlanItem.id.in_(ids), PlanItem.plan_id == plan.id)
        )
    )
    if found != set(ids):
        raise DomainError(
            "plan.rollup_items",
            N_("Some of these items are not on this plan. Reload the page and try again."),
        )
    saved = dict(
        session.execute(
            select(YearEndDraft.item_id, YearEndDraft.reason).where(YearEndDraft.item_id.in_(ids))
        ).all()
    )
    fresh = [i for i in ids if i not in saved]
    changed = [i for i in ids if i in saved and saved[i] != reasons[i].strip()]
    who = {"saved_at": now, "saved_by": actor_id}
    table = typing.cast(Table, YearEndDraft.__table__)
    try:
        with session.begin_nested():  # a page is two statements at most, however many items
            if fresh:
                session.execute(
                    insert(YearEndDraft),
                    [
                        {"plan_id": plan.id, "item_id": i, "reason": reasons[i].strip()} | who
                        for i in fresh
                    ],
                )
            if changed:
                session.connection().execute(
                    update(table)
                    .where(table.c.item_id == bindparam("item"))
                    .values(reason=bindparam("new"), **who),
                    [{"item": i, "new": reasons[i].strip()} for i in changed],
                )
    except IntegrityError:  # another planner saved one of them at the same moment
        raise DomainError(
            "plan.rollup_busy",
            N_("Someone else saved some of these items at the same moment. Save the page again."),
            status=409,
        ) from None
    return len(ids)


def complete_roll_up(
    session: Session, plan: Plan, *, today: date, now: datetime, actor_id: int | None
) -> RolledUp:
    """Roll up ``plan``'s year (:func:`yearend.roll_up_year`) with the reasons saved a
    page at a time, then delete them: the outcomes now hold them."""
    reasons = {
        item_id: reason
        for item_id, reason in session.execute(
            select(YearEndDraft.item_id, YearEndDraft.reason).where(
                YearEndDraft.plan_id == plan.id, YearEndDraft.reason != ""
            )
        )
    }
    result = roll_up_year(
        session, plan, drop_reasons=reasons, today=today, now=now, actor_id=actor_id
    )
    session.execute(delete(YearEndDraft).where(YearEndDraft.plan_id == plan.id))
    return result
