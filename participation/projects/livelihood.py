"""Congress ballots on livelihood projects (民生实事项目人大代表票决制).

A cycle of one congress: solicitation, screening (merge duplicates, reasons for
every rejection), the session (attendance, quorum, the secret ballot in the
engine), the result sheet, adopted projects onto the plan, and the year-end
satisfaction vote whose dissatisfied projects open rectification items.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box, get_box
from participation.ballots.closing import publish
from participation.ballots.models import BallotBox
from participation.deputies import get_congress
from participation.errors import N_, DomainError
from participation.plan.intake import ItemFromSource, item_for_source, receive_item
from participation.plan.sources import SourceKind
from participation.projects.models import Attendance, LivelihoodCandidate, LivelihoodCycle
from participation.projects.rules import (
    CandidateDraft,
    Competitiveness,
    CyclePhase,
    Quorum,
    competitive_list,
    quorum,
)
from participation.rolls import DeputyEntry
from participation.rules.ballot_forms import BallotForm, FormKind
from participation.rules.eligibility import Roll


@dataclass(frozen=True)
class NewCycle:
    congress_id: int
    year: int
    title: str
    places: int
    extra_percent: int = 20
    form: str = "choose"


def create_cycle(session: Session, new: NewCycle, actor_id: int | None) -> LivelihoodCycle:
    problems: dict[str, str] = {}
    if not new.title.strip():
        problems["title"] = N_("Enter a title.")
    if new.places < 1:
        problems["places"] = N_("Enter a whole number.")
    if not 0 <= new.extra_percent <= 200:
        problems["extra_percent"] = N_("Enter a whole number.")
    if new.form not in ("choose", "yes_no"):
        problems["form"] = N_("Choose a ballot form.")
    if problems:
        raise DomainError("cycle.invalid", N_("Please correct the marked fields."), fields=problems)
    congress = get_congress(session, new.congress_id)
    cycle = LivelihoodCycle(
        congress_id=congress.id,
        area_id=congress.area_id,
        year=new.year,
        title=new.title.strip(),
        places=new.places,
        extra_percent=new.extra_percent,
        form=new.form,
        phase=CyclePhase.SOLICITATION.value,
        created_by=actor_id,
    )
    session.add(cycle)
    session.flush()
    audit.record(session, actor_id=actor_id, action="livelihood.cycle_created", target=_ref(cycle))
    return cycle


def _ref(cycle: LivelihoodCycle) -> str:
    return f"livelihood_cycle:{cycle.id}"


def get_cycle(session: Session, cycle_id: int) -> LivelihoodCycle:
    found = session.get(LivelihoodCycle, cycle_id)
    if found is None:
        raise DomainError("cycle.not_found", N_("No such livelihood project cycle."), status=404)
    return found


def get_candidate(session: Session, candidate_id: int) -> LivelihoodCandidate:
    found = session.get(LivelihoodCandidate, candidate_id)
    if found is None:
        raise DomainError("candidate.not_found", N_("No such project."), status=404)
    return found


def cycles(session: Session) -> Sequence[LivelihoodCycle]:
    return session.scalars(select(LivelihoodCycle).order_by(LivelihoodCycle.id.desc())).all()


def candidates_of(
    session: Session, cycle: LivelihoodCycle, status: str | None = None
) -> Sequence[LivelihoodCandidate]:
    query = select(LivelihoodCandidate).where(LivelihoodCandidate.cycle_id == cycle.id)
    if status:
        query = query.where(LivelihoodCandidate.status == status)
    return session.scalars(query.order_by(LivelihoodCandidate.id)).all()


def submit(
    session: Session, cycle: LivelihoodCycle, draft: CandidateDraft, account_id: int | None
) -> LivelihoodCandidate:
    if cycle.phase != CyclePhase.SOLICITATION.value:
        raise DomainError("cycle.phase", N_("Projects are no longer being solicited."), status=409)
    row = LivelihoodCandidate(
        cycle_id=cycle.id,
        submitted_by=account_id,
        submitter_kind=draft.submitter_kind,
        name=draft.name,
        background=draft.background,
        content=draft.content,
        department=draft.department,
        funds_yuan=draft.funds_yuan,
        funds_source=draft.funds_source,
        complete_by=draft.complete_by,
    )
    session.add(row)
    session.flush()
    return row


SCREEN_DECISIONS = ("candidate", "rejected", "merged")


def screen_candidate(
    session: Session,
    candidate: LivelihoodCandidate,
    decision: str,
    reason: str,
    merge_into: int | None,
    actor_id: int,
) -> None:
    """Make a submission a candidate, reject it (reason published), or merge it
    into another candidate of the same cycle (the reason says why)."""
    cycle = get_cycle(session, candidate.cycle_id)
    if cycle.phase not in (CyclePhase.SOLICITATION.value, CyclePhase.SCREENING.value):
        raise DomainError(
            "cycle.phase", N_("Projects can only be screened before the session."), status=409
        )
    if decision not in SCREEN_DECISIONS:
        raise DomainError("candidate.decision", N_("Choose a decision."))
    if decision != "candidate" and not reason.strip():
        raise DomainError(
            "candidate.reason",
            N_("Every rejection or merge needs a published reason."),
            fields={"reason": N_("Every rejection or merge needs a published reason.")},
        )
    if decision == "merged":
        target = session.get(LivelihoodCandidate, merge_into or 0)
        if (
            target is None
            or target.cycle_id != cycle.id
            or target.id == candidate.id
            or target.status != "candidate"
        ):
            raise DomainError(
                "candidate.merge",
                N_("Merge into another candidate of the same cycle."),
                fields={"merge_into": N_("Merge into another candidate of the same cycle.")},
            )
        candidate.merged_into_id = target.id
    else:
        candidate.merged_into_id = None
    candidate.status = decision
    candidate.reason = reason.strip()
    audit.record(
        session,
        actor_id=actor_id,
        action="livelihood.candidate_screened",
        target=f"livelihood_candidate:{candidate.id}",
        decision=decision,
    )


def competitiveness(session: Session, cycle: LivelihoodCycle) -> Competitiveness:
    count = len(candidates_of(session, cycle, "candidate"))
    return competitive_list(count, cycle.places, cycle.extra_percent)


def attendance(session: Session, cycle: LivelihoodCycle) -> Quorum:
    expected = session.scalar(
        select(func.count()).where(DeputyEntry.congress_id == cycle.congress_id)
    )
    present = session.scalar(select(func.count()).where(Attendance.cycle_id == cycle.id))
    return quorum(int(expected or 0), int(present or 0))


def deputy_entry(session: Session, cycle: LivelihoodCycle, account_id: int) -> DeputyEntry | None:
    return session.scalar(
        select(DeputyEntry).where(
            DeputyEntry.congress_id == cycle.congress_id, DeputyEntry.account_id == account_id
        )
    )


def has_signed_in(session: Session, cycle: LivelihoodCycle, entry: DeputyEntry) -> bool:
    return (
        session.scalar(
            select(Attendance.id).where(
                Attendance.cycle_id == cycle.id, Attendance.deputy_entry_id == entry.id
            )
        )
        is not None
    )


def sign_in_deputy(
    session: Session, cycle: LivelihoodCycle, account_id: int, now: datetime
) -> bool:
    """A deputy of the cycle's congress signs in at the session (once; True if new)."""
    if cycle.phase != CyclePhase.SESSION.value:
        raise DomainError(
            "cycle.phase", N_("Attendance is taken only during the session."), status=409
        )
    entry = deputy_entry(session, cycle, account_id)
    if entry is None:
        raise DomainError(
            "cycle.not_deputy",
            N_("Only the deputies of this congress session may vote here."),
            status=403,
        )
    try:
        with session.begin_nested():
            session.add(
                Attendance(
                    cycle_id=cycle.id, deputy_entry_id=entry.id, signed_at=now, signed_by=account_id
                )
            )
    except IntegrityError:
        return False
    return True


def register_attendance(
    session: Session, cycle: LivelihoodCycle, entry_id: int, clerk_id: int, now: datetime
) -> bool:
    """The session's clerk signs a deputy in from the paper register (True if new)."""
    if cycle.phase != CyclePhase.SESSION.value:
        raise DomainError(
            "cycle.phase", N_("Attendance is taken only during the session."), status=409
        )
    entry = session.get(DeputyEntry, entry_id)
    if entry is None or entry.congress_id != cycle.congress_id:
        raise DomainError(
            "cycle.not_deputy", N_("Only the deputies of this congress session may vote here.")
        )
    try:
        with session.begin_nested():
            session.add(
                Attendance(
                    cycle_id=cycle.id, deputy_entry_id=entry.id, signed_at=now, signed_by=clerk_id
                )
            )
    except IntegrityError:
        return False
    audit.record(
        session,
        actor_id=clerk_id,
        action="livelihood.attendance",
        target=_ref(cycle),
        deputy_entry=entry.id,
    )
    return True


def roll_call(session: Session, cycle: LivelihoodCycle) -> list[tuple[DeputyEntry, bool]]:
    """Every deputy of the congress and whether they have signed in."""
    present = set(
        session.scalars(select(Attendance.deputy_entry_id).where(Attendance.cycle_id == cycle.id))
    )
    entries = session.scalars(
        select(DeputyEntry)
        .where(DeputyEntry.congress_id == cycle.congress_id)
        .order_by(DeputyEntry.constituency, DeputyEntry.id)
    )
    return [(e, e.id in present) for e in entries]


def advance(
    session: Session,
    cycle: LivelihoodCycle,
    actor_id: int,
    now: datetime,
    closes_at: datetime | None = None,
    expected: str | None = None,
) -> str:
    """Move the cycle on; each step checks what it needs.

    ``expected`` is the phase the person saw; a stale or repeated request is refused.

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
        _open_satisfaction(session, cycle, actor_id, now, closes_at)
        target = CyclePhase.EVALUATION
    elif phase is CyclePhase.EVALUATION:
        _publish_satisfaction(session, cycle, actor_id, now)
        target = CyclePhase.CLOSED
    else:
        raise DomainError("cycle.finished", N_("This cycle is finished."), status=409)
    cycle.phase = target.value
    audit.record(
        session, actor_id=actor_id, action="livelihood.phase", target=_ref(cycle), phase=target
    )
    return target.value


def open_ballot(
    session: Session, cycle: LivelihoodCycle, actor_id: int, now: datetime, closes_at: datetime
) -> BallotBox:
    """Open the session's secret ballot: needs the quorum and a competitive list."""
    session.flush()  # refresh would drop unflushed changes of this transaction
    session.refresh(cycle, with_for_update=True)
    if cycle.phase != CyclePhase.SESSION.value or cycle.box_id is not None:
        raise DomainError("cycle.phase", N_("The ballot cannot be opened now."), status=409)
    present = attendance(session, cycle)
    if not present.reached:
        raise DomainError(
            "cycle.no_quorum",
            N_("Quorum not reached: %(present)s of %(expected)s present, %(needed)s needed."),
            params={
                "present": present.present,
                "expected": present.expected,
                "needed": present.needed,
            },
        )
    if closes_at <= now:
        raise DomainError(
            "cycle.closes_at",
            N_("Voting must close after it opens."),
            fields={"closes_at": N_("Voting must close after it opens.")},
        )
    listed = candidates_of(session, cycle, "candidate")
    for candidate in listed:
        candidate.ballot_key = f"c{candidate.id}"
    choose = cycle.form == "choose"
    form = (
        BallotForm(FormKind.CHOOSE, min_choices=0, max_choices=cycle.places)
        if choose
        else BallotForm(FormKind.YES_NO)
    )
    area = session.get(Area, cycle.area_id)
    assert area is not None
    box = create_box(
        session,
        NewBox(
            title=cycle.title,
            area=area,
            roll=Roll.DEPUTIES,
            congress_id=cycle.congress_id,
            opens_at=now,
            closes_at=closes_at,
            form=form,
            # More than half of all the congress's deputies, then the top N;
            # ties at the cut-off and unfilled places are reported, never guessed.
            rule={"rule": "threshold", "base": "eligible", "share": "1/2", "places": cycle.places},
            items=[
                NewItem(
                    c.name,
                    c.funds_yuan,
                    f"{c.department} · {c.content[:300]}",
                    key=c.ballot_key,
                )
                for c in listed
            ],
        ),
        actor_id,
    )
    cycle.box_id = box.id
    audit.record(session, actor_id=actor_id, action="livelihood.ballot_opened", target=_ref(cycle))
    return box


def _publish_if_closed(session: Session, box: BallotBox, now: datetime) -> None:
    if box.published_at is not None:
        return
    if now < box.closes_at:
        raise DomainError(
            "cycle.still_voting",
            N_("Voting is open until %(closes)s; results come after it closes."),
            params={"closes": box.closes_at.strftime("%Y-%m-%d %H:%M UTC")},
            status=409,
        )
    publish(session, box, now)


def _publish_session(
    session: Session, cycle: LivelihoodCycle, actor_id: int, now: datetime
) -> None:
    if cycle.box_id is None:
        raise DomainError("cycle.no_ballot", N_("The ballot has not been opened yet."), status=409)
    box = get_box(session, cycle.box_id)
    _publish_if_closed(session, box, now)
    adopt(session, cycle, box, actor_id)


def tally_of(box: BallotBox | None) -> dict[str, Any] | None:
    if box is None or not box.bulletin_json:
        return None
    return dict(json.loads(box.bulletin_json)["tally"])


def adopt(
    session: Session, cycle: LivelihoodCycle, box: BallotBox, actor_id: int | None
) -> list[int]:
    """Adopted projects become plan items with department, budget and deadline."""
    tally = tally_of(box)
    assert tally is not None
    selected = tally["selected"]
    by_key = {c.ballot_key: c for c in candidates_of(session, cycle, "candidate")}
    items = []
    for key in selected:
        candidate = by_key[key]
        candidate.status = "adopted"
        item = receive_item(
            session,
            ItemFromSource(
                area_id=cycle.area_id,
                year=cycle.year,
                title=candidate.name,
                source_kind=SourceKind.LIVELIHOOD_PROJECT,
                source_ref=f"livelihood_candidate:{candidate.id}",
                source_url=f"/livelihood/{cycle.id}/result",
                description=candidate.content,
                owner_department=candidate.department,
                budget_yuan=candidate.funds_yuan,
                starts_on=date(cycle.year, 1, 1),
                due_on=candidate.complete_by,
            ),
            actor_id=actor_id,
        )
        items.append(item.id)
    return items


def adopted_of(session: Session, cycle: LivelihoodCycle) -> Sequence[LivelihoodCandidate]:
    return candidates_of(session, cycle, "adopted")


def _open_satisfaction(
    session: Session,
    cycle: LivelihoodCycle,
    actor_id: int,
    now: datetime,
    closes_at: datetime | None,
) -> None:
    adopted = adopted_of(session, cycle)
    if not adopted:
        raise DomainError("cycle.nothing_adopted", N_("No project was adopted."), status=409)
    if closes_at is None or closes_at <= now:
        raise DomainError(
            "cycle.closes_at",
            N_("Voting must close after it opens."),
            fields={"closes_at": N_("Voting must close after it opens.")},
        )
    area = session.get(Area, cycle.area_id)
    assert area is not None
    box = create_box(
        session,
        NewBox(
            title=f"{cycle.title} · 满意度测评",
            area=area,
            roll=Roll.DEPUTIES,
            congress_id=cycle.congress_id,
            opens_at=now,
            closes_at=closes_at,
            form=BallotForm(FormKind.SATISFACTION),
            rule={"rule": "satisfaction", "base": "cast", "half": "exceed"},
            items=[
                NewItem(c.name, c.funds_yuan, c.department, key=c.ballot_key or f"c{c.id}")
                for c in adopted
            ],
        ),
        actor_id,
    )
    cycle.satisfaction_box_id = box.id


RECTIFICATION_DAYS = 90


def _publish_satisfaction(
    session: Session, cycle: LivelihoodCycle, actor_id: int, now: datetime
) -> None:
    assert cycle.satisfaction_box_id is not None
    box = get_box(session, cycle.satisfaction_box_id)
    _publish_if_closed(session, box, now)
    rectify(session, cycle, box, actor_id, now.date() + timedelta(days=RECTIFICATION_DAYS))


def rectify(
    session: Session, cycle: LivelihoodCycle, box: BallotBox, actor_id: int | None, due_on: date
) -> list[int]:
    """Each project graded dissatisfied opens a rectification item under its plan item,
    owned by its department and due on ``due_on``."""
    tally = tally_of(box)
    assert tally is not None
    by_key = {c.ballot_key: c for c in adopted_of(session, cycle)}
    items = []
    for row in tally["rows"]:
        if row["selected"]:
            continue
        candidate = by_key[row["key"]]
        parent = item_for_source(
            session, SourceKind.LIVELIHOOD_PROJECT, f"livelihood_candidate:{candidate.id}"
        )
        item = receive_item(
            session,
            ItemFromSource(
                area_id=cycle.area_id,
                year=due_on.year,
                title=f"整改：{candidate.name}"[:200],
                source_kind=SourceKind.SATISFACTION,
                source_ref=f"satisfaction:{box.id}:{candidate.id}",
                source_url=f"/livelihood/{cycle.id}/result",
                description="人大代表年终满意度测评结果为不满意，责任部门限期整改。",
                owner_department=candidate.department,
                starts_on=box.closes_at.date(),
                due_on=due_on,
                parent_id=parent.id if parent else None,
            ),
            actor_id=actor_id,
        )
        items.append(item.id)
    return items
