"""Presence lists: ballot boxes in which only the members present may vote.

A box with ``requires_presence`` accepts a ballot only from a voter key on its
presence list (table ``ballot_presence``, one row per box and member key). The
process that holds the meeting fills the list as members sign in (the congress
session does, from deputies' own sign-in and the clerk's paper register); the
engine knows nothing about meetings. A member key is the voter key
(``account:N``) of a member who may vote online, or any other stable key for a
member without an account (the congress uses ``deputy:N``): such a member
cannot vote online but is present all the same.

What the list means for counting: the number of rows is the box's "present",
the base of thresholds with base ``present`` and of the quorum (published in the
bulletin header, so anyone can recompute the tally).

Invariants: rows are only ever added, each member once; nobody is added once the
box has closed or been published; casting checks the list inside its write
transaction, holding the box row shared on PostgreSQL (SQLite has a single
writer), and publishing holds the box row for update, so a ballot is either in
the bulletin or refused, and never from someone not on the list.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from participation.ballots.models import BallotBox, Presence
from participation.errors import N_, DomainError

NOT_PRESENT = N_("You have not signed in at this session.")
LIST_CLOSED = N_("Voting has closed; signing in no longer counts for this ballot.")


def lock_box(session: Session, box: BallotBox) -> None:
    """Hold the box row for update (PostgreSQL) and reread it: publishing and
    adding to the presence list wait for each other and for casts in flight."""
    session.flush()  # refresh would drop unflushed changes of this transaction
    session.refresh(box, with_for_update=True)


def add_present(session: Session, box: BallotBox, member_key: str, now: datetime) -> bool:
    """Put ``member_key`` on the box's presence list (True if newly added).

    Refused (409, nothing stored) once the box has closed or been published.
    """
    lock_box(session, box)
    if box.published_at is not None or now >= box.closes_at:
        raise DomainError("ballot.presence_closed", LIST_CLOSED, status=409)
    table = cast(Table, Presence.__table__)
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing().execution_options(preserve_rowcount=True)
    added = session.connection().execute(statement, {"box_id": box.id, "member_key": member_key})
    return bool(added.rowcount == 1)


def present_count(session: Session, box: BallotBox) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Presence).where(Presence.box_id == box.id))
        or 0
    )


def is_present(session: Session, box: BallotBox, member_key: str) -> bool:
    return session.get(Presence, {"box_id": box.id, "member_key": member_key}) is not None
