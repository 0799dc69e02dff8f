"""What a cycle's public page shows, read in a fixed few statements whatever the
number of projects: the cycle with its congress, its projects, the attendance
figures (in session), its ballot boxes, and the signed-in deputy's own entry.
The statements are built once, at import, with bound parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from participation.ballots.models import BallotBox
from participation.errors import N_, DomainError
from participation.livelihood.models import Attendance, LivelihoodCandidate, LivelihoodCycle
from participation.livelihood.rules import (
    Competitiveness,
    CyclePhase,
    Quorum,
    competitive_list,
    quorum,
)
from participation.rolls import Congress, DeputyEntry


@dataclass(frozen=True)
class CyclePage:
    cycle: LivelihoodCycle
    congress: Congress
    #: The projects as rows of the columns the page shows, in order of submission.
    candidates: Sequence[Any]
    competitive: Competitiveness
    #: The session's attendance; None outside the session (the page shows it then only).
    quorum: Quorum | None
    box: BallotBox | None
    satisfaction: BallotBox | None
    deputy: DeputyEntry | None
    signed_in: bool


_CYCLE = (
    select(LivelihoodCycle, Congress)
    .join(Congress, Congress.id == LivelihoodCycle.congress_id)
    .where(LivelihoodCycle.id == bindparam("cycle_id"))
)
#: The projects' columns the page shows, as rows (no ORM instances: cheaper to read).
_CANDIDATES = (
    select(
        LivelihoodCandidate.id,
        LivelihoodCandidate.name,
        LivelihoodCandidate.submitter_kind,
        LivelihoodCandidate.background,
        LivelihoodCandidate.content,
        LivelihoodCandidate.department,
        LivelihoodCandidate.funds_yuan,
        LivelihoodCandidate.funds_source,
        LivelihoodCandidate.complete_by,
        LivelihoodCandidate.status,
        LivelihoodCandidate.reason,
    )
    .where(LivelihoodCandidate.cycle_id == bindparam("cycle_id"))
    .order_by(LivelihoodCandidate.id)
)
_ATTENDANCE = select(
    select(func.count())
    .where(DeputyEntry.congress_id == bindparam("congress_id"))
    .scalar_subquery(),
    select(func.count()).where(Attendance.cycle_id == bindparam("cycle_id")).scalar_subquery(),
)
_BOXES = select(BallotBox).where(BallotBox.id.in_(bindparam("ids", expanding=True)))
_DEPUTY = (
    select(DeputyEntry, Attendance.id)
    .outerjoin(
        Attendance,
        and_(
            Attendance.deputy_entry_id == DeputyEntry.id,
            Attendance.cycle_id == bindparam("cycle_id"),
        ),
    )
    .where(
        DeputyEntry.congress_id == bindparam("congress_id"),
        DeputyEntry.account_id == bindparam("account_id"),
    )
)


def cycle_page(session: Session, cycle_id: int, account_id: int | None) -> CyclePage:
    """The cycle's page for ``account_id`` (None: anonymous). Four statements, five
    in session, one more for a signed-in person (their deputy entry and sign-in)."""
    found = session.execute(_CYCLE, {"cycle_id": cycle_id}).first()
    if found is None:
        raise DomainError("cycle.not_found", N_("No such livelihood project cycle."), status=404)
    cycle, congress = found
    candidates = session.execute(_CANDIDATES, {"cycle_id": cycle.id}).all()
    # The list as it went (or goes) to the vote: screened in, or adopted since.
    listed = sum(1 for c in candidates if c.status in ("candidate", "adopted"))
    attendance = None
    if cycle.phase == CyclePhase.SESSION.value:
        expected, present = session.execute(
            _ATTENDANCE, {"congress_id": cycle.congress_id, "cycle_id": cycle.id}
        ).one()
        attendance = quorum(int(expected or 0), int(present or 0))
    ids = [i for i in (cycle.box_id, cycle.satisfaction_box_id) if i is not None]
    boxes = {b.id: b for b in session.scalars(_BOXES, {"ids": ids})} if ids else {}
    entry, signed = None, None
    if account_id is not None:
        mine = session.execute(
            _DEPUTY,
            {"cycle_id": cycle.id, "congress_id": cycle.congress_id, "account_id": account_id},
        ).first()
        if mine is not None:
            entry, signed = mine
    return CyclePage(
        cycle=cycle,
        congress=congress,
        candidates=candidates,
        competitive=competitive_list(listed, cycle.places, cycle.extra_percent),
        quorum=attendance,
        box=boxes.get(cycle.box_id) if cycle.box_id else None,
        satisfaction=(boxes.get(cycle.satisfaction_box_id) if cycle.satisfaction_box_id else None),
        deputy=entry,
        signed_in=signed is not None,
    )
