"""Community budget rounds (社区微实事): proposals, screening, voting, results.

Services take the session and never commit. Voting is a box of the ballot
engine; results are its published tally, plus the same ballots counted under
the other rule for comparison.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area, get_area
from participation.ballots.boxes import NewBox, NewItem, create_box, get_box
from participation.ballots.closing import publish
from participation.ballots.models import BallotBox
from participation.errors import N_, DomainError
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.sources import SourceKind
from participation.projects.models import (
    BudgetRound,
    ProjectNotice,
    Proposal,
    ProposalComment,
    ProposalPhoto,
    ProposalSupport,
)
from participation.projects.rules import (
    BUDGET_RULES,
    ENGINE_RULES,
    ROUND_PHASES,
    ProposalDraft,
    RoundPhase,
    next_phase,
    other_rule,
)
from participation.rules.ballot_forms import BallotForm, FormKind
from participation.rules.counting import count_bulletin
from participation.rules.eligibility import Roll

PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
PHOTO_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class NewRound:
    area_id: int
    year: int
    title: str
    budget_yuan: int
    rule: str
    roll: str
    description: str = ""
    max_choices: int | None = None
    min_share_percent: int | None = None


def create_round(session: Session, new: NewRound, actor_id: int | None) -> BudgetRound:
    """Open a round in the proposal phase. Budget positive; rule greedy or mes."""
    problems: dict[str, str] = {}
    if not new.title.strip():
        problems["title"] = N_("Enter a title.")
    if new.budget_yuan <= 0:
        problems["budget_yuan"] = N_("Enter the budget as a positive whole number of yuan.")
    if new.rule not in BUDGET_RULES:
        problems["rule"] = N_("Choose a counting rule.")
    if new.roll not in (Roll.RESIDENTS.value, Roll.HOUSEHOLDS.value):
        problems["roll"] = N_("Choose who votes.")
    if new.max_choices is not None and new.max_choices < 1:
        problems["max_choices"] = N_("Enter a whole number.")
    if new.min_share_percent is not None and not 1 <= new.min_share_percent <= 100:
        problems["min_share_percent"] = N_("Enter a percentage from 1 to 100.")
    if problems:
        raise DomainError("round.invalid", N_("Please correct the marked fields."), fields=problems)
    get_area(session, new.area_id)
    row = BudgetRound(
        area_id=new.area_id,
        year=new.year,
        title=new.title.strip(),
        description=new.description.strip(),
        budget_yuan=new.budget_yuan,
        rule=new.rule,
        roll=new.roll,
        max_choices=new.max_choices,
        min_share_percent=new.min_share_percent,
        phase=RoundPhase.PROPOSAL.value,
        created_by=actor_id,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor_id, action="budget.round_created", target=_ref(row))
    return row


def _ref(budget_round: BudgetRound) -> str:
    return f"budget_round:{budget_round.id}"


def get_round(session: Session, round_id: int) -> BudgetRound:
    found = session.get(BudgetRound, round_id)
    if found is None:
        raise DomainError("round.not_found", N_("No such budget round."), status=404)
    return found


def get_proposal(session: Session, proposal_id: int) -> Proposal:
    found = session.get(Proposal, proposal_id)
    if found is None:
        raise DomainError("proposal.not_found", N_("No such proposal."), status=404)
    return found


def rounds(session: Session) -> Sequence[BudgetRound]:
    return session.scalars(select(BudgetRound).order_by(BudgetRound.id.desc())).all()


def _require_phase(budget_round: BudgetRound, phase: RoundPhase, message: str) -> None:
    if budget_round.phase != phase.value:
        raise DomainError("round.phase", message, status=409)


def submit_proposal(
    session: Session,
    budget_round: BudgetRound,
    author_id: int,
    draft: ProposalDraft,
    photo: tuple[str, bytes] | None = None,
) -> Proposal:
    """Add a proposal while the round collects them; a photo is optional."""
    _require_phase(budget_round, RoundPhase.PROPOSAL, N_("This round no longer accepts proposals."))
    if photo is not None:
        content_type, data = photo
        if content_type not in PHOTO_TYPES:
            raise DomainError(
                "proposal.photo",
                N_("The photo must be a JPEG, PNG or WebP image."),
                fields={"photo": N_("The photo must be a JPEG, PNG or WebP image.")},
            )
        if len(data) > PHOTO_MAX_BYTES:
            raise DomainError(
                "proposal.photo",
                N_("The photo is larger than 2 MB."),
                fields={"photo": N_("The photo is larger than 2 MB.")},
            )
    proposal = Proposal(
        round_id=budget_round.id,
        author_id=author_id,
        title=draft.title,
        description=draft.description,
        location=draft.location,
        cost_yuan=draft.cost_yuan,
        beneficiaries=draft.beneficiaries,
    )
    session.add(proposal)
    session.flush()
    if photo is not None:
        session.add(ProposalPhoto(proposal_id=proposal.id, content_type=photo[0], data=photo[1]))
        session.flush()
    return proposal


def support(session: Session, proposal: Proposal, account_id: int, phase: str) -> bool:
    """Support a proposal once; True if this call added the support."""
    if phase not in (RoundPhase.PROPOSAL.value, RoundPhase.SCREENING.value):
        raise DomainError(
            "proposal.support_closed", N_("Support is collected only before voting."), status=409
        )
    try:
        with session.begin_nested():
            session.add(ProposalSupport(proposal_id=proposal.id, account_id=account_id))
    except IntegrityError:
        return False
    return True


def comment(session: Session, proposal: Proposal, author_id: int, body: str) -> ProposalComment:
    body = body.strip()
    if not body:
        raise DomainError(
            "comment.empty",
            N_("Write a comment first."),
            fields={"body": N_("Write a comment first.")},
        )
    if len(body) > 2000:
        raise DomainError(
            "comment.long",
            N_("This text is too long."),
            fields={"body": N_("This text is too long.")},
        )
    row = ProposalComment(proposal_id=proposal.id, author_id=author_id, body=body)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ProposalView:
    proposal: Proposal
    supports: int
    has_photo: bool


def proposals_of(session: Session, budget_round: BudgetRound) -> list[ProposalView]:
    rows = session.scalars(
        select(Proposal).where(Proposal.round_id == budget_round.id).order_by(Proposal.id)
    ).all()
    counts = dict(
        session.execute(
            select(ProposalSupport.proposal_id, func.count())
            .join(Proposal, Proposal.id == ProposalSupport.proposal_id)
            .where(Proposal.round_id == budget_round.id)
            .group_by(ProposalSupport.proposal_id)
        ).all()
    )
    photos = set(
        session.scalars(
            select(ProposalPhoto.proposal_id)
            .join(Proposal, Proposal.id == ProposalPhoto.proposal_id)
            .where(Proposal.round_id == budget_round.id)
        )
    )
    return [ProposalView(p, int(counts.get(p.id, 0)), p.id in photos) for p in rows]


def comments_of(session: Session, proposal: Proposal) -> list[tuple[ProposalComment, str]]:
    from participation.accounts import Account

    return [
        (c, name)
        for c, name in session.execute(
            select(ProposalComment, Account.display_name)
            .join(Account, Account.id == ProposalComment.author_id)
            .where(ProposalComment.proposal_id == proposal.id)
            .order_by(ProposalComment.id)
        ).all()
    ]


def photo_of(session: Session, proposal: Proposal) -> ProposalPhoto | None:
    return session.scalar(select(ProposalPhoto).where(ProposalPhoto.proposal_id == proposal.id))


def notify(
    session: Session,
    account_id: int,
    message: str,
    link: str,
    params: Mapping[str, object] | None = None,
) -> None:
    session.add(
        ProjectNotice(
            account_id=account_id,
            message=message,
            link=link,
            params=json.dumps(dict(params or {}), ensure_ascii=False),
        )
    )


def notices_for(session: Session, account_id: int) -> Sequence[ProjectNotice]:
    return session.scalars(
        select(ProjectNotice)
        .where(ProjectNotice.account_id == account_id)
        .order_by(ProjectNotice.id.desc())
        .limit(50)
    ).all()


@dataclass(frozen=True)
class Screening:
    accepted: bool
    feasibility: str
    legality: str
    revised_cost_yuan: int | None
    rejection_reason: str


def screen(
    session: Session, proposal: Proposal, decision: Screening, actor_id: int, now: datetime
) -> None:
    """Record staff screening; a rejection needs a published reason. The author is notified."""
    budget_round = get_round(session, proposal.round_id)
    if budget_round.phase not in (RoundPhase.PROPOSAL.value, RoundPhase.SCREENING.value):
        raise DomainError(
            "round.phase", N_("Proposals can only be screened before voting."), status=409
        )
    problems: dict[str, str] = {}
    if not decision.feasibility.strip():
        problems["feasibility"] = N_("Record the feasibility assessment.")
    if not decision.legality.strip():
        problems["legality"] = N_("Record the legality check.")
    if not decision.accepted and not decision.rejection_reason.strip():
        problems["rejection_reason"] = N_("A rejection needs a reason, which is published.")
    if decision.revised_cost_yuan is not None and decision.revised_cost_yuan <= 0:
        problems["revised_cost_yuan"] = N_(
            "Enter the estimated cost as a positive whole number of yuan."
        )
    if problems:
        raise DomainError(
            "proposal.screening", N_("Please correct the marked fields."), fields=problems
        )
    proposal.status = "accepted" if decision.accepted else "rejected"
    proposal.feasibility = decision.feasibility.strip()
    proposal.legality = decision.legality.strip()
    proposal.revised_cost_yuan = decision.revised_cost_yuan
    proposal.rejection_reason = "" if decision.accepted else decision.rejection_reason.strip()
    proposal.screened_by = actor_id
    proposal.screened_at = now
    notify(
        session,
        proposal.author_id,
        N_("Your proposal “%(title)s” passed screening and goes to the vote.")
        if decision.accepted
        else N_("Your proposal “%(title)s” was not accepted: %(reason)s"),
        f"/budgets/proposals/{proposal.id}",
        {"title": proposal.title, "reason": proposal.rejection_reason},
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="budget.proposal_screened",
        target=f"budget_proposal:{proposal.id}",
        status=proposal.status,
    )


def advance(
    session: Session,
    budget_round: BudgetRound,
    actor_id: int,
    now: datetime,
    closes_at: datetime | None = None,
    expected: str | None = None,
) -> str:
    """Move the round to its next phase and do what that phase needs.

    ``expected`` is the phase the person saw: a second click (or a second
    worker) finds the round moved on and is refused instead of skipping a phase.

    screening: no more proposals. voting: every proposal must be screened and at
    least two accepted; opens a ballot box until ``closes_at``. results: the box
    is counted and published (only after it closed) and funded projects become
    plan items. delivery: the round is done. Returns the new phase.
    """
    # Concurrent requests on one round queue here (PostgreSQL row lock; SQLite
    # write transactions are serial already) and see each other's phase.
    session.flush()  # refresh would drop unflushed changes of this transaction
    session.refresh(budget_round, with_for_update=True)
    if expected is not None and budget_round.phase != expected:
        raise DomainError(
            "round.moved_on", N_("The round has already moved on; reload the page."), status=409
        )
    target = next_phase([p.value for p in ROUND_PHASES], budget_round.phase)
    if target is None:
        raise DomainError("round.finished", N_("This round is finished."), status=409)
    if target == RoundPhase.VOTING.value:
        _open_voting(session, budget_round, actor_id, now, closes_at)
    elif target == RoundPhase.RESULTS.value:
        _publish_results(session, budget_round, actor_id, now)
    budget_round.phase = target
    audit.record(
        session,
        actor_id=actor_id,
        action="budget.round_phase",
        target=_ref(budget_round),
        phase=target,
    )
    return target


def _open_voting(
    session: Session,
    budget_round: BudgetRound,
    actor_id: int,
    now: datetime,
    closes_at: datetime | None,
) -> None:
    views = proposals_of(session, budget_round)
    pending = [v.proposal.title for v in views if v.proposal.status == "submitted"]
    if pending:
        raise DomainError(
            "round.unscreened",
            N_("Screen every proposal before voting: %(titles)s"),
            params={"titles": "、".join(pending)},
        )
    accepted = [v.proposal for v in views if v.proposal.status == "accepted"]
    if len(accepted) < 2:
        raise DomainError("round.too_few", N_("At least two accepted proposals are needed."))
    if closes_at is None or closes_at <= now:
        raise DomainError(
            "round.closes_at",
            N_("Voting must close after it opens."),
            fields={"closes_at": N_("Voting must close after it opens.")},
        )
    area = session.get(Area, budget_round.area_id)
    assert area is not None
    box = create_box(
        session,
        NewBox(
            title=budget_round.title,
            area=area,
            roll=Roll(budget_round.roll),
            opens_at=now,
            closes_at=closes_at,
            form=BallotForm(
                FormKind.BUDGET,
                min_choices=1,
                max_choices=budget_round.max_choices,
                budget=budget_round.budget_yuan,
                min_share=Fraction(budget_round.min_share_percent, 100)
                if budget_round.min_share_percent
                else None,
            ),
            rule={"rule": ENGINE_RULES[budget_round.rule], "budget": budget_round.budget_yuan},
            items=[
                NewItem(p.title, p.final_cost, p.description[:500], key=f"p{p.id}")
                for p in accepted
            ],
            description=budget_round.description,
        ),
        actor_id,
    )
    budget_round.box_id = box.id


def _publish_results(
    session: Session, budget_round: BudgetRound, actor_id: int, now: datetime
) -> None:
    assert budget_round.box_id is not None
    box = get_box(session, budget_round.box_id)
    if box.published_at is None:
        if now < box.closes_at:
            raise DomainError(
                "round.still_voting",
                N_("Voting is open until %(closes)s; results come after it closes."),
                params={"closes": box.closes_at.strftime("%Y-%m-%d %H:%M UTC")},
                status=409,
            )
        publish(session, box, now)
    fund_winners(session, budget_round, box, actor_id)


def fund_winners(
    session: Session, budget_round: BudgetRound, box: BallotBox, actor_id: int | None
) -> list[int]:
    """Every funded project becomes a plan item (idempotent per proposal)."""
    tally = json.loads(box.bulletin_json or "{}")["tally"]
    funded = set(tally["selected"])
    area = session.get(Area, budget_round.area_id)
    # The community (its residents' committee) delivers its own micro projects.
    area_name = area.name if area else ""
    items = []
    for proposal in session.scalars(select(Proposal).where(Proposal.round_id == budget_round.id)):
        if f"p{proposal.id}" not in funded:
            continue
        item = receive_item(
            session,
            ItemFromSource(
                area_id=budget_round.area_id,
                year=budget_round.year,
                title=proposal.title,
                source_kind=SourceKind.COMMUNITY_BUDGET,
                source_ref=f"budget_proposal:{proposal.id}",
                source_url=f"/budgets/proposals/{proposal.id}",
                description=proposal.description,
                owner_department=area_name,
                budget_yuan=proposal.final_cost,
                starts_on=date(budget_round.year, 1, 1),
                due_on=date(budget_round.year, 12, 31),
            ),
            actor_id=actor_id,
        )
        notify(
            session,
            proposal.author_id,
            N_("Your proposal “%(title)s” was funded."),
            f"/budgets/proposals/{proposal.id}",
            {"title": proposal.title},
        )
        items.append(item.id)
    return items


@dataclass(frozen=True)
class Results:
    tally: dict[str, Any]
    other: dict[str, Any]
    other_rule: str


def results(session: Session, budget_round: BudgetRound) -> Results | None:
    """The published tally and, from the same ballots, the tally under the other rule."""
    if budget_round.box_id is None:
        return None
    box = get_box(session, budget_round.box_id)
    if not box.bulletin_json:
        return None
    bulletin = json.loads(box.bulletin_json)
    header = dict(bulletin["box"])
    alternative = other_rule(budget_round.rule)
    header["rule"] = dict(header["rule"]) | {"rule": ENGINE_RULES[alternative]}
    ballots = bulletin["ballots"]
    other = count_bulletin(
        header, [b["content"] for b in ballots], [b["source"] != "online" for b in ballots]
    )
    return Results(bulletin["tally"], other, alternative)
