"""Time-based notices, told by a periodic job (``notices-sweep``): a ballot has
opened; a ballot closes within 24 hours (to those who have not voted); a followed
plan item is late. Each event is told once per person (the notices' unique key),
and once told it is recorded in ``notice_events`` so later runs skip it at once.
Boxes that need presence at a meeting are left out: their voters are in the room.
A person verified after a ballot's opening was told is not told of the opening; the
reminder a day before it closes does reach them if they have not voted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.ballots.models import BallotBox
from participation.notifying import audiences, kinds
from participation.notifying.fanout import fan_out, mark_done
from participation.notifying.models import NoticeEvent
from participation.plan.models import PlanItem
from participation.plan.sources import ItemStatus

CLOSING_NOTICE = timedelta(hours=24)


@dataclass(frozen=True)
class Swept:
    opened: int  # notices told
    closing: int
    late: int


def _boxes(session: Session, now: datetime, prefix: str, *, closing: bool) -> list[BallotBox]:
    """Open boxes (or, with ``closing``, boxes closing within a day) not yet told."""
    query = select(BallotBox).where(
        BallotBox.opens_at <= now,
        BallotBox.closes_at > now,
        BallotBox.published_at.is_(None),
        BallotBox.requires_presence.is_(False),
    )
    if closing:
        query = query.where(BallotBox.closes_at <= now + CLOSING_NOTICE)
    boxes = session.scalars(query.order_by(BallotBox.id)).all()
    told = set(
        session.scalars(
            select(NoticeEvent.key).where(NoticeEvent.key.in_([f"{prefix}:{b.id}" for b in boxes]))
        )
    )
    return [b for b in boxes if f"{prefix}:{b.id}" not in told]


def _tell_boxes(session: Session, now: datetime, *, closing: bool) -> int:
    prefix = "ballot.closing" if closing else "ballot.opened"
    total = 0
    for box in _boxes(session, now, prefix, closing=closing):
        area = session.get(Area, box.area_id)
        assert area is not None
        event = f"{prefix}:{box.id}"
        told = fan_out(
            session,
            event=event,
            kind=prefix,
            message=kinds.BALLOT_CLOSING if closing else kinds.BALLOT_OPENED,
            recipients=audiences.voters(box, area.path, not_voted=closing),
            now=now,
            link=f"/ballots/{box.id}",
            params={"title": box.title},
        )
        mark_done(session, event, told, now)
        total += told
    return total


def _tell_late(session: Session, now: datetime) -> int:
    """Followers of plan items whose stored status is delayed (the plan job stores it)."""
    items = session.execute(
        select(PlanItem.id, PlanItem.title).where(PlanItem.status == ItemStatus.DELAYED.value)
    ).all()
    events = {item_id: f"plan.late:{item_id}" for item_id, _ in items}
    told_before = set(
        session.scalars(select(NoticeEvent.key).where(NoticeEvent.key.in_(events.values())))
    )
    total = 0
    for item_id, title in items:
        if events[item_id] in told_before:
            continue
        told = fan_out(
            session,
            event=events[item_id],
            kind="plan.late",
            message=kinds.PLAN_LATE,
            recipients=audiences.followers("plan_item", item_id),
            now=now,
            link=f"/plan/items/{item_id}",
            params={"title": title},
        )
        mark_done(session, events[item_id], told, now)
        total += told
    return total


def sweep(session: Session, now: datetime) -> Swept:
    """Tell every time-based event that is due and not told yet."""
    return Swept(
        _tell_boxes(session, now, closing=False),
        _tell_boxes(session, now, closing=True),
        _tell_late(session, now),
    )
