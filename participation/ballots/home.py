"""Ballots on the personal home: the boxes open to a person now, and whether
they have voted (never what). A bounded number of statements whatever the
number of boxes or voters: the voter's facts (at most three), the open boxes
that could concern them (one), their participations in those boxes (one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.ballots.casting import voter_facts
from participation.ballots.models import BallotBox, Participation
from participation.ballots.rules.eligibility import BoxScope, Roll, assess
from participation.rules.reach import lineage
from participation.scopes import under_any

#: The home shows at most this many boxes (the soonest to close first).
LIMIT = 10


@dataclass(frozen=True)
class OpenBallot:
    id: int
    title: str
    closes_at: datetime
    roll: str
    #: Whether the person (or their household) has voted; None for visitors.
    voted: bool | None


def open_ballots(
    session: Session,
    *,
    community_path: str | None,
    account_id: int | None,
    now: datetime,
    limit: int = LIMIT,
) -> list[OpenBallot]:
    """Boxes open at ``now``. For a signed-in person: those they may vote in, with
    ``voted``; for a visitor (``account_id`` None): the residents' and households'
    boxes of the community at ``community_path`` and the areas above it."""
    if account_id is None:
        if community_path is None:
            return []
        rows = _open_rows(session, now, lineage(community_path), (), (), limit)
        return [OpenBallot(b.id, b.title, b.closes_at, b.roll, None) for b, _ in rows]
    facts = voter_facts(session, account_id)
    resident_paths = lineage(facts.community_path) if facts.community_path else []
    rows = _open_rows(
        session,
        now,
        resident_paths,
        sorted(facts.congress_ids),
        facts.representative_paths,
        limit,
    )
    keys: dict[int, str] = {}
    for box, path in rows:
        scope = BoxScope(Roll(box.roll), path, box.opens_at, box.closes_at, box.congress_id)
        verdict = assess(facts, scope, now)
        if verdict.ok and verdict.voter_key is not None:
            keys[box.id] = verdict.voter_key
    voted = _voted(session, keys)
    return [
        OpenBallot(box.id, box.title, box.closes_at, box.roll, box.id in voted)
        for box, _ in rows
        if box.id in keys
    ]


def _open_rows(
    session: Session,
    now: datetime,
    resident_paths: Sequence[str],
    congress_ids: Sequence[int],
    representative_paths: Sequence[str],
    limit: int,
) -> list[tuple[BallotBox, str]]:
    reaches = []
    if resident_paths:
        reaches.append(
            and_(
                BallotBox.roll.in_((Roll.RESIDENTS.value, Roll.HOUSEHOLDS.value)),
                Area.path.in_(resident_paths),
            )
        )
    if congress_ids:
        reaches.append(
            and_(BallotBox.roll == Roll.DEPUTIES.value, BallotBox.congress_id.in_(congress_ids))
        )
    if representative_paths:
        # A representative of an area votes in boxes above or below it.
        above = [p for path in representative_paths for p in lineage(path)]
        reaches.append(
            and_(
                BallotBox.roll == Roll.REPRESENTATIVES.value,
                or_(Area.path.in_(above), under_any(Area.path, representative_paths)),
            )
        )
    if not reaches:
        return []
    rows = session.execute(
        select(BallotBox, Area.path)
        .join(Area, Area.id == BallotBox.area_id)
        .where(
            BallotBox.opens_at <= now,
            BallotBox.closes_at > now,
            BallotBox.published_at.is_(None),
            or_(*reaches),
        )
        .order_by(BallotBox.closes_at, BallotBox.id)
        .limit(limit)
    ).all()
    return [(box, path) for box, path in rows]


def _voted(session: Session, keys: dict[int, str]) -> set[int]:
    """The boxes among ``keys`` (box id -> voter key) where the key has voted."""
    if not keys:
        return set()
    rows = session.execute(
        select(Participation.box_id, Participation.voter_key).where(
            Participation.box_id.in_(keys), Participation.voter_key.in_(set(keys.values()))
        )
    ).all()
    return {box_id for box_id, key in rows if keys.get(box_id) == key}


def voted_boxes(
    session: Session, account_id: int, offset: int, limit: int
) -> tuple[list[BallotBox], int]:
    """The boxes where the person's own key (``account:<id>``) or their household's
    has voted, newest first, and how many: who voted, never what (the receipt code
    is shown once, at casting, and stored nowhere with the person)."""
    facts = voter_facts(session, account_id)
    keys = [f"account:{account_id}"]
    if facts.household_code:
        keys.append(f"household:{facts.household_code}")
    base = select(BallotBox).join(Participation, Participation.box_id == BallotBox.id)
    base = base.where(Participation.voter_key.in_(keys))
    total = (
        session.scalar(
            select(func.count()).select_from(Participation).where(Participation.voter_key.in_(keys))
        )
        or 0
    )
    boxes = session.scalars(
        base.order_by(BallotBox.closes_at.desc(), BallotBox.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(boxes), total
