"""Proposals of a community budget round: submitting (with a photo), support,
comments, staff screening and the notices their authors get.

Services take the session and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import audit, notices
from participation.accounts import Account
from participation.areas import Area
from participation.budgets.models import (
    BudgetRound,
    Proposal,
    ProposalComment,
    ProposalPhoto,
    ProposalSupport,
)
from participation.budgets.rounds import get_round
from participation.budgets.rules import ProposalDraft, RoundPhase, image_type, photo_size_problem
from participation.errors import N_, DomainError
from participation.rolls import RollEntry
from participation.rules.areas import is_within

PHOTO_MAX_BYTES = 2 * 1024 * 1024


def get_proposal(session: Session, proposal_id: int) -> Proposal:
    found = session.get(Proposal, proposal_id)
    if found is None:
        raise DomainError("proposal.not_found", N_("No such proposal."), status=404)
    return found


def _require_phase(budget_round: BudgetRound, phase: RoundPhase, message: str) -> None:
    if budget_round.phase != phase.value:
        raise DomainError("round.phase", message, status=409)


def _require_resident(session: Session, budget_round: BudgetRound, author_id: int) -> None:
    """Invariant: only verified residents of the round's area propose in it (the
    area's money is theirs to spend; a resident elsewhere proposes in their own)."""
    area = session.get(Area, budget_round.area_id)
    assert area is not None
    home = session.scalar(
        select(Area.path)
        .join(RollEntry, RollEntry.community_id == Area.id)
        .where(RollEntry.account_id == author_id)
    )
    if home is None or not is_within(home, area.path):
        raise DomainError(
            "proposal.not_resident",
            N_("Only verified residents of %(area)s can propose in this round."),
            params={"area": area.name},
            status=403,
        )


def _refuse_duplicate(
    session: Session, budget_round: BudgetRound, author_id: int, title: str
) -> None:
    """A second submission of the same proposal (a double click, a resent form)
    is refused rather than screened twice."""
    if session.scalar(
        select(Proposal.id).where(
            Proposal.round_id == budget_round.id,
            Proposal.author_id == author_id,
            Proposal.title == title,
        )
    ):
        raise DomainError(
            "proposal.duplicate",
            N_("You have already submitted a proposal with this title in this round."),
            fields={"title": N_("You have already submitted a proposal with this title.")},
            status=409,
        )


def submit_proposal(
    session: Session,
    budget_round: BudgetRound,
    author_id: int,
    draft: ProposalDraft,
    photo: bytes | None = None,
) -> Proposal:
    """Add a proposal while the round collects them; a photo is optional.

    Only verified residents of the round's area propose, each proposal once.

    The photo's type is read from its bytes, never from what the browser claims,
    so only real JPEG, PNG or WebP images are stored and served.
    """
    _require_phase(budget_round, RoundPhase.PROPOSAL, N_("This round no longer accepts proposals."))
    _require_resident(session, budget_round, author_id)
    # Proposals to one round queue here (PostgreSQL row lock; SQLite write
    # transactions are serial), so a double submission finds the first.
    session.flush()
    session.refresh(budget_round, with_for_update=True)
    _refuse_duplicate(session, budget_round, author_id, draft.title)
    content_type = None
    if photo is not None:
        content_type, data = image_type(photo), photo
        if content_type is None:
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
        problem = photo_size_problem(data)
        if problem:
            raise DomainError("proposal.photo", problem, fields={"photo": problem})
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
    if photo is not None and content_type is not None:
        session.add(ProposalPhoto(proposal_id=proposal.id, content_type=content_type, data=photo))
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


def _supports(proposal_id: Any) -> Any:
    return select(func.count()).where(ProposalSupport.proposal_id == proposal_id).scalar_subquery()


def _has_photo(proposal_id: Any) -> Any:
    return (
        select(ProposalPhoto.proposal_id).where(ProposalPhoto.proposal_id == proposal_id).exists()
    )


@dataclass(frozen=True)
class ProposalPage:
    """One page of a round's proposals (in order of submission) and how many there are."""

    views: list[ProposalView]
    total: int


def proposals_page(
    session: Session, budget_round: BudgetRound, number: int, per_page: int
) -> ProposalPage:
    """Proposals ``number`` (1-based) of ``per_page``, each with its supporters and
    whether it has a photo, and the round's count of proposals: one statement,
    whatever the number of proposals and supports."""
    total = select(func.count()).where(Proposal.round_id == budget_round.id).scalar_subquery()
    rows = session.execute(
        select(Proposal, _supports(Proposal.id), _has_photo(Proposal.id), total)
        .where(Proposal.round_id == budget_round.id)
        .order_by(Proposal.id)
        .limit(per_page)
        .offset((max(1, number) - 1) * per_page)
    ).all()
    if not rows:
        count = int(session.scalar(select(total)) or 0) if number > 1 else 0
        return ProposalPage([], count)
    views = [ProposalView(p, int(n or 0), bool(photo)) for p, n, photo, _ in rows]
    return ProposalPage(views, int(rows[0][3]))


def proposal_view(session: Session, proposal: Proposal) -> ProposalView:
    """One proposal with its supporters and whether it has a photo, in one statement."""
    supports, has_photo = session.execute(
        select(_supports(proposal.id), _has_photo(proposal.id))
    ).one()
    return ProposalView(proposal, int(supports or 0), bool(has_photo))


def comments_page(
    session: Session, proposal: Proposal, number: int, per_page: int
) -> tuple[list[tuple[ProposalComment, str]], int]:
    """Comments ``number`` (1-based) of ``per_page``, oldest first, with their
    authors' names, and the proposal's count of comments, in one statement."""
    total = select(func.count()).where(ProposalComment.proposal_id == proposal.id).scalar_subquery()
    rows = session.execute(
        select(ProposalComment, Account.display_name, total)
        .join(Account, Account.id == ProposalComment.author_id)
        .where(ProposalComment.proposal_id == proposal.id)
        .order_by(ProposalComment.id)
        .limit(per_page)
        .offset((max(1, number) - 1) * per_page)
    ).all()
    if not rows:
        return [], int(session.scalar(select(total)) or 0) if number > 1 else 0
    return [(c, name) for c, name, _ in rows], int(rows[0][2])


def comments_of(session: Session, proposal: Proposal) -> list[tuple[ProposalComment, str]]:
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
    """Tell a proposal's author something, through the one notices inbox."""
    notices.notify(session, account_id, "budget.proposal", message, link=link, params=params)


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
