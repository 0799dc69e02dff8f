"""Livelihood projects chosen by deputies (民生实事项目人大代表票决制): cycles,
candidates and the session's attendance.

Votes themselves live in the ballot engine (participation.ballots): a cycle only
points at its ballot box. Money is whole yuan.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation import accounts as _accounts  # noqa: F401  (tables our keys refer to)
from participation import areas as _areas  # noqa: F401
from participation import departments
from participation.ballots import models as _ballots  # noqa: F401
from participation.db import Base, utcnow


class LivelihoodCycle(Base):
    """One year's 民生实事项目 cycle of a congress: solicitation to year-end vote."""

    __tablename__ = "livelihood_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    year: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    places: Mapped[int] = mapped_column()
    # The candidate list must exceed the places by at least this many percent (差额).
    extra_percent: Mapped[int] = mapped_column(default=20)
    form: Mapped[str] = mapped_column(String(10), default="choose")  # "choose" | "yes_no"
    # Year-end vote: a project is satisfactory when satisfied (plus basically
    # satisfied) grades reach or exceed half of the deputies who voted or of all.
    satisfaction_base: Mapped[str] = mapped_column(String(10), default="cast")
    satisfaction_half: Mapped[str] = mapped_column(String(10), default="exceed")
    phase: Mapped[str] = mapped_column(String(20), default="solicitation")
    box_id: Mapped[int | None] = mapped_column(ForeignKey("ballot_boxes.id"))
    satisfaction_box_id: Mapped[int | None] = mapped_column(ForeignKey("ballot_boxes.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LivelihoodCandidate(Base):
    """A submitted project; screening makes it a candidate, rejects or merges it."""

    __tablename__ = "livelihood_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("livelihood_cycles.id"), index=True)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    submitter_kind: Mapped[str] = mapped_column(String(20))  # public | organization | deputy
    name: Mapped[str] = mapped_column(String(120))
    background: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(String(120))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    funds_yuan: Mapped[int] = mapped_column()
    funds_source: Mapped[str] = mapped_column(String(120))
    complete_by: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    reason: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("livelihood_candidates.id"))
    ballot_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attendance(Base):
    """A deputy signed in at the cycle's congress session (once)."""

    __tablename__ = "livelihood_attendance"
    __table_args__ = (UniqueConstraint("cycle_id", "deputy_entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("livelihood_cycles.id"), index=True)
    deputy_entry_id: Mapped[int] = mapped_column(ForeignKey("deputy_entries.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


departments.refers(
    LivelihoodCandidate, LivelihoodCandidate.department_id, LivelihoodCandidate.department
)
