"""Time-based notices, told by a periodic job (``notices-sweep``): a ballot has
opened; a ballot closes within 24 hours (to those who have not voted); a followed
plan item is late. Each event is told once per person (the notices' unique key),
and once told it is recorded in ``notice_events`` so later runs skip it at once.
Boxes that need presence at a meeting are left out: their voters are in the room.

A person who becomes a verified resident while a ballot of their area is open is
told of its opening at the verification (:func:`tell_newcomer`): the same notice
under the same event, so whoever tells first (the job or the verification), they
hold it once. The open boxes are looked up by the area index of the person's area
chain (the community and the areas above it, named by its path), never among every
box of the city. A deputy linked to a congress's roll while one of its deputies'
ballots is open (at verification, or by a worker by hand) is told the same way
(:func:`tell_new_deputy`), the boxes found by their congress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.ballots.models import BallotBox
from participation.ballots.rules.eligibility import Roll
from participation.notifying import audiences, kinds
from participation.notifying.fanout import fan_out, mark_done, tell_one
from participation.notifying.models import NoticeEvent
from participation.plan.models import PlanItem
from participation.plan.sources import ItemStatus

CLOSING_NOTICE = timedelta(hours=24)


@dataclass(frozen=True)
class Swept:
    opened: int  # notices told
    closing: int
    late: int


def _announced(now: datetime) -> Select[BallotBox]:
    """The boxes whose opening is told: open at ``now``, not published, not at a meeting."""
    return select(BallotBox).where(
        BallotBox.opens_at <= now,
        BallotBox.closes_at > now,
        BallotBox.published_at.is_(None),
        BallotBox.requires_presence.is_(False),
    )


def _boxes(session: Session, now: datetime, prefix: str, *, closing: bool) -> list[BallotBox]:
    """Open boxes (or, with ``closing``, boxes closing within a day) not yet told."""
    query = _announced(now)
    if closing:
        query = query.where(BallotBox.closes_at <= now + CLOSING_NOTICE)
    boxes = session.scalars(query.order_by(BallotBox.id)).all()
    told = set(
        session.scalars(
            select(NoticeEvent.key).where(NoticeEvent.key.in_([f"{prefix}:{b.id}" for b in boxes]))
        )
    )
    return [b for b in boxes if f"{prefix}:{b.id}" not in told]


@dataclass(frozen=True)
class _BoxNotice:
    """What the notice of a box's opening (or closing) says, whoever tells it."""

    event: str
    kind: str
    message: str
    link: str
    params: dict[str, object]


def _notice(box: BallotBox, *, closing: bool) -> _BoxNotice:
    prefix = "ballot.closing" if closing else "ballot.opened"
    return _BoxNotice(
        event=f"{prefix}:{box.id}",
        kind=prefix,
        message=kinds.BALLOT_CLOSING if closing else kinds.BALLOT_OPENED,
        link=f"/ballots/{box.id}",
        params={"title": box.title},
    )


def _tell_boxes(session: Session, now: datetime, *, closing: bool) -> int:
    prefix = "ballot.closing" if closing else "ballot.opened"
    total = 0
    for box in _boxes(session, now, prefix, closing=closing):
        area = session.get(Area, box.area_id)
        assert area is not None
        notice = _notice(box, closing=closing)
        told = fan_out(
            session,
            event=notice.event,
            kind=notice.kind,
            message=notice.message,
            recipients=audiences.voters(box, area.path, not_voted=closing),
            now=now,
            link=notice.link,
            params=notice.params,
        )
        mark_done(session, notice.event, told, now)
        total += told
    return total


def _chain(path: str) -> dict[int, str]:
    """The areas of a materialized path ("/1/5/12/"): id -> that area's own path."""
    ids = [int(part) for part in path.strip("/").split("/")]
    return {area_id: "/" + "".join(f"{i}/" for i in ids[: n + 1]) for n, area_id in enumerate(ids)}


def tell_newcomer(session: Session, account_id: int, community: Area, now: datetime) -> int:
    """Tell a person who has just become a verified resident of ``community`` of the
    ballots open now in its area chain that they may vote in, as the job tells
    everyone at the opening (same event and notice: held once, whoever tells first).
    Who may vote is the job's audience narrowed to the person (a household whose
    vote is already in is not told it may vote). A box that has not opened yet is
    left to the job; a closed one is not told. Returns how many notices are new."""
    chain = _chain(community.path)
    boxes = session.scalars(
        _announced(now).where(BallotBox.area_id.in_(chain)).order_by(BallotBox.id)
    ).all()
    return _tell_opened(session, account_id, [(box, chain[box.area_id]) for box in boxes], now)


def _tell_opened(
    session: Session, account_id: int, boxes: list[tuple[BallotBox, str]], now: datetime
) -> int:
    """Tell one person of the opening of each of ``boxes`` (each with its area's
    path) they may vote in and have not voted in: the job's notice, held once."""
    told = 0
    for box, area_path in boxes:
        notice = _notice(box, closing=False)
        told += tell_one(
            session,
            account_id,
            event=notice.event,
            kind=notice.kind,
            message=notice.message,
            now=now,
            link=notice.link,
            params=notice.params,
            among=audiences.voters(box, area_path, not_voted=True),
        )
    return told


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


def tell_new_deputy(session: Session, account_id: int, congress_id: int, now: datetime) -> int:
    """Tell a person just linked to a deputy entry of congress ``congress_id`` of
    that congress's deputies' ballots open now (the job told the others at the
    opening, before this person was on the roll): the same notice under the same
    event, held once; only if their vote is not in yet. Returns how many are new."""
    boxes = session.execute(
        _announced(now)
        .add_columns(Area.path)
        .join(Area, Area.id == BallotBox.area_id)
        .where(BallotBox.congress_id == congress_id, BallotBox.roll == Roll.DEPUTIES.value)
        .order_by(BallotBox.id)
    ).all()
    return _tell_opened(session, account_id, [(box, path) for box, path in boxes], now)
