"""Livelihood project cycles of a congress: creating them, soliciting projects
and screening them (candidates, rejections and merges, each with a published
reason), and the competitive-list (差额) check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit, departments
from participation.accounts import RoleGrant
from participation.db import utcnow
from participation.deputies import get_congress
from participation.errors import N_, DomainError
from participation.livelihood.models import LivelihoodCandidate, LivelihoodCycle
from participation.livelihood.rules import (
    SUBMITTER_KINDS,
    CandidateDraft,
    Competitiveness,
    CyclePhase,
    competitive_list,
)
from participation.notifying import kinds
from participation.notifying.fanout import tell_one
from participation.paging import newest_after, newest_page
from participation.rolls import Congress, DeputyEntry
from participation.rules.permissions import Role


@dataclass(frozen=True)
class NewCycle:
    congress_id: int
    year: int
    title: str
    places: int
    extra_percent: int = 20
    form: str = "choose"
    satisfaction_base: str = "cast"  # "cast" | "eligible"
    satisfaction_half: str = "exceed"  # "exceed" | "reach"


def create_cycle(session: Session, new: NewCycle, actor_id: int | None) -> LivelihoodCycle:
    problems: dict[str, str] = {}
    if not new.title.strip():
        problems["title"] = N_("Enter a title.")
    if new.places < 1:
        problems["places"] = N_("Enter a whole number.")
    if not 0 <= new.extra_percent <= 200:
        problems["extra_percent"] = N_("Enter a whole number.")
    if new.satisfaction_base not in ("cast", "eligible") or new.satisfaction_half not in (
        "exceed",
        "reach",
    ):
        problems["satisfaction"] = N_("Choose how the year-end vote is counted.")
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
        satisfaction_base=new.satisfaction_base,
        satisfaction_half=new.satisfaction_half,
        phase=CyclePhase.SOLICITATION.value,
        created_by=actor_id,
    )
    session.add(cycle)
    session.flush()
    audit.record(
        session, actor_id=actor_id, action="livelihood.cycle_created", target=cycle_ref(cycle)
    )
    return cycle


def cycle_ref(cycle: LivelihoodCycle) -> str:
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


def congresses(session: Session) -> Sequence[Congress]:
    """Every congress session, in the order they were recorded: a new cycle is held
    by one of them."""
    return session.scalars(select(Congress).order_by(Congress.id)).all()


def find_congress(session: Session, congress_id: int) -> Congress | None:
    """The congress session chosen for a new cycle, or None when there is none."""
    return session.get(Congress, congress_id)


def cycles(session: Session) -> Sequence[LivelihoodCycle]:
    return session.scalars(select(LivelihoodCycle).order_by(LivelihoodCycle.id.desc())).all()


def page_of_cycles(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[Sequence[LivelihoodCycle], int, int]:
    """One page of the cycles, newest first (the back office's list), how many there
    are and the page number (:func:`participation.paging.newest_page`)."""
    return newest_page(session, LivelihoodCycle, LivelihoodCycle.id, page=page, per_page=per_page)


def cycles_after(
    session: Session, *, after: int = 0, limit: int = 100
) -> Sequence[LivelihoodCycle]:
    """At most ``limit`` cycles, newest first, older than the one of id ``after``
    (0: from the newest): the open-data API's pages."""
    return newest_after(session, LivelihoodCycle, LivelihoodCycle.id, after=after, limit=limit)


def cycles_with_congresses(session: Session) -> list[tuple[LivelihoodCycle, Congress]]:
    """Every cycle, newest first, with the congress session that holds it, in one
    query (for the list page)."""
    rows = session.execute(
        select(LivelihoodCycle, Congress)
        .join(Congress, Congress.id == LivelihoodCycle.congress_id)
        .order_by(LivelihoodCycle.id.desc())
    ).all()
    return [(cycle, congress) for cycle, congress in rows]


def candidates_of(
    session: Session, cycle: LivelihoodCycle, status: str | None = None
) -> Sequence[LivelihoodCandidate]:
    query = select(LivelihoodCandidate).where(LivelihoodCandidate.cycle_id == cycle.id)
    if status:
        query = query.where(LivelihoodCandidate.status == status)
    return session.scalars(query.order_by(LivelihoodCandidate.id)).all()


def submitter_kinds(
    session: Session, cycle: LivelihoodCycle, account_id: int | None
) -> tuple[str, ...]:
    """Who a person may submit as: anyone as a member of the public; as a deputy
    only a deputy of the cycle's congress; as an organization only a member of
    one (an org-member grant). ``None`` (staff entering paper submissions,
    imports) may record any kind."""
    if account_id is None:
        return SUBMITTER_KINDS
    kinds = ["public"]
    if session.scalar(
        select(RoleGrant.id).where(
            RoleGrant.account_id == account_id, RoleGrant.role == Role.ORG_MEMBER.value
        )
    ):
        kinds.append("organization")
    if session.scalar(
        select(DeputyEntry.id).where(
            DeputyEntry.congress_id == cycle.congress_id, DeputyEntry.account_id == account_id
        )
    ):
        kinds.append("deputy")
    return tuple(k for k in SUBMITTER_KINDS if k in kinds)


def submit(
    session: Session, cycle: LivelihoodCycle, draft: CandidateDraft, account_id: int | None
) -> LivelihoodCandidate:
    """Record a solicited project. Invariants: the submitter kind is one the person
    holds (:func:`submitter_kinds`); a person submits a project of one name once."""
    if cycle.phase != CyclePhase.SOLICITATION.value:
        raise DomainError("cycle.phase", N_("Projects are no longer being solicited."), status=409)
    if draft.submitter_kind not in submitter_kinds(session, cycle, account_id):
        raise DomainError(
            "candidate.submitter_kind",
            N_("Please correct the marked fields."),
            fields={"submitter_kind": N_("You cannot submit as this kind of submitter.")},
            status=403,
        )
    if account_id is not None and session.scalar(
        select(LivelihoodCandidate.id).where(
            LivelihoodCandidate.cycle_id == cycle.id,
            LivelihoodCandidate.submitted_by == account_id,
            LivelihoodCandidate.name == draft.name,
        )
    ):
        raise DomainError(
            "candidate.duplicate",
            N_("You have already submitted a project with this name."),
            fields={"name": N_("You have already submitted a project with this name.")},
            status=409,
        )
    department = departments.require(session, draft.department, "department")
    assert department is not None
    row = LivelihoodCandidate(
        cycle_id=cycle.id,
        submitted_by=account_id,
        submitter_kind=draft.submitter_kind,
        name=draft.name,
        background=draft.background,
        content=draft.content,
        department=department.name,
        department_id=department.id,
        funds_yuan=draft.funds_yuan,
        funds_source=draft.funds_source,
        complete_by=draft.complete_by,
    )
    session.add(row)
    session.flush()
    return row


SCREEN_DECISIONS = ("candidate", "rejected", "merged")
SCREENED = {
    "candidate": kinds.LIVELIHOOD_CANDIDATE,
    "rejected": kinds.LIVELIHOOD_REJECTED,
    "merged": kinds.LIVELIHOOD_MERGED,
}


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
    if candidate.submitted_by is not None:
        tell_one(
            session,
            candidate.submitted_by,
            event=f"livelihood.screened:{candidate.id}:{decision}",
            kind="livelihood.screened",
            message=SCREENED[decision],
            now=utcnow(),
            link=f"/livelihood/{cycle.id}",
            params={"title": candidate.name},
        )


def competitiveness(session: Session, cycle: LivelihoodCycle) -> Competitiveness:
    """The candidate list as it went (or goes) to the vote: projects screened in,
    including those the vote then adopted (adoption changes their status, not the
    fact that they were on the list)."""
    count = len([c for c in candidates_of(session, cycle) if c.status in ("candidate", "adopted")])
    return competitive_list(count, cycle.places, cycle.extra_percent)
