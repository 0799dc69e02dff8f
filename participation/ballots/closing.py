"""Closing a box: count, publish the bulletin, and scramble physical storage."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, make_transient

from participation.ballots.models import BallotBox, CastBallot, Participation


def scramble_storage(session: Session, box: BallotBox) -> None:
    """Rewrite the box's participations and ballots in key order.

    PostgreSQL appends rows to its heap in insertion order, so a dump of an
    untouched table lists ballots in the order they were cast, next to
    participations in the same order. Deleting and re-inserting both sets sorted
    by their keys (voter key; random ballot id) leaves only key order. Content is
    unchanged. On SQLite the tables have no rowid and are stored in key order
    already; the rewrite is harmless there.
    """
    for model, order in ((Participation, Participation.voter_key), (CastBallot, CastBallot.id)):
        rows = list(session.scalars(select(model).where(model.box_id == box.id).order_by(order)))
        session.execute(delete(model).where(model.box_id == box.id))
        session.flush()
        for row in rows:
            session.expunge(row)
            make_transient(row)
            session.add(row)
        session.flush()
