"""What happens to a plan item after it is received: milestones, the public timeline
of updates, supervision visits, owner departments and the year-end outcome.

Updates and visits are append-only (never edited in place): a correction is a
new update. An item's spend is the sum of its updates' spend; its reported
progress is the latest update's.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation import accounts as _accounts  # noqa: F401  (tables our keys refer to)
from participation.db import Base, utcnow
from participation.plan import models as _plan_models  # noqa: F401


class Milestone(Base):
    """A backward-scheduled step (倒排工期) with a due date within its item's dates.

    ``weight`` is the step's percentage of the item; an item's weights add up
    to at most 100.
    """

    __tablename__ = "plan_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column()
    weight: Mapped[int] = mapped_column()
    done_on: Mapped[date | None] = mapped_column()
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    # When the owner was last reminded that this milestone is overdue.
    reminded_at: Mapped[datetime | None] = mapped_column()


class Update(Base):
    """One entry of an item's public timeline, posted by its owner or staff."""

    __tablename__ = "plan_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    author_name: Mapped[str] = mapped_column(String(60), default="")
    text: Mapped[str] = mapped_column(Text)
    progress: Mapped[int] = mapped_column()
    # Money spent since the previous update (yuan); the item's spend is the sum.
    spend_yuan: Mapped[int] = mapped_column(default=0)
    # Links to photos and documents, one per line.
    evidence: Mapped[str] = mapped_column(Text, default="")


class Visit(Base):
    """A supervision visit (督查) by a deputy or a deliberation representative."""

    __tablename__ = "plan_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"), index=True)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    visitor_name: Mapped[str] = mapped_column(String(60))
    visitor_role: Mapped[str] = mapped_column(String(32))
    visited_on: Mapped[date] = mapped_column()
    findings: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class YearEndOutcome(Base):
    """How an item ended its plan's year; ``carried_to_id`` is next year's item."""

    __tablename__ = "plan_outcomes"
    __table_args__ = (UniqueConstraint("item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column()
    carried_to_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class YearEndDraft(Base):
    """The planner's choice for an item at year end, saved a page of the roll-up form at
    a time before the year is rolled up: a reason to drop it, or "" (closed if finished,
    else carried over). The roll-up reads them as its drop reasons and deletes them
    (``participation.plan.yearend_drafts``); what it records is the outcomes."""

    __tablename__ = "plan_year_end_drafts"
    __table_args__ = (
        UniqueConstraint("item_id"),
        # A plan's drafts counted, and read, on the plan alone.
        Index("ix_plan_year_end_drafts_plan_item", "plan_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class Judgement(Base):
    """A year-end satisfaction vote or an evaluation's verdict on an item it judged.

    Attached by the judging process through
    :func:`participation.plan.judgements.attach_judgement`; one per judging source.
    """

    __tablename__ = "plan_judgements"
    __table_args__ = (UniqueConstraint("item_id", "kind", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "satisfaction" or "evaluation"
    source_ref: Mapped[str] = mapped_column(String(64))
    # The record the verdict was reached in (a sources.SourceRecord: a livelihood
    # cycle, an evaluation, a panel) and its id; "" and None when there is none.
    source_record: Mapped[str] = mapped_column(String(30), default="")
    source_id: Mapped[int | None] = mapped_column()
    # Deprecated: the web path the release before 0022 stored and still reads while
    # an upgrade rolls out. Nothing here reads or writes it; a later release drops it.
    source_url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The verdict as the judging process states it, e.g. "满意 78%" or "82.5 分，良好".
    verdict: Mapped[str] = mapped_column(String(200))
    # Whether the judgement asks for more work (dissatisfied, rectification demanded).
    needs_rectification: Mapped[bool] = mapped_column(default=False)
    judged_at: Mapped[datetime] = mapped_column(default=utcnow)
