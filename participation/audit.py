"""The append-only audit log of administrative actions (who, what, when, from where)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.db import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    ip: Mapped[str] = mapped_column(String(64), default="")


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target: str = "",
    ip: str = "",
    **detail: Any,
) -> AuditEntry:
    """Append an entry in the caller's transaction: it lands only if the action does."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        target=target,
        ip=ip,
        detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    return session.scalars(query.limit(limit).offset(offset)).all()
