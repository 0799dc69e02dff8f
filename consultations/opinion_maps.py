"""Stored opinion maps: the worker computes a consultation's map after votes
arrive (debounced, consultations.rules.map_timing), the pages read the stored one.

A map at city scale (10,000 participants x 500 statements) takes seconds of CPU;
a page must answer in milliseconds. So no request computes a map: the page
shows the last stored map, "as of" its time and vote count, and says so when
newer votes are waiting for the next computation.

Safety with several workers and crashes, by construction:

- **Lease.** A worker computes a consultation's map only after taking its lease
  (a conditional UPDATE in its own short transaction: free or run out). Two
  workers never compute the same map at once while a lease runs.
- **Conditional write.** The map is written by one UPDATE ... WHERE
  ``lease_owner`` is this worker's run, in one short transaction: if the lease
  ran out and another worker took it, the late writer's UPDATE matches no row
  and its map is dropped. Body, time, vote count and version change together or
  not at all, so a reader never sees half a map.
- **Crash.** A worker that dies mid-computation wrote nothing; its lease runs
  out after :data:`LEASE` and the next tick computes the map.
- **No lock while computing.** The votes are read in a read-only transaction and
  the map computed with no transaction open, so voters are never held up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, case, exists, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultations import deliberation
from consultations.models import Consultation, OpinionStatement, OpinionVote, StoredOpinionMap
from consultations.rules.map_timing import Debounce, Pending, is_due
from consultations.rules.opinion import MapState, OpinionMap, opinion_map
from consultations.rules.opinion_json import pack, unpack
from participation.db import READ_ONLY, writers_queue

#: The version of the map code; a map stored by another version counts as stale.
ALGORITHM = 1
#: How long a worker may compute one map before another may take over (a 10,000
#: x 500 map takes about 2 s; a crashed worker's lease runs out after this).
LEASE = timedelta(minutes=5)
#: Votes are only taken while the deliberation window is open; a map computed
#: this long after the window closed has every vote (a vote's transaction takes
#: milliseconds), so the worker stops looking at that consultation's votes.
SETTLED = timedelta(hours=1)

NOT_COMPUTED = OpinionMap((), (), {}, None, 0, 0, "not_computed")


@dataclass(frozen=True)
class Watermark:
    """The input a map was computed from: votes counted, highest vote id, hidden statements."""

    votes: int
    top_vote_id: int
    hidden: int


@dataclass(frozen=True)
class MapView:
    """What a page shows: the stored map (or :data:`NOT_COMPUTED`), when it was
    computed and from how many votes, and whether newer votes are waiting."""

    opinion: OpinionMap
    computed_at: datetime | None
    votes: int
    waiting: bool


# --- reading (pages) ----------------------------------------------------------


def _hidden_count(session: Session, consultation_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                OpinionStatement.consultation_id == consultation_id,
                OpinionStatement.hidden_at.is_not(None),
            )
        )
        or 0
    )


def stored_header(session: Session, consultation_id: int) -> StoredOpinionMap | None:
    """The stored map's row without its body (to check a cache against)."""
    return session.execute(
        select(StoredOpinionMap)
        .where(StoredOpinionMap.consultation_id == consultation_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def stored_body(session: Session, consultation_id: int) -> bytes | None:
    return session.scalar(
        select(StoredOpinionMap.body).where(StoredOpinionMap.consultation_id == consultation_id)
    )


def waiting(session: Session, consultation_id: int, row: StoredOpinionMap | None) -> bool:
    """Whether votes or hidden statements the stored map lacks exist: one index
    probe on (consultation_id, id) and a count of hidden statements."""
    top = row.top_vote_id if row is not None and row.body is not None else 0
    newer = session.scalar(
        select(exists().where(OpinionVote.consultation_id == consultation_id, OpinionVote.id > top))
    )
    if newer:
        return True
    if row is None or row.body is None:
        return False
    return row.algorithm != ALGORITHM or _hidden_count(session, consultation_id) != row.hidden


@dataclass(frozen=True)
class MapHeader:
    """The stored map's header as a page needs it, read in one statement: when it
    was computed and from which input (not its body), whether the map lacks newer
    votes or hidden statements (``waiting``), and how many statements are visible."""

    stored: bool
    computed_at: datetime | None
    votes: int
    waiting: bool
    statements: int


@cache
def _page_header_statement() -> Select[Any]:
    """Built once (the page runs it on every request); ``cid`` is bound per call."""
    cid = bindparam("cid", type_=Integer)
    one = select(cid.label("cid")).subquery("one")
    m = StoredOpinionMap
    stored = m.body.is_not(None)
    top = func.coalesce(case((stored, m.top_vote_id)), 0)

    def statements(hidden: bool) -> Any:
        shown = OpinionStatement.hidden_at
        return (
            select(func.count())
            .where(
                OpinionStatement.consultation_id == cid,
                shown.is_not(None) if hidden else shown.is_(None),
            )
            .scalar_subquery()
        )

    return select(
        stored,
        m.algorithm,
        m.votes,
        m.hidden,
        m.computed_at,
        exists().where(OpinionVote.consultation_id == cid, OpinionVote.id > top),
        statements(True),
        statements(False),
    ).select_from(one.outerjoin(m, m.consultation_id == one.c.cid))


def page_header(session: Session, consultation_id: int) -> MapHeader:
    """One statement, whatever the number of votes: the stored row's header (its
    body is not read), an index probe for votes after its highest vote id, and the
    counts of hidden and visible statements. ``waiting`` means what :func:`waiting`
    means."""
    row = session.execute(_page_header_statement(), {"cid": consultation_id}).one()
    has_body, algorithm, votes, hidden, computed_at, newer, hidden_now, visible = row
    has_body = bool(has_body)
    late = bool(newer) or (has_body and (algorithm != ALGORITHM or int(hidden_now) != hidden))
    return MapHeader(
        has_body, computed_at if has_body else None, int(votes or 0), late, int(visible or 0)
    )


def read_map(session: Session, consultation_id: int) -> MapView:
    """The stored map as a page shows it; never computes one."""
    row = stored_header(session, consultation_id)
    late = waiting(session, consultation_id, row)
    if row is None or row.body is None:
        return MapView(NOT_COMPUTED, None, 0, late)
    return MapView(unpack(row.body), row.computed_at, row.votes, late)


# --- the worker ---------------------------------------------------------------


def pending(session: Session, consultation_id: int, row: StoredOpinionMap | None) -> Pending | None:
    """The changes the stored map lacks, by when they happened, or None.

    Votes after the stored map's highest vote id are read as one index range.
    A vote whose id is below it but that committed after the map was read (on
    PostgreSQL ids are drawn before commit), or a map of another algorithm, is
    seen by the vote count and dated at the stored map's time.
    """
    stored = row is not None and row.body is not None
    top = row.top_vote_id if row is not None and stored else 0
    first, last = session.execute(
        select(func.min(OpinionVote.voted_at), func.max(OpinionVote.voted_at)).where(
            OpinionVote.consultation_id == consultation_id, OpinionVote.id > top
        )
    ).one()
    moments = [m for m in (first, last) if m is not None]
    if row is not None and stored:
        assert row.computed_at is not None
        hidden_at = session.execute(
            select(func.count(), func.max(OpinionStatement.hidden_at)).where(
                OpinionStatement.consultation_id == consultation_id,
                OpinionStatement.hidden_at.is_not(None),
            )
        ).one()
        if hidden_at[0] != row.hidden:
            moments.append(hidden_at[1] or row.computed_at)
        if not moments:
            counted = session.scalar(
                select(func.count(OpinionVote.id)).where(
                    OpinionVote.consultation_id == consultation_id
                )
            )
            if counted != row.votes or row.algorithm != ALGORITHM:
                moments.append(row.computed_at)
    if not moments:
        return None
    return Pending(min(moments), max(moments))


def candidates(session: Session, now: datetime) -> list[int]:
    """Consultations whose map may be stale: deliberation opened, and either no
    map stored, a map of another algorithm, the window not long closed when it
    was computed, or a statement hidden since."""
    stored = StoredOpinionMap
    hidden = (
        select(func.count())
        .where(
            OpinionStatement.consultation_id == Consultation.id,
            OpinionStatement.hidden_at.is_not(None),
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Consultation.id,
            Consultation.deliberation_closes_at,
            stored.body.is_(None),
            stored.algorithm,
            stored.computed_at,
            stored.hidden,
            hidden,
        )
        .outerjoin(stored, stored.consultation_id == Consultation.id)
        .where(Consultation.deliberation_opens_at <= now)
        .order_by(Consultation.id)
    )
    return [
        cid
        for cid, closes, no_map, algorithm, computed_at, was_hidden, hidden_now in rows
        if no_map in (None, True, 1)
        or algorithm != ALGORITHM
        or computed_at is None
        or computed_at < closes + SETTLED
        or was_hidden != hidden_now
    ]


def claim(
    session: Session, consultation_id: int, owner: str, now: datetime, rule: Debounce
) -> bool:
    """Take the consultation's lease if it is free and its map is due, in the
    caller's (short, write) transaction. The due check runs after the lease is
    taken, so a map another worker stored a moment ago is seen and not redone."""
    if session.get(StoredOpinionMap, consultation_id) is None:
        try:
            with session.begin_nested():  # another worker may create the row too
                session.add(
                    StoredOpinionMap(
                        consultation_id=consultation_id,
                        algorithm=ALGORITHM,
                        votes=0,
                        top_vote_id=0,
                        hidden=0,
                    )
                )
        except IntegrityError:
            pass
    taken = session.execute(
        update(StoredOpinionMap)
        .where(
            StoredOpinionMap.consultation_id == consultation_id,
            StoredOpinionMap.lease_until.is_(None) | (StoredOpinionMap.lease_until <= now),
        )
        .values(lease_owner=owner, lease_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if not _due(session, consultation_id, now, rule):
        release(session, consultation_id, owner)
        return False
    return True


def _due(session: Session, consultation_id: int, now: datetime, rule: Debounce) -> bool:
    row = stored_header(session, consultation_id)
    computed = row.computed_at if row is not None and row.body is not None else None
    return is_due(pending(session, consultation_id, row), computed, now, rule)


def release(session: Session, consultation_id: int, owner: str) -> None:
    session.execute(
        update(StoredOpinionMap)
        .where(
            StoredOpinionMap.consultation_id == consultation_id,
            StoredOpinionMap.lease_owner == owner,
        )
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Computed:
    opinion: OpinionMap
    watermark: Watermark
    previous: MapState | None


def compute(session: Session, consultation_id: int) -> Computed:
    """Read the votes and compute the map (the watermark from the very rows read)."""
    votes = session.execute(
        select(
            OpinionVote.id, OpinionVote.account_id, OpinionVote.statement_id, OpinionVote.choice
        ).where(OpinionVote.consultation_id == consultation_id)
    ).all()
    hidden = set(
        session.scalars(
            select(OpinionStatement.id).where(
                OpinionStatement.consultation_id == consultation_id,
                OpinionStatement.hidden_at.is_not(None),
            )
        )
    )
    mark = Watermark(len(votes), max((v[0] for v in votes), default=0), len(hidden))
    version = (mark.votes, mark.top_vote_id, mark.hidden)
    previous = deliberation.map_state_for(session, consultation_id, version)
    opinion = opinion_map([(a, s, c) for _, a, s, c in votes], hidden=hidden, previous=previous)
    return Computed(opinion, mark, previous)


def store(
    session: Session, consultation_id: int, owner: str, computed: Computed, now: datetime
) -> bool:
    """Write the map if ``owner`` still holds the lease (one UPDATE); False when
    the lease was lost (the map is then dropped: another worker's counts)."""
    mark = computed.watermark
    written = session.execute(
        update(StoredOpinionMap)
        .where(
            StoredOpinionMap.consultation_id == consultation_id,
            StoredOpinionMap.lease_owner == owner,
        )
        .values(
            algorithm=ALGORITHM,
            votes=mark.votes,
            top_vote_id=mark.top_vote_id,
            hidden=mark.hidden,
            computed_at=now,
            body=pack(computed.opinion),
            lease_owner=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        return False
    version = (mark.votes, mark.top_vote_id, mark.hidden)
    deliberation.save_map_state(
        session, consultation_id, version, computed.previous, computed.opinion
    )
    return True


def store_now(session: Session, consultation_id: int, now: datetime) -> None:
    """Compute and store the map in the caller's transaction, without a lease:
    for loading demo or bench data, where no worker runs alongside."""
    computed = compute(session, consultation_id)
    if session.get(StoredOpinionMap, consultation_id) is None:
        session.add(StoredOpinionMap(consultation_id=consultation_id))
        session.flush()
    owner = f"seed/{uuid.uuid4().hex[:12]}"
    session.execute(
        update(StoredOpinionMap)
        .where(StoredOpinionMap.consultation_id == consultation_id)
        .values(lease_owner=owner)
        .execution_options(synchronize_session=False)
    )
    assert store(session, consultation_id, owner, computed, now)


@dataclass(frozen=True)
class Refreshed:
    computed: int
    waiting: int  # due, but leased by another worker (or no longer due once leased)
    lost: int  # computed, but the lease had passed to another worker


def refresh_maps(engine: Engine, now: datetime, rule: Debounce, worker: str) -> Refreshed:
    """The worker's job: recompute every due map. Owns its transactions (as the
    worker's run does): a short write transaction to take a lease, a read-only
    one to read the votes, none while computing, a short one to write the map.
    The stored maps are dated ``now``, the tick's time (the votes are read
    right after it)."""
    owner = f"{worker}/{uuid.uuid4().hex[:12]}"
    computed = waited = lost = 0
    with Session(engine) as session:
        session.connection(execution_options={READ_ONLY: True})
        found = [cid for cid in candidates(session, now) if _due(session, cid, now, rule)]
    for consultation_id in found:
        with writers_queue(engine), Session(engine) as session, session.begin():
            ours = claim(session, consultation_id, owner, now, rule)
        if not ours:
            waited += 1
            continue
        try:
            with Session(engine) as session:
                session.connection(execution_options={READ_ONLY: True})
                result = compute(session, consultation_id)
            with writers_queue(engine), Session(engine) as session, session.begin():
                if store(session, consultation_id, owner, result, now):
                    computed += 1
                else:
                    lost += 1
        except BaseException:
            # Free the lease for the next tick (a crash instead leaves it to run out).
            with writers_queue(engine), Session(engine) as session, session.begin():
                release(session, consultation_id, owner)
            raise
    return Refreshed(computed, waited, lost)
