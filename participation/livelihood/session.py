"""The congress session of a cycle: attendance (应到/实到, quorum), the secret ballot
in the engine, publishing it and adopting projects onto the plan.

Only deputies present vote. The session's ballot box requires presence (see
participation.ballots.presence): opening the ballot puts every deputy signed in
so far on its presence list, and a deputy who signs in later (themselves, or the
clerk from the paper register) is added at once, until voting closes; after
that, signing in is refused. A deputy's member key is their voter key
(``account:N``), or ``deputy:N`` (the roll entry) for one without an account,
who is present but can vote only on paper. Each deputy present gets one paper
ballot, so ``paper_issued`` is the number present: set when the ballot opens
and raised with each later sign-in; a round returning more paper ballots than
that is void.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.closing import publish
from participation.ballots.models import BallotBox
from participation.ballots.presence import LIST_CLOSED, add_present, present_count
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.errors import N_, DomainError
from participation.livelihood.cycles import candidates_of, cycle_ref
from participation.livelihood.models import Attendance, LivelihoodCandidate, LivelihoodCycle
from participation.livelihood.rules import CyclePhase, Quorum, quorum
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.sources import SourceKind
from participation.rolls import DeputyEntry


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
    return _attend(session, cycle, entry, account_id, now)


def member_key(entry: DeputyEntry) -> str:
    """The deputy's key on a presence list: their voter key when they have an account."""
    return f"account:{entry.account_id}" if entry.account_id is not None else f"deputy:{entry.id}"


def _attend(
    session: Session, cycle: LivelihoodCycle, entry: DeputyEntry, signed_by: int, now: datetime
) -> bool:
    """Record attendance and, once the ballot is open, presence and a paper ballot.

    Refused once the ballot has closed: checked before anything is written, and
    again by add_present under the box's lock (the caller's transaction then
    rolls back). Rows are touched in the order ``advance`` takes them, the cycle
    (the attendance's key) before the box, so the two cannot deadlock."""
    box = session.get(BallotBox, cycle.box_id) if cycle.box_id is not None else None
    if box is not None and (box.published_at is not None or now >= box.closes_at):
        raise DomainError("ballot.presence_closed", LIST_CLOSED, status=409)
    try:
        with session.begin_nested():
            session.add(
                Attendance(
                    cycle_id=cycle.id, deputy_entry_id=entry.id, signed_at=now, signed_by=signed_by
                )
            )
        added = True
    except IntegrityError:
        added = False
    if box is not None:
        add_present(session, box, member_key(entry), now)
        box.paper_issued = present_count(session, box)
    return added


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
    if not _attend(session, cycle, entry, clerk_id, now):
        return False
    audit.record(
        session,
        actor_id=clerk_id,
        action="livelihood.attendance",
        target=cycle_ref(cycle),
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


def open_ballot(
    session: Session,
    cycle: LivelihoodCycle,
    actor_id: int,
    now: datetime,
    closes_at: datetime,
    *,
    ip: str = "",
) -> BallotBox:
    """Open the session's secret ballot: needs the quorum and a competitive list.
    Audited here, once (``livelihood.ballot_opened`` with the box, from ``ip``)."""
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
            requires_presence=True,
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
    signed_in = session.scalars(
        select(DeputyEntry)
        .join(Attendance, Attendance.deputy_entry_id == DeputyEntry.id)
        .where(Attendance.cycle_id == cycle.id)
    )
    for entry in signed_in:
        add_present(session, box, member_key(entry), now)
    box.paper_issued = present_count(session, box)  # one paper ballot per deputy present
    cycle.box_id = box.id
    audit.record(
        session,
        actor_id=actor_id,
        action="livelihood.ballot_opened",
        target=cycle_ref(cycle),
        ip=ip,
        box=box.id,
    )
    return box


def publish_if_closed(session: Session, box: BallotBox, now: datetime) -> None:
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


def tally_of(box: BallotBox | None) -> dict[str, Any] | None:
    return box.tally if box is not None else None


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
                source_id=cycle.id,
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
