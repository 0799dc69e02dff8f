"""Congress ballots on livelihood projects (民生实事项目人大代表票决制): moving a cycle
through its phases. The service API of cycles is re-exported here, so the web
layer imports one module.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from participation import audit
from participation.ballots.boxes import get_box
from participation.errors import N_, DomainError
from participation.livelihood.cycles import (
    SCREEN_DECISIONS,
    NewCycle,
    candidates_of,
    competitiveness,
    congresses,
    create_cycle,
    cycle_ref,
    cycles,
    cycles_after,
    cycles_with_congresses,
    find_congress,
    get_candidate,
    get_cycle,
    page_of_cycles,
    screen_candidate,
    submit,
    submitter_kinds,
)
from participation.livelihood.models import LivelihoodCycle
from participation.livelihood.rules import CyclePhase
from participation.livelihood.session import (
    adopt,
    adopted_of,
    attendance,
    deputy_entry,
    has_signed_in,
    open_ballot,
    publish_if_closed,
    register_attendance,
    roll_call,
    sign_in_deputy,
    tally_of,
)
from participation.livelihood.year_end import (
    RECTIFICATION_DAYS,
    open_satisfaction,
    plan_items_of,
    publish_satisfaction,
    rectifications_of,
    rectify,
)

__all__ = [
    "RECTIFICATION_DAYS",
    "SCREEN_DECISIONS",
    "NewCycle",
    "adopt",
    "adopted_of",
    "advance",
    "attendance",
    "candidates_of",
    "competitiveness",
    "congresses",
    "create_cycle",
    "cycle_ref",
    "cycles",
    "cycles_after",
    "cycles_with_congresses",
    "deputy_entry",
    "find_congress",
    "get_candidate",
    "get_cycle",
    "has_signed_in",
    "open_ballot",
    "open_satisfaction",
    "page_of_cycles",
    "plan_items_of",
    "publish_if_closed",
    "publish_satisfaction",
    "rectifications_of",
    "rectify",
    "register_attendance",
    "roll_call",
    "screen_candidate",
    "sign_in_deputy",
    "submit",
    "submitter_kinds",
    "tally_of",
]


def advance(
    session: Session,
    cycle: LivelihoodCycle,
    actor_id: int,
    now: datetime,
    closes_at: datetime | None = None,
    expected: str | None = None,
    *,
    ip: str = "",
) -> str:
    """Move the cycle on; each step checks what it needs.

    ``expected`` is the phase the person saw; a stale or repeated request is refused.
    The move is audited here, once (``livelihood.phase``, from ``ip``).

    to screening: no more submissions. to session: every submission screened
    and the list competitive (差额). Opening the ballot (see open_ballot) needs a
    quorum. to results: the box is published; adopted projects go on the plan.
    to evaluation: the satisfaction box opens. to closed: it is published and
    dissatisfied projects open rectification items.
    """
    session.flush()  # refresh would drop unflushed changes of this transaction
    session.refresh(cycle, with_for_update=True)  # concurrent requests queue here
    if expected is not None and cycle.phase != expected:
        raise DomainError(
            "cycle.moved_on", N_("The cycle has already moved on; reload the page."), status=409
        )
    phase = CyclePhase(cycle.phase)
    if phase is CyclePhase.SOLICITATION:
        target = CyclePhase.SCREENING
    elif phase is CyclePhase.SCREENING:
        pending = candidates_of(session, cycle, "submitted")
        if pending:
            raise DomainError(
                "cycle.unscreened",
                N_("Screen every proposal before voting: %(titles)s"),
                params={"titles": "、".join(c.name for c in pending)},
            )
        check = competitiveness(session, cycle)
        if not check.ok:
            raise DomainError(
                "cycle.not_competitive",
                N_(
                    "The list has %(candidates)s candidates for %(places)s places; "
                    "at least %(needed)s are needed for a competitive vote."
                ),
                params={
                    "candidates": check.candidates,
                    "places": check.places,
                    "needed": check.needed,
                },
            )
        target = CyclePhase.SESSION
    elif phase is CyclePhase.SESSION:
        _publish_session(session, cycle, actor_id, now)
        target = CyclePhase.RESULTS
    elif phase is CyclePhase.RESULTS:
        open_satisfaction(session, cycle, actor_id, now, closes_at)
        target = CyclePhase.EVALUATION
    elif phase is CyclePhase.EVALUATION:
        publish_satisfaction(session, cycle, actor_id, now)
        target = CyclePhase.CLOSED
    else:
        raise DomainError("cycle.finished", N_("This cycle is finished."), status=409)
    cycle.phase = target.value
    audit.record(
        session,
        actor_id=actor_id,
        action="livelihood.phase",
        target=cycle_ref(cycle),
        ip=ip,
        phase=target.value,
    )
    return target.value


def _publish_session(
    session: Session, cycle: LivelihoodCycle, actor_id: int, now: datetime
) -> None:
    if cycle.box_id is None:
        raise DomainError("cycle.no_ballot", N_("The ballot has not been opened yet."), status=409)
    box = get_box(session, cycle.box_id)
    publish_if_closed(session, box, now)
    adopt(session, cycle, box, actor_id)
