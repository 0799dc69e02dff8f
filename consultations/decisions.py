"""The decision: a vote through the ballot engine, the resolution on public notice
(公示) with objections and public answers, finality, and the plan item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultations.meetings import minutes_signed
from consultations.messages import NOTICE, check_text
from consultations.models import Consultation, Cosignature, Objection, Topic
from consultations.rules.journey import POST_MAX, finality_problem, objection_problem
from consultations.standing import check_may_deliberate
from consultations.topics import community_rules
from participation import audit, departments
from participation.accounts import Account
from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box, get_box
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.errors import N_, DomainError
from participation.notifying import audiences, kinds
from participation.notifying.fanout import fan_out
from participation.plan.intake import (
    ItemFromSource,
    item_for_source,
    items_for_sources,
    receive_item,
)
from participation.plan.models import PlanItem
from participation.plan.sources import SourceKind

BASES = ("eligible", "present", "cast")
SHARES = ("1/2", "2/3")


@dataclass(frozen=True)
class VoteSetup:
    resolution: str
    roll: Roll
    base: str  # eligible | present | cast
    share: str  # "1/2" or "2/3"
    opens_at: datetime
    closes_at: datetime
    commits_to_action: bool = False
    owner_department: str = ""
    budget_yuan: int = 0
    due_on: date | None = None


def open_vote(session: Session, consultation: Consultation, setup: VoteSetup, actor_id: int) -> int:
    """Put the resolution to a yes/no vote with an explicit base and threshold."""
    if consultation.box_id is not None:
        raise DomainError("decision.exists", N_("The vote has already been set up."))
    if not minutes_signed(consultation):
        raise DomainError(
            "decision.no_minutes",
            N_("The minutes must be signed by the recorder and the host before the vote."),
        )
    fields: dict[str, str] = {}
    try:
        check_text("resolution", setup.resolution, POST_MAX)
    except DomainError as error:
        fields |= error.fields
    if setup.base not in BASES:
        fields["base"] = N_("Choose the base of the threshold.")
    if setup.share not in SHARES:
        fields["share"] = N_("Choose the threshold.")
    if setup.budget_yuan < 0:
        fields["budget_yuan"] = N_("The budget cannot be negative.")
    if setup.commits_to_action and not setup.owner_department.strip():
        fields["owner_department"] = N_("Name the department that will deliver it.")
    area = session.get(Area, consultation.area_id)
    assert area is not None
    # The delivering department serves the community: its own, its street's, its
    # district's or the city's (the form offers those).
    department = departments.check_serving(
        session, setup.owner_department, area, "owner_department", fields, optional=True
    )
    if fields:
        raise DomainError(
            "decision.invalid", N_("Please correct the marked fields."), fields=fields
        )
    box = create_box(
        session,
        NewBox(
            title=f"{consultation.title}：决议表决",
            description=setup.resolution.strip(),
            area=area,
            roll=setup.roll,
            opens_at=setup.opens_at,
            closes_at=setup.closes_at,
            form=BallotForm(FormKind.YES_NO),
            rule={"rule": "threshold", "base": setup.base, "share": setup.share, "places": 1},
            items=[NewItem("同意本决议", key="resolution")],
            secrecy="secret",
        ),
        actor_id,
    )
    consultation.box_id = box.id
    consultation.resolution = setup.resolution.strip()
    consultation.commits_to_action = setup.commits_to_action
    consultation.owner_department = department.name if department else ""
    consultation.owner_department_id = department.id if department else None
    consultation.budget_yuan = setup.budget_yuan
    consultation.due_on = setup.due_on
    audit.record(
        session,
        actor_id=actor_id,
        action="consultation.vote",
        target=f"consultation:{consultation.id}",
        box=box.id,
    )
    return box.id


def take_result(session: Session, consultation: Consultation, actor_id: int, now: datetime) -> bool:
    """Read the published vote; a passed resolution goes on public notice."""
    if consultation.box_id is None:
        raise DomainError("decision.no_vote", N_("There is no vote yet."))
    if consultation.passed is not None:
        raise DomainError("decision.taken", N_("The result has already been taken."))
    box = get_box(session, consultation.box_id)
    tally = box.tally
    if tally is None:
        raise DomainError("decision.unpublished", N_("Publish the vote's results first."))
    passed = "resolution" in tally["selected"]
    consultation.passed = passed
    if passed:
        days = community_rules(session, consultation.area_id).notice_days
        consultation.notice_starts_at = now
        consultation.notice_ends_at = now + timedelta(days=days)
    audit.record(
        session,
        actor_id=actor_id,
        action="consultation.result",
        target=f"consultation:{consultation.id}",
        passed=passed,
    )
    return passed


def lodge_objection(
    session: Session, consultation: Consultation, author: Account, body: str, now: datetime
) -> Objection:
    check_may_deliberate(session, consultation, author.id, now)
    reason = objection_problem(consultation.notice_starts_at, consultation.notice_ends_at, now)
    if reason is not None:
        raise DomainError(f"notice.{reason}", NOTICE[reason], status=409)
    body = check_text("body", body, POST_MAX)
    row = Objection(
        consultation_id=consultation.id,
        author_id=author.id,
        author_name=author.display_name,
        body=body,
        lodged_at=now,
    )
    session.add(row)
    session.flush()
    return row


def answer_objection(
    session: Session,
    consultation: Consultation,
    objection_id: int,
    answer: str,
    actor_id: int,
    now: datetime,
) -> None:
    objection = session.get(Objection, objection_id)
    if objection is None or objection.consultation_id != consultation.id:
        raise DomainError("notice.no_objection", N_("No such objection."), status=404)
    if objection.answered_at is not None:
        raise DomainError("notice.answered", N_("This objection has already been answered."))
    objection.answer = check_text("answer", answer, POST_MAX)
    objection.answered_by, objection.answered_at = actor_id, now
    audit.record(
        session, actor_id=actor_id, action="notice.answer", target=f"objection:{objection.id}"
    )


def objections(session: Session, consultation_id: int) -> Sequence[Objection]:
    return session.scalars(
        select(Objection).where(Objection.consultation_id == consultation_id).order_by(Objection.id)
    ).all()


def source_ref(consultation: Consultation) -> str:
    return f"consultation:{consultation.id}"


def finalize(
    session: Session, consultation: Consultation, actor_id: int, now: datetime
) -> PlanItem | None:
    """Make the resolution final; one that commits to action becomes a plan item."""
    if consultation.final_at is not None:
        raise DomainError("notice.final", N_("The resolution is already final."))
    unanswered = int(
        session.scalar(
            select(func.count()).where(
                Objection.consultation_id == consultation.id, Objection.answered_at.is_(None)
            )
        )
        or 0
    )
    reason = finality_problem(consultation.notice_ends_at, unanswered, now)
    if reason is not None:
        raise DomainError(f"notice.{reason}", NOTICE[reason], status=409)
    consultation.final_at = now
    audit.record(
        session, actor_id=actor_id, action="consultation.final", target=source_ref(consultation)
    )
    fan_out(
        session,
        event=f"consultation.final:{consultation.id}",
        kind="consultation.final",
        message=kinds.CONSULTATION_FINAL,
        recipients=audiences.followers("consultation", consultation.id),
        now=now,
        link=f"/consultations/{consultation.id}",
        params={"title": consultation.title},
    )
    if not consultation.commits_to_action:
        return None
    return receive_item(
        session,
        ItemFromSource(
            area_id=consultation.area_id,
            year=now.year,
            title=consultation.title,
            description=consultation.resolution,
            source_kind=SourceKind.CONSULTATION,
            source_ref=source_ref(consultation),
            source_id=consultation.id,
            owner_department=consultation.owner_department,
            budget_yuan=consultation.budget_yuan,
            starts_on=now.date(),
            due_on=consultation.due_on,
        ),
        actor_id=actor_id,
    )


def plan_item(session: Session, consultation: Consultation) -> PlanItem | None:
    return item_for_source(session, SourceKind.CONSULTATION, source_ref(consultation))


@dataclass(frozen=True)
class PublicFacts:
    """What the open data says of a consultation beyond its own columns."""

    topic: str
    cosigners: int
    objections: int
    objections_answered: int
    plan_item_id: int | None
    plan_item_status: str | None


def public_facts(session: Session, consultations: Sequence[Consultation]) -> dict[int, PublicFacts]:
    """The topic, co-signature count, objections and plan item of each consultation,
    by id, in four queries whatever their number."""
    if not consultations:
        return {}
    topic_ids = {c.topic_id for c in consultations}
    titles: dict[int, str] = {
        topic_id: title
        for topic_id, title in session.execute(
            select(Topic.id, Topic.title).where(Topic.id.in_(topic_ids))
        )
    }
    signed: dict[int, int] = {
        topic_id: int(n)
        for topic_id, n in session.execute(
            select(Cosignature.topic_id, func.count())
            .where(Cosignature.topic_id.in_(topic_ids))
            .group_by(Cosignature.topic_id)
        )
    }
    objections: dict[int, tuple[int, int]] = {}
    for consultation_id, total, answered in session.execute(
        select(
            Objection.consultation_id,
            func.count(),
            func.count(Objection.answered_at),
        )
        .where(Objection.consultation_id.in_([c.id for c in consultations]))
        .group_by(Objection.consultation_id)
    ):
        objections[consultation_id] = (int(total), int(answered))
    refs = {source_ref(c): c.id for c in consultations}
    items = items_for_sources(session, SourceKind.CONSULTATION, refs)
    facts = {}
    for c in consultations:
        total, answered = objections.get(c.id, (0, 0))
        item = items.get(c.id)
        facts[c.id] = PublicFacts(
            topic=titles.get(c.topic_id, ""),
            cosigners=signed.get(c.topic_id, 0),
            objections=total,
            objections_answered=answered,
            plan_item_id=item.id if item else None,
            plan_item_status=item.status if item else None,
        )
    return facts
