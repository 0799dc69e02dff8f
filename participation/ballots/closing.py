"""Closing a box: count online and reconciled paper ballots, publish the bulletin."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, make_transient

from participation import audit
from participation.accounts import RoleGrant
from participation.areas import Area
from participation.ballots.boxes import items_of
from participation.ballots.mixing import open_batch
from participation.ballots.models import (
    BallotBox,
    BallotReceipt,
    CastBallot,
    PaperBatch,
    PaperEntry,
    Participation,
)
from participation.ballots.paper import batch_states
from participation.ballots.presence import lock_box, present_count
from participation.ballots.rules.bulletin import build_bulletin, receipt_hash, receipt_hashes
from participation.ballots.rules.counting import count_bulletin
from participation.ballots.rules.eligibility import Roll
from participation.errors import N_, DomainError
from participation.rolls import DeputyEntry, RollEntry
from participation.rules.permissions import Role


def eligible_count(session: Session, box: BallotBox) -> int:
    """Members of the box's roll: the base for "all eligible" thresholds."""
    roll = Roll(box.roll)
    if roll is Roll.DEPUTIES:
        query = select(func.count()).where(DeputyEntry.congress_id == box.congress_id)
        return int(session.scalar(query) or 0)
    area = session.get(Area, box.area_id)
    assert area is not None
    inside = Area.path.startswith(area.path)
    if roll is Roll.REPRESENTATIVES:
        query = (
            select(func.count(func.distinct(RoleGrant.account_id)))
            .join(Area, Area.id == RoleGrant.area_id)
            .where(RoleGrant.role == Role.REPRESENTATIVE.value, inside)
        )
        return int(session.scalar(query) or 0)
    counted = (
        func.count(func.distinct(RollEntry.household_code))
        if roll is Roll.HOUSEHOLDS
        else func.count()
    )
    query = (
        select(counted)
        .select_from(RollEntry)
        .join(Area, Area.id == RollEntry.community_id)
        .where(inside)
    )
    return int(session.scalar(query) or 0)


def bulletin_header(session: Session, box: BallotBox, eligible: int) -> dict[str, Any]:
    """What counting needs besides the ballots; boxes that require presence
    add ``present`` (members on the presence list), the base "present"."""
    header: dict[str, Any] = {
        "id": box.id,
        "title": box.title,
        "roll": box.roll,
        "form": box.form.to_json(),
        "rule": box.rule,
        "items": [{"key": i.key, "title": i.title, "cost": i.cost} for i in items_of(session, box)],
        "eligible": eligible,
        "paper_issued": box.paper_issued,
        "closes_at": box.closes_at.isoformat(),
    }
    if box.requires_presence:
        header["present"] = present_count(session, box)
    return header


def publish(session: Session, box: BallotBox, now: datetime) -> dict[str, Any]:
    """Count the box and publish its bulletin; once only, and only after it closes.

    Invariants: every batch of paper ballots must have two agreeing entries;
    every sealed ballot is opened first (mixing.py); the published tally is
    exactly what :func:`count_bulletin` gives for the published ballots, so
    anyone can recompute it from the bulletin alone; the bulletin lists receipt
    hashes and contents apart, so no receipt points at a content.
    The box row is held for update first, so casts into a box that requires
    presence finish before the count or are refused (see presence.py).
    """
    lock_box(session, box)
    if box.published_at is not None:
        raise DomainError("box.published", N_("The results are already published."))
    if now < box.closes_at:
        raise DomainError("box.still_open", N_("The vote has not closed yet."))
    states = batch_states(session, box)
    pending = [s.batch.label for s in states if not s.agreed]
    if pending:
        raise DomainError(
            "box.paper_pending",
            N_("Paper batches are not reconciled yet: %(batches)s"),
            params={"batches": ", ".join(pending)},
        )
    open_batch(session, box.id, final=True)
    entries: list[dict[str, Any]] = [
        {"content": json.loads(content), "source": "online"}
        for content in session.scalars(
            select(CastBallot.content).where(CastBallot.box_id == box.id)
        )
    ]
    for state in states:
        readings = json.loads(_agreed_reading(session, state.batch))
        entries.extend({"content": raw, "source": f"paper:{state.batch.label}"} for raw in readings)
    receipts = list(
        session.scalars(select(BallotReceipt.receipt_hash).where(BallotReceipt.box_id == box.id))
    )
    header = bulletin_header(session, box, eligible_count(session, box))
    tally = count_bulletin(
        header, [e["content"] for e in entries], [e["source"] != "online" for e in entries]
    )
    bulletin = build_bulletin(header, receipts, entries, tally)
    box.bulletin_json = json.dumps(bulletin, ensure_ascii=False, sort_keys=True)
    box.bulletin_root = bulletin["root"]
    box.tally_json = json.dumps(bulletin["tally"], ensure_ascii=False, sort_keys=True)
    box.eligible_count = header["eligible"]
    box.published_at = now
    scramble_storage(session, box)
    return bulletin


def _agreed_reading(session: Session, batch: PaperBatch) -> str:
    first = session.scalar(
        select(PaperEntry.ballots)
        .where(PaperEntry.batch_id == batch.id, PaperEntry.round == batch.round)
        .order_by(PaperEntry.id)
    )
    return first or "[]"


def scramble_storage(session: Session, box: BallotBox) -> None:
    """Rewrite the box's participations and ballots in key order.

    PostgreSQL appends rows to its heap in insertion order, so a dump of an
    untouched table lists ballots in the order they were cast, next to
    participations in the same order. Deleting and re-inserting both sets sorted
    by their keys (voter key; random ballot id) leaves only key order. Content is
    unchanged. On SQLite the tables have no rowid and are stored in key order
    already; the rewrite is harmless there.
    """
    for model, order in (
        (Participation, Participation.voter_key),
        (CastBallot, CastBallot.id),
        (BallotReceipt, BallotReceipt.receipt_hash),
    ):
        rows = list(session.scalars(select(model).where(model.box_id == box.id).order_by(order)))
        session.execute(delete(model).where(model.box_id == box.id))
        session.flush()
        for row in rows:
            session.expunge(row)
            make_transient(row)
            session.add(row)
        session.flush()


def publish_results(
    session: Session, box: BallotBox, now: datetime, *, actor_id: int, ip: str = ""
) -> dict[str, Any]:
    """A person publishes a ballot's results in the back office: publish, audited
    with the bulletin's root (budget and livelihood publish theirs under their own)."""
    bulletin = publish(session, box, now)
    audit.record(
        session,
        actor_id=actor_id,
        action="ballot.publish",
        target=f"ballot:{box.id}",
        ip=ip,
        root=bulletin["root"],
    )
    return bulletin


def in_bulletin(session: Session, box: BallotBox, code: str) -> bool:
    """Whether the box's published bulletin lists the receipt ``code``.

    :func:`publish` builds the bulletin's receipts from exactly the box's
    :class:`BallotReceipt` rows, so one primary-key probe answers, whatever the
    number of ballots, without reading the bulletin. A box with no receipt rows
    at all (published before they were kept) is read from its bulletin.
    """
    if box.bulletin_root is None:
        return False
    hashed = receipt_hash(code)
    listed, kept = session.execute(
        select(
            exists().where(BallotReceipt.box_id == box.id, BallotReceipt.receipt_hash == hashed),
            exists().where(BallotReceipt.box_id == box.id),
        )
    ).one()
    if kept:
        return bool(listed)
    return hashed in receipt_hashes(json.loads(box.bulletin_json or "{}"))
