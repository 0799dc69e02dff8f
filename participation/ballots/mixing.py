"""Opening sealed ballots in mixed batches.

A cast commits the voter's participation and the ballot in one transaction, and
whoever copies the database files (SQLite's main file and write-ahead log,
PostgreSQL's data directory and WAL) sees that transaction's rows together. So
the cast stores its ballot only sealed (:class:`SealedBallot`: receipt hash and
content encrypted under a key derived from the portal's secret, which is not in
the database), and this module opens pending ballots into :class:`CastBallot`
(contents) and :class:`BallotReceipt` (receipt hashes) in batches:

- while voting, once at least ``2 * MIX`` ballots are pending, all but ``MIX`` of
  them (chosen at random) are opened in one transaction, contents and receipts
  each inserted in their own random order under fresh random ids;
- when the box is published, everything still pending is opened first.

Invariants: every opened batch before the end holds at least ``MIX`` ballots, so
the plaintext written in any one transaction belongs to at least ``MIX`` voters
and nothing in it (key, order, time) says which; a ballot is never lost or
doubled: its sealed row is deleted in the same transaction that inserts its
content, and batches of one box are opened one at a time.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, text
from sqlalchemy.orm import Session

from participation import sealing
from participation.ballots.models import BallotReceipt, CastBallot, SealedBallot
from participation.ballots.rules.mixing import shuffled, to_open

#: Ballots in each batch opened while voting (at least): the smallest crowd a
#: ballot hides in against someone who copies the database files.
MIX = 20

_rng = secrets.SystemRandom()
_sealed = cast(Table, SealedBallot.__table__)
_INSERT_SEALED = insert(_sealed)
_PENDING_COUNT = (
    select(func.count()).select_from(_sealed).where(_sealed.c.box_id == bindparam("box_id"))
)
_PENDING = select(_sealed.c.id, _sealed.c.sealed).where(_sealed.c.box_id == bindparam("box_id"))
# Lock class of PostgreSQL advisory locks that serialise the opening of one box's
# batches ("gz" in ASCII); SQLite's single writer serialises them already.
_LOCK_CLASS = 0x677A


def purpose(box_id: int) -> str:
    return f"ballot-box:{box_id}"


def seal(box_id: int, receipt_hash: str, content: str, voter_key: str | None, size: int) -> bytes:
    """One cast ballot sealed (no database work: done before the write lock);
    ``size`` is the box's padded plaintext size."""
    payload = json.dumps({"r": receipt_hash, "c": content, "v": voter_key}).encode()
    return sealing.seal(purpose(box_id), payload, size)


def store_sealed(session: Session, box_id: int, sealed: bytes) -> None:
    session.connection().execute(
        _INSERT_SEALED, {"id": secrets.token_hex(16), "box_id": box_id, "sealed": sealed}
    )


def sealed_size(bound: int) -> int:
    """Padded plaintext size for a box whose longest content is ``bound`` bytes:
    the JSON envelope (receipt hash, voter key, escaping of the content string)
    around it, with room to spare, in whole 64-byte blocks."""
    envelope = 2 * bound + 256
    return -(-envelope // 64) * 64


def pending_count(session: Session, box_id: int) -> int:
    return int(session.connection().execute(_PENDING_COUNT, {"box_id": box_id}).scalar() or 0)


def _take_lock(session: Session, box_id: int, wait: bool) -> bool:
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return True
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    got = connection.execute(
        text(f"SELECT {function}(:cls, :box)"), {"cls": _LOCK_CLASS, "box": box_id}
    ).scalar()
    return wait or bool(got)


def open_batch(session: Session, box_id: int, *, final: bool = False) -> int:
    """Open a batch of the box's sealed ballots (see the module's rules); returns
    how many were opened. ``final`` opens all (publication). Does not commit."""
    if not _take_lock(session, box_id, wait=final):
        return 0  # another transaction is opening this box's batch right now
    connection = session.connection()
    rows = connection.execute(_PENDING, {"box_id": box_id}).all()
    chosen = [rows[i] for i in to_open(len(rows), MIX, final, _rng)]
    if not chosen:
        return 0
    key = purpose(box_id)
    opened: list[dict[str, Any]] = [
        json.loads(sealing.open_or_refuse(key, row.sealed)) for row in chosen
    ]
    deleted = connection.execute(
        delete(_sealed).where(_sealed.c.id.in_([row.id for row in chosen]))
    ).rowcount
    if deleted != len(chosen):
        raise RuntimeError(f"ballot box {box_id}: sealed ballots opened twice")
    connection.execute(
        insert(cast(Table, CastBallot.__table__)),
        [
            {"id": secrets.token_hex(16), "box_id": box_id, "content": b["c"], "voter_key": b["v"]}
            for b in shuffled(opened, _rng)
        ],
    )
    connection.execute(
        insert(cast(Table, BallotReceipt.__table__)),
        [{"box_id": box_id, "receipt_hash": h} for h in shuffled((b["r"] for b in opened), _rng)],
    )
    return len(chosen)


class BatchClock:
    """When a worker process should look whether a box has a batch to open: after
    every ``MIX`` of its own casts into that box, so that the count of pending
    ballots is not read on every cast. An approximation across processes; the
    decision itself (:func:`open_batch`) reads the database."""

    def __init__(self) -> None:
        self.casts: dict[int, int] = {}

    def tick(self, box_id: int) -> bool:
        n = self.casts.get(box_id, 0) + 1
        if n >= MIX:
            self.casts.pop(box_id, None)
            return True
        if len(self.casts) > 1000:
            self.casts.clear()
        self.casts[box_id] = n
        return False


batch_clock = BatchClock()


def open_due(session: Session, box_id: int) -> int:
    """After a cast: open a batch when enough are pending (see :class:`BatchClock`)."""
    if not batch_clock.tick(box_id):
        return 0
    if pending_count(session, box_id) < 2 * MIX:
        return 0
    return open_batch(session, box_id)
