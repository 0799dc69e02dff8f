"""Community budget rounds on the personal home: rounds collecting proposals or
voting where a community takes part, proposals waiting for screening (the to-do
list), and a person's own proposals and comments (my activity). Each function is
one or two statements whatever the number of rounds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import ScalarSelect, Select, bindparam, func, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.budgets.models import BudgetRound, Proposal, ProposalComment
from participation.budgets.rules import RoundPhase
from participation.rules.reach import lineage
from participation.scopes import under_any

#: Phases in which a resident can act: propose, or vote.
ACTIVE = (RoundPhase.PROPOSAL.value, RoundPhase.VOTING.value)


@dataclass(frozen=True)
class ActiveRound:
    id: int
    title: str
    phase: str
    area_name: str


@cache
def _rounds_statement(limit: int) -> Select[int, str, str, str]:
    """``active_rounds``' statement, built once with the lineage as a parameter."""
    return (
        select(BudgetRound.id, BudgetRound.title, BudgetRound.phase, Area.name)
        .join(Area, Area.id == BudgetRound.area_id)
        .where(Area.path.in_(bindparam("lineage", expanding=True)), BudgetRound.phase.in_(ACTIVE))
        .order_by(BudgetRound.id.desc())
        .limit(limit)
    )


def active_rounds(session: Session, community_path: str, limit: int = 10) -> list[ActiveRound]:
    """Rounds of the community or an area above it that collect proposals or vote."""
    rows = session.execute(_rounds_statement(limit), {"lineage": lineage(community_path)})
    return [ActiveRound(*row) for row in rows]


def proposals_to_screen(session: Session, paths: Sequence[str] | None) -> int:
    """Submitted proposals not yet screened, in rounds within ``paths``."""
    return session.scalar(select(proposals_to_screen_count(paths))) or 0


def proposals_to_screen_count(paths: Sequence[str] | None) -> ScalarSelect[int]:
    """``proposals_to_screen`` as a scalar subquery, to count beside others in one
    statement (the personal home's to-do list)."""
    return (
        select(func.count())
        .select_from(Proposal)
        .join(BudgetRound, BudgetRound.id == Proposal.round_id)
        .join(Area, Area.id == BudgetRound.area_id)
        .where(
            Proposal.status == "submitted",
            BudgetRound.phase.in_((RoundPhase.PROPOSAL.value, RoundPhase.SCREENING.value)),
            under_any(Area.path, paths),
        )
        .scalar_subquery()
    )


def my_proposals(
    session: Session, account_id: int, offset: int, limit: int
) -> tuple[list[Proposal], int]:
    """The person's budget proposals, newest first, and how many."""
    where = Proposal.author_id == account_id
    total = session.scalar(select(func.count()).select_from(Proposal).where(where)) or 0
    rows = session.scalars(
        select(Proposal).where(where).order_by(Proposal.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), total


def my_comments(
    session: Session, account_id: int, offset: int, limit: int
) -> tuple[list[tuple[ProposalComment, str]], int]:
    """The person's comments on budget proposals (with the proposal's title),
    newest first, and how many."""
    where = ProposalComment.author_id == account_id
    total = session.scalar(select(func.count()).select_from(ProposalComment).where(where)) or 0
    rows = session.execute(
        select(ProposalComment, Proposal.title)
        .join(Proposal, Proposal.id == ProposalComment.proposal_id)
        .where(where)
        .order_by(ProposalComment.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [(c, t) for c, t in rows], total
