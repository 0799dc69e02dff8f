"""The append-only audit log of administrative actions (who, what, when, from where)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, false, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.db import Base, utcnow
from participation.keyset import LARGEST_ID, KeysetPage, Read, from_link, keyset_page


class AuditEntry(Base):
    __tablename__ = "audit_log"
    # The log is read newest first, filtered by action or by actor: each index
    # hands a filter's entries over in id order, so a page is a range of it
    # (PostgreSQL would otherwise sort every entry of an action to show fifty).
    __table_args__ = (
        Index("ix_audit_log_action_id", "action", "id"),
        Index("ix_audit_log_actor_id_id", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    action: Mapped[str] = mapped_column(String(64))
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
        actor_id=actor_id, action=action, target=target, ip=ip, detail=_detail(detail)
    )
    session.add(entry)
    return entry


def record_each(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    details: Mapping[str, Mapping[str, Any]],
    ip: str = "",
) -> None:
    """:func:`record` for each target of ``details`` (target -> its detail), in their
    order and in one statement however many: the same entries, as one service acting
    on many records at once (the year-end roll-up) writes them."""
    if details:
        session.execute(
            insert(AuditEntry),
            [
                {
                    "actor_id": actor_id,
                    "action": action,
                    "target": t,
                    "ip": ip,
                    "detail": _detail(d),
                }
                for t, d in details.items()
            ],
        )


def _detail(detail: Mapping[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)


#: Entries a page of the back office's audit log.
ENTRIES_PER_PAGE = 50


def _newest_first(
    session: Session, action: str | None, actor_id: int | None
) -> Read[int, AuditEntry]:
    def read(cursor: int | None, forward: bool, limit: int) -> Sequence[AuditEntry]:
        query = select(AuditEntry)
        if action:
            query = query.where(AuditEntry.action == action)
        if actor_id:
            # No account has an id past LARGEST_ID (nor could PostgreSQL compare it).
            query = query.where(
                AuditEntry.actor_id == actor_id if actor_id <= LARGEST_ID else false()
            )
        if cursor is not None:
            query = query.where(AuditEntry.id < cursor if forward else AuditEntry.id > cursor)
        order = AuditEntry.id.desc() if forward else AuditEntry.id.asc()
        return session.scalars(query.order_by(order).limit(limit)).all()

    return read


def entries_page(
    session: Session,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    after: int = 0,
    before: int = 0,
    per_page: int = ENTRIES_PER_PAGE,
) -> KeysetPage[AuditEntry]:
    """The page of the log, newest first, of the entries of ``action`` by the
    account ``actor_id`` (either None: any), that starts after (is older than)
    the entry of id ``after``, or else ends before (is newer than) the entry of
    id ``before``, or else the first page (participation.keyset).

    One statement of at most ``per_page`` + 1 entries, however long the log and
    however deep the page, from an index in id order (the primary key, or
    ``ix_audit_log_action_id`` / ``ix_audit_log_actor_id_id`` when filtered);
    two when reading back found nothing newer. A cursor needs no entry of its
    id, only a place in the order: an id past the log's end (or one whose
    entry a filter leaves out) still starts a page where it would lie; one past
    any id a row can have (:data:`participation.keyset.LARGEST_ID`) gives the
    first page.
    """
    cursor, forward = from_link(after, before)
    return keyset_page(
        _newest_first(session, action, actor_id),
        lambda entry: entry.id,
        cursor=cursor,
        forward=forward,
        per_page=per_page,
    )


def entries(
    session: Session,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    limit: int = ENTRIES_PER_PAGE,
) -> Sequence[AuditEntry]:
    """The newest ``limit`` entries (of ``action``, by ``actor_id``)."""
    return _newest_first(session, action, actor_id)(None, True, limit)
