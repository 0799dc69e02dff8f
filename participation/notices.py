"""One inbox of notices for every account, whatever area sends them.

A notice stores an English msgid and its parameters, never rendered text, so
the inbox shows it in the reader's language at the time they read it. Areas
call :func:`notify` in their own transaction: the notice exists exactly when
the action that caused it happened. When the account has a linked e-mail
address, a short copy goes through the shared outbox (the copy names no
content, only that there is a notice and where to read it, so it needs no
translation and leaks nothing if the mailbox is shared).

Invariants: a notice belongs to one account; only that account can mark it
read; marking read twice keeps the first time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation import outbox
from participation.accounts import Identity
from participation.db import Base, utcnow
from participation.errors import N_, DomainError
from participation.notifying import preferences

PER_PAGE = 20
MAIL_SUBJECT = "【共治】您有一条新通知 / You have a new notice"
MAIL_BODY = (
    "您在共治平台有一条新通知，请登录后在“我的通知”中查看：/account/notices\n"
    "You have a new notice on Gongzhi; sign in and open /account/notices to read it.\n"
)


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_account_unread", "account_id", "read_at"),
        Index("ix_notices_account_created", "account_id", "created_at"),  # the inbox's order
        # One notice per event and person: re-runs and races of a fan-out add nothing.
        UniqueConstraint("event", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # Who sent it and why, e.g. "budget.screened", "consultation.hidden".
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(200))  # English msgid
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
    # The event told, e.g. "ballot.opened:17"; None for notices that need no key.
    event: Mapped[str | None] = mapped_column(String(120))

    @property
    def values(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.params or "{}")
        return loaded


def notify(
    session: Session,
    account_id: int,
    kind: str,
    message: str,
    *,
    link: str = "",
    params: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> Notice:
    """Leave a notice for one account (and queue an e-mail copy when it has an address)."""
    notice = Notice(
        account_id=account_id,
        kind=kind,
        message=message,
        link=link,
        params=json.dumps(dict(params or {}), ensure_ascii=False),
        created_at=now or utcnow(),
    )
    session.add(notice)
    session.flush()
    address = session.scalar(
        select(Identity.email)
        .where(Identity.account_id == account_id, Identity.email.is_not(None))
        .order_by(Identity.id)
        .limit(1)
    )
    if address and account_id in preferences.mailed_now(session, [account_id], kind):
        outbox.queue(
            session,
            to=address,
            subject=MAIL_SUBJECT,
            body=MAIL_BODY,
            key=f"notice:{notice.id}",
            account_id=account_id,
        )
    return notice


@dataclass(frozen=True)
class NewNotice:
    account_id: int
    kind: str
    message: str
    link: str = ""
    params: Mapping[str, object] | None = None


def notify_many(session: Session, new: Sequence[NewNotice], now: datetime) -> int:
    """``notify`` for many notices at once (a nightly job's): one INSERT of the
    notices, one look-up of the addresses, one INSERT of the e-mail copies, whatever
    their number. Returns how many notices were left."""
    if not new:
        return 0
    table = cast(Table, Notice.__table__)
    rows = [
        {
            "account_id": n.account_id,
            "kind": n.kind,
            "message": n.message,
            "link": n.link,
            "params": json.dumps(dict(n.params or {}), ensure_ascii=False),
            "created_at": now,
        }
        for n in new
    ]
    ids = (
        session.connection()
        .execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        .scalars()
        .all()
    )
    accounts = sorted({n.account_id for n in new})
    addresses: dict[int, str] = {}
    for start in range(0, len(accounts), 1000):
        for account_id, email in session.execute(
            select(Identity.account_id, Identity.email)
            .where(Identity.account_id.in_(accounts[start : start + 1000]))
            .where(Identity.email.is_not(None))
            .order_by(Identity.id)
        ):
            if email:
                addresses.setdefault(account_id, email)
    wanted: set[tuple[str, int]] = set()
    for kind in sorted({n.kind for n in new}):
        wanted |= {
            (kind, a)
            for a in preferences.mailed_now(
                session, {n.account_id for n in new if n.kind == kind} & set(addresses), kind
            )
        }
    copies = [
        {
            "key": f"notice:{notice_id}",
            "to_address": addresses[n.account_id],
            "subject": MAIL_SUBJECT,
            "body": MAIL_BODY,
            "account_id": n.account_id,
            "created_at": now,
        }
        for notice_id, n in zip(ids, new, strict=True)
        if (n.kind, n.account_id) in wanted
    ]
    if copies:
        keys = [c["key"] for c in copies]
        queued = set(
            session.scalars(
                select(outbox.OutboxMessage.key).where(outbox.OutboxMessage.key.in_(keys))
            )
        )
        copies = [c for c in copies if c["key"] not in queued]
        if copies:
            session.connection().execute(
                insert(cast(Table, outbox.OutboxMessage.__table__)), copies
            )
    return len(ids)


@dataclass(frozen=True)
class Inbox:
    notices: Sequence[Notice]
    number: int
    per_page: int
    total: int
    unread: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def inbox(session: Session, account_id: int, page: int = 1, per_page: int = PER_PAGE) -> Inbox:
    """One page of the account's notices, newest first."""
    total = session.scalar(select(func.count()).where(Notice.account_id == account_id)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.scalars(
        select(Notice)
        .where(Notice.account_id == account_id)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Inbox(rows, page, per_page, total, unread_count(session, account_id))


def unread_count(session: Session, account_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(Notice.account_id == account_id, Notice.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, account_id: int, notice_id: int, now: datetime) -> Notice:
    """Mark one of the account's own notices read; another's is 'not found' (no probing)."""
    notice = session.get(Notice, notice_id)
    if notice is None or notice.account_id != account_id:
        raise DomainError("notice.not_found", N_("No such notice."), status=404)
    if notice.read_at is None:
        notice.read_at = now
    return notice


def mark_all_read(session: Session, account_id: int, now: datetime) -> int:
    result = session.execute(
        update(Notice)
        .where(Notice.account_id == account_id, Notice.read_at.is_(None))
        .values(read_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
