"""Paper ballots: two different tellers enter each batch; only agreeing batches count."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import audit
from participation.ballots.casting import item_costs
from participation.ballots.models import BallotBox, PaperBatch, PaperEntry
from participation.ballots.rules.ballot_forms import check_ballot
from participation.errors import N_, DomainError


@dataclass(frozen=True)
class BatchState:
    batch: PaperBatch
    entries: int  # 0, 1 or 2
    agreed: bool
    discrepancy: bool
    ballots: tuple[dict[str, Any], ...]  # the agreed ballots (empty unless agreed)
    void: int  # agreed ballots that are void (e.g. over-marked)


def enter_batch(
    session: Session,
    box: BallotBox,
    label: str,
    teller_id: int,
    ballots: Sequence[Mapping[str, Any]],
    *,
    counts: tuple[int, int] | None = None,
    ip: str = "",
) -> PaperEntry:
    """Record one teller's reading of a batch of paper ballots.

    Each ballot is kept as read, valid or not: a paper ballot that breaks the
    form (say, marks more than N items) is void when counted, not refused here.
    Invariants: a teller enters a batch once; a batch has at most two entries,
    by two different tellers. Audited: as ballots, or as ``counts`` (valid, void)
    when the teller entered per-item counts.
    """
    label = label.strip()
    if not label:
        raise DomainError("paper.label", N_("Give the batch a label."))
    batch = session.scalar(
        select(PaperBatch).where(PaperBatch.box_id == box.id, PaperBatch.label == label)
    )
    if batch is None:
        batch = PaperBatch(box_id=box.id, label=label)
        session.add(batch)
        session.flush()
    existing = session.scalars(
        select(PaperEntry).where(PaperEntry.batch_id == batch.id, PaperEntry.round == batch.round)
    ).all()
    if any(e.teller_id == teller_id for e in existing):
        raise DomainError(
            "paper.same_teller",
            N_("You have entered this batch already; the second entry must be another teller's."),
        )
    if len(existing) >= 2:
        raise DomainError("paper.complete", N_("This batch has been entered twice already."))
    entry = PaperEntry(
        batch_id=batch.id,
        round=batch.round,
        teller_id=teller_id,
        ballots=json.dumps([dict(b) for b in ballots], ensure_ascii=False, sort_keys=True),
    )
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        raise DomainError(
            "paper.same_teller",
            N_("You have entered this batch already; the second entry must be another teller's."),
        ) from None
    if counts is None:
        audit.record(
            session,
            actor_id=teller_id,
            action="ballot.paper_entry",
            target=f"ballot:{box.id}",
            ip=ip,
            batch=label,
            count=len(ballots),
        )
    else:
        audit.record(
            session,
            actor_id=teller_id,
            action="ballot.paper_counts",
            target=f"ballot:{box.id}",
            ip=ip,
            batch=label,
            valid=counts[0],
            void=counts[1],
        )
    return entry


def batch_states(session: Session, box: BallotBox) -> list[BatchState]:
    """Every batch of the box with whether its two entries agree."""
    costs = item_costs(session, box)
    form = box.form
    states = []
    batches = session.scalars(
        select(PaperBatch).where(PaperBatch.box_id == box.id).order_by(PaperBatch.label)
    ).all()
    # Every entry of the box's batches in one query; only each batch's current round counts.
    entries_of: dict[int, list[PaperEntry]] = {batch.id: [] for batch in batches}
    for entry in session.scalars(
        select(PaperEntry)
        .join(PaperBatch, PaperBatch.id == PaperEntry.batch_id)
        .where(PaperBatch.box_id == box.id, PaperEntry.round == PaperBatch.round)
        .order_by(PaperEntry.id)
    ):
        entries_of.setdefault(entry.batch_id, []).append(entry)
    for batch in batches:
        entries = entries_of[batch.id]
        readings = [sorted(json.loads(e.ballots), key=json.dumps) for e in entries]
        agreed = len(readings) == 2 and readings[0] == readings[1]
        valid: list[dict[str, Any]] = []
        void = 0
        if agreed:
            for raw in readings[0]:
                checked = check_ballot(form, costs, raw)
                if checked.ok and checked.content is not None:
                    valid.append(checked.content)
                else:
                    void += 1
        states.append(
            BatchState(
                batch=batch,
                entries=len(readings),
                agreed=agreed,
                discrepancy=len(readings) == 2 and not agreed,
                ballots=tuple(valid),
                void=void,
            )
        )
    return states


def recount_batch(
    session: Session, box: BallotBox, label: str, *, actor_id: int | None, ip: str = ""
) -> PaperBatch:
    """Start a new round of entries for a batch whose two entries differ.

    The old entries stay on record; only the new round's entries count. Audited.
    """
    batch = session.scalar(
        select(PaperBatch).where(PaperBatch.box_id == box.id, PaperBatch.label == label)
    )
    if batch is None:
        raise DomainError("paper.no_batch", N_("No such batch."), status=404)
    states = {s.batch.id: s for s in batch_states(session, box)}
    if not states[batch.id].discrepancy:
        raise DomainError(
            "paper.no_discrepancy", N_("Only a batch whose entries differ is recounted.")
        )
    batch.round += 1
    audit.record(
        session,
        actor_id=actor_id,
        action="ballot.paper_recount",
        target=f"ballot:{box.id}",
        ip=ip,
        batch=label,
    )
    return batch
