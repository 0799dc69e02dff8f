"""Telling many people of one event in a fixed number of statements.

``fan_out`` writes one notice per person in the set a query names, with one
``INSERT … SELECT … ON CONFLICT DO NOTHING`` (the unique key is the event and
the person), then the e-mail copies of those who want one at once with a second
``INSERT … SELECT`` from the notices of that event. Whatever the number of people,
that is two statements, and running it again, or twice at the same moment, adds
nothing: the unique keys (notices: event × person; outbox: ``notice:<id>``) decide.
It runs in the caller's transaction, so the notices exist exactly when the event does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Insert, Select, String, Table, literal, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from participation.accounts import Account, Identity
from participation.notices import MAIL_BODY, MAIL_SUBJECT, Notice
from participation.notifying.models import NoticeEvent
from participation.notifying.preferences import mails_now
from participation.outbox import OutboxMessage

_notices = cast(Table, Notice.__table__)
_outbox = cast(Table, OutboxMessage.__table__)
_events = cast(Table, NoticeEvent.__table__)


def insert_or_skip(session: Session, table: Table) -> Any:
    """The dialect's INSERT, which knows ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"notices need INSERT ... ON CONFLICT; {name} lacks it")


def address_of(account_id: Any) -> Any:
    """SQL: the account's first e-mail address (its oldest linked identity with one)."""
    return (
        select(Identity.email)
        .where(Identity.account_id == account_id, Identity.email.is_not(None))
        .order_by(Identity.id)
        .limit(1)
        .scalar_subquery()
    )


def fan_out(
    session: Session,
    *,
    event: str,
    kind: str,
    message: str,
    recipients: Select[Any],
    now: datetime,
    link: str = "",
    params: Mapping[str, object] | None = None,
) -> int:
    """Leave a notice of ``event`` for every account ``recipients`` selects (one
    column: the account id; duplicates are fine) and queue the e-mail copies.
    Returns how many notices are new."""
    told = _leave(session, event, kind, message, recipients, now, link, params)
    queue_copies(session, event, kind, now)
    return told


def _leave(
    session: Session,
    event: str,
    kind: str,
    message: str,
    recipients: Select[Any],
    now: datetime,
    link: str,
    params: Mapping[str, object] | None,
) -> int:
    """The notices' ``INSERT … SELECT … ON CONFLICT DO NOTHING``; how many are new."""
    people = recipients.subquery()
    account = people.c[0]
    rows = (
        select(
            account,
            literal(kind, String),
            literal(message, String),
            literal(json.dumps(dict(params or {}), ensure_ascii=False), String),
            literal(link, String),
            literal(now, Notice.created_at.type),
            literal(event, String),
        )
        .where(account.is_not(None))  # also keeps SQLite's INSERT … SELECT … ON CONFLICT apart
        .distinct()
    )
    statement: Insert = (
        insert_or_skip(session, _notices)
        .from_select(
            ["account_id", "kind", "message", "params", "link", "created_at", "event"], rows
        )
        .on_conflict_do_nothing(index_elements=["event", "account_id"])
        .execution_options(preserve_rowcount=True)
    )
    return int(session.connection().execute(statement).rowcount or 0)


def queue_copies(
    session: Session, event: str, kind: str, now: datetime, *, account_id: int | None = None
) -> None:
    """Queue the e-mail copy of each notice of ``event`` whose reader has an address
    and wants e-mail of ``kind`` at once (one statement; already queued: nothing).
    With ``account_id``, only that person's copy (its notice found by the unique
    key, whatever the number of people the event told)."""
    n = _notices.c
    query = select(
        n.id.label("id"),
        n.account_id.label("account_id"),
        address_of(n.account_id).label("address"),
    ).where(n.event == event, mails_now(n.account_id, literal(kind, String)))
    if account_id is not None:
        query = query.where(n.account_id == account_id)
    addressed = query.subquery()
    rows = select(
        literal("notice:", String).concat(sql_cast(addressed.c.id, String)),
        addressed.c.address,
        literal(MAIL_SUBJECT, String),
        literal(MAIL_BODY, String),
        addressed.c.account_id,
        literal(now, OutboxMessage.created_at.type),
    ).where(addressed.c.address.is_not(None))
    statement = (
        insert_or_skip(session, _outbox)
        .from_select(["key", "to_address", "subject", "body", "account_id", "created_at"], rows)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    session.connection().execute(statement)


def tell_one(
    session: Session,
    account_id: int,
    *,
    event: str,
    kind: str,
    message: str,
    now: datetime,
    link: str = "",
    params: Mapping[str, object] | None = None,
    among: Select[Any] | None = None,
) -> bool:
    """``fan_out`` to one person (idempotent by ``event``); whether the notice is new.
    With ``among`` (a query of account ids), only when it selects that person: a
    fan-out's audience narrowed to them, so they are told exactly as the fan-out
    tells everyone (the same event: told once, whichever comes first). Only that
    person's e-mail copy is looked at, however many the event told."""
    if among is None:
        recipients = select(Account.id).where(Account.id == account_id)
    else:
        audience = among.subquery()
        recipients = select(audience.c[0]).where(audience.c[0] == account_id)
    told = _leave(session, event, kind, message, recipients, now, link, params)
    if told:
        queue_copies(session, event, kind, now, account_id=account_id)
    return bool(told)


def done(session: Session, event: str) -> bool:
    """Whether the fan-out of ``event`` was recorded as done (see :func:`mark_done`)."""
    return session.get(NoticeEvent, event) is not None


def mark_done(session: Session, event: str, told: int, now: datetime) -> None:
    """Record a periodic job's fan-out as done, so that later runs skip it at once."""
    session.connection().execute(
        insert_or_skip(session, _events)
        .values(key=event, told=told, created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
