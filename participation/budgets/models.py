"""Community budget rounds (社区微实事): rounds, proposals, their photos, supports and comments.

Votes themselves live in the ballot engine (participation.ballots): a round only
points at its ballot box. Money is whole yuan.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation import accounts as _accounts  # noqa: F401  (tables our keys refer to)
from participation import areas as _areas  # noqa: F401
from participation.ballots import models as _ballots  # noqa: F401
from participation.db import Base, utcnow


class BudgetRound(Base):
    """A community budget round of one area, moving through its phases."""

    __tablename__ = "budget_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    year: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    budget_yuan: Mapped[int] = mapped_column()
    rule: Mapped[str] = mapped_column(String(20))  # "greedy" | "mes"
    roll: Mapped[str] = mapped_column(String(20))  # "residents" | "households"
    max_choices: Mapped[int | None] = mapped_column()
    # A ballot must use at least this share of the budget (percent), if set.
    min_share_percent: Mapped[int | None] = mapped_column()
    phase: Mapped[str] = mapped_column(String(20), default="proposal")
    box_id: Mapped[int | None] = mapped_column(ForeignKey("ballot_boxes.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The published ballots counted under the other rule, stored once when the
    #: results are published (the results page compares both without a recount).
    other_tally_json: Mapped[str | None] = mapped_column(Text, deferred=True)


class Proposal(Base):
    """A resident's project proposal in a budget round, and its screening."""

    __tablename__ = "budget_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_rounds.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(200))
    cost_yuan: Mapped[int] = mapped_column()
    beneficiaries: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    feasibility: Mapped[str] = mapped_column(Text, default="")
    legality: Mapped[str] = mapped_column(Text, default="")
    revised_cost_yuan: Mapped[int | None] = mapped_column()
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    screened_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    screened_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def final_cost(self) -> int:
        return self.revised_cost_yuan if self.revised_cost_yuan is not None else self.cost_yuan


class ProposalPhoto(Base):
    __tablename__ = "budget_proposal_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("budget_proposals.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ProposalSupport(Base):
    __tablename__ = "budget_proposal_supports"
    __table_args__ = (UniqueConstraint("proposal_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("budget_proposals.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalComment(Base):
    __tablename__ = "budget_proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("budget_proposals.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
