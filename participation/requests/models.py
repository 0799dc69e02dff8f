"""Resident requests (群众诉求) and what happens to them.

A request is filed once, through one of several channels, routed to a handling
unit and followed by its requester through a tracking number and secret. Every
step is an append-only row (``RequestStep``): the requester sees them all, in
order; the request row itself holds only the current state, guarded by a version
counter so that two people acting on one request at once cannot both win.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from participation import accounts as _accounts  # noqa: F401  (tables our keys refer to)
from participation import areas as _areas  # noqa: F401
from participation import departments as _departments  # noqa: F401
from participation.db import Base, utcnow


class HandlingUnit(Base):
    """A unit requests are routed to: a department, the office of an area (street,
    community, grid) or a mediation body. An area's office is made when first needed."""

    __tablename__ = "request_units"
    __table_args__ = (UniqueConstraint("kind", "area_id", "department_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # rules.catalog.UNIT_KINDS
    name: Mapped[str] = mapped_column(String(120))
    # The area the unit belongs to: whose staff handle its requests, and whose
    # parent is "the level above" when it escalates.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))


class RoutingRule(Base):
    """Category × area (the rule holds in its subtree) × scale → who handles it."""

    __tablename__ = "request_routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    scale: Mapped[str] = mapped_column(String(12))  # individual | group | any
    target_kind: Mapped[str] = mapped_column(String(16))  # UNIT_KINDS
    # For departments and mediation bodies: the one unit; for place kinds: None.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("request_units.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResidentRequest(Base):
    __tablename__ = "resident_requests"
    __table_args__ = (
        Index("ix_resident_requests_unit_status", "unit_id", "status"),
        Index("ix_resident_requests_place_category", "area_id", "category", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(20))
    scale: Mapped[str] = mapped_column(String(12), default="individual")
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    channel: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(Text)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)  # grid or community
    address: Mapped[str] = mapped_column(String(200), default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who raised it: an account (online, or a known resident) and/or a name and phone
    # taken at the desk. Never shown publicly.
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    requester_name: Mapped[str] = mapped_column(String(60), default="")
    requester_phone: Mapped[str] = mapped_column(String(20), default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(12), default="unrouted")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("request_units.id"))
    routed_at: Mapped[datetime | None] = mapped_column()
    accept_due: Mapped[date | None] = mapped_column(Date)
    reply_due: Mapped[date | None] = mapped_column(Date)
    resolve_due: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column()
    handoffs: Mapped[int] = mapped_column(Integer, default=0)  # returns + transfers
    rejections: Mapped[int] = mapped_column(Integer, default=0)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    reply: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")  # the proposed closure's result
    proposed_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    closure: Mapped[str] = mapped_column(String(16), default="")  # CLOSURES
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("resident_requests.id"))
    rating: Mapped[str] = mapped_column(String(16), default="")  # the latest return visit
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # How secret_hash was made (rules.tracking: PLAIN before keys, KEYED since 0031).
    secret_scheme: Mapped[int] = mapped_column(Integer, default=2, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class RequestHelper(Base):
    """A unit helping the lead unit in joint handling (会办)."""

    __tablename__ = "request_helpers"
    __table_args__ = (UniqueConstraint("request_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("resident_requests.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("request_units.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class RequestStep(Base):
    """One thing that happened to a request (append-only; the requester sees them all)."""

    __tablename__ = "request_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("resident_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))  # rules.catalog.STEPS (test: every kind fits)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("request_units.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column(Integer, default=0)  # time spent, for records


class RequestFile(Base):
    """A photo filed with a request, or an attachment of a handling record (images only,
    checked as community budget photos are)."""

    __tablename__ = "request_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("resident_requests.id"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("request_steps.id"))
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
