"""Follows, notice preferences and the record of events already told.

Follows and preferences are personal data kept in tables keyed by the account,
so closing an account erases them with one DELETE each (``erase_account``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.db import Base, utcnow


class Follow(Base):
    """One person follows one plan item, consultation, budget round or team."""

    __tablename__ = "follows"
    __table_args__ = (Index("ix_follows_target", "target_kind", "target_id"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    target_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticePreference(Base):
    """Per kind of notice: ``email`` false keeps it in the inbox only. No row: e-mail
    too (when the account has an address)."""

    __tablename__ = "notice_preferences"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)


class NoticeSetting(Base):
    """Account-wide: ``digest`` gathers a day's e-mail copies into one message."""

    __tablename__ = "notice_settings"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    digest: Mapped[bool] = mapped_column(Boolean, default=False)


class NoticeEvent(Base):
    """An event whose fan-out is done (e.g. ``ballot.opened:17``): the periodic jobs
    skip it afterwards instead of re-offering every notice to the unique key."""

    __tablename__ = "notice_events"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    told: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def erase_account(session: Session, account_id: int) -> None:
    """Forget what the account follows and how it wants to be told (account closing)."""
    for model in (Follow, NoticePreference, NoticeSetting):
        session.execute(delete(model).where(model.account_id == account_id))
