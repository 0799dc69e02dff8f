"""Plans and plan items.

A plan belongs to an area and a year. An item belongs to one plan, may have a
parent item (a parent's progress is computed from its children), and names its
source: ``(source_kind, source_ref)`` is unique, so one decision is one item.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from participation import accounts as _accounts  # noqa: F401  (tables our keys refer to)
from participation import areas as _areas  # noqa: F401
from participation import departments
from participation.db import Base, utcnow


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("area_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    year: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanItem(Base):
    __tablename__ = "plan_items"
    __table_args__ = (
        UniqueConstraint("source_kind", "source_ref"),
        # The board's status filter: a plan's items of a status, in id order (the status
        # first: without one, a plan's items are read in id order from the plan_id index).
        Index("ix_plan_items_board_status_plan", "board_status", "plan_id", "id"),
        # The planner's "needs a decision" list: a plan's flagged items in id order.
        Index("ix_plan_items_needs_decision_plan", "needs_decision", "plan_id", "id"),
        # Only the items with a parent (a few of a city's): SQLite's statistics count
        # the NULLs as one huge key and would read the whole table (migration 0056).
        Index(
            "ix_plan_items_parent_id",
            "parent_id",
            sqlite_where=text("parent_id IS NOT NULL"),
            postgresql_where=text("parent_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    source_kind: Mapped[str] = mapped_column(String(30), index=True)
    # Unique within the kind: e.g. "project:17" or a generated id for direct entries.
    source_ref: Mapped[str] = mapped_column(String(64))
    # The id of the record the decision was taken in, of the kind that
    # sources.RECORD_OF_KIND gives for source_kind (a budget proposal, a livelihood
    # cycle, a consultation...); None for direct entries. No web paths here.
    source_id: Mapped[int | None] = mapped_column()
    # Deprecated: the web path the release before 0022 stored and still reads while
    # an upgrade rolls out. Nothing here reads or writes it; a later release drops it.
    source_url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The owner department's name; the record is owner_department_id (see departments).
    owner_department: Mapped[str] = mapped_column(String(120), default="")
    owner_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), index=True
    )
    owner_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    budget_yuan: Mapped[int] = mapped_column(default=0)
    starts_on: Mapped[date | None] = mapped_column()
    due_on: Mapped[date | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="planned")
    # The status the progress board shows (board.BOARD_STATUSES), derived from the
    # status above, the milestones, updates, children and the date: stored so that
    # the board's status filter pages it on an index. See board.store_board_statuses
    # for when it holds; None until first computed.
    board_status: Mapped[str | None] = mapped_column(String(20))
    # Whether the planner must decide something about the item (no owner, no end date,
    # milestone weights not adding up to 100, over budget; never once rolled up), as
    # plan.decisions defines it: stored so that the planner's list reads it on an
    # index. Kept with board_status (see plan.decisions); None until first computed.
    needs_decision: Mapped[bool | None] = mapped_column()
    # Share of the parent's progress this item carries (relative weight, > 0).
    weight: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


departments.refers(PlanItem, PlanItem.owner_department_id, PlanItem.owner_department)
