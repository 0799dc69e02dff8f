"""An outbox of e-mail: services queue messages in their transaction; a separate
run (``gongzhi send-mail``) hands them to SMTP.

Queuing in the same transaction as the action means a message exists exactly
when the action happened; a ``key`` makes queuing idempotent (one reminder per
overdue milestone, however often the reminder run goes).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation.db import Base, utcnow

MAX_ATTEMPTS = 5
#: How long a sent message is kept before the pruning job deletes it
#: (:func:`prune_sent`). Support is asked "I never got the mail" in the weeks after
#: a reminder, a notice or a reset link: the row says when it went, to which
#: address, with what text. A month answers that and outlasts every sweep that
#: relies on a message's key not to queue it twice (the daily digest looks back two
#: days, a shift reminder is queued at most a week before the shift, a plan
#: reminder marks its milestone); past it the table would only grow.
KEEP_SENT_FOR = timedelta(days=30)


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


def queue(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    key: str | None = None,
    account_id: int | None = None,
) -> OutboxMessage | None:
    """Queue a message in the caller's transaction; None if ``key`` was queued before."""
    if key is not None and session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)):
        return None
    message = OutboxMessage(
        key=key, to_address=to, subject=subject, body=body, account_id=account_id
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None  # queued concurrently by another run
    return message


def prune_sent(session: Session, now: datetime) -> int:
    """Delete the messages sent more than ``KEEP_SENT_FOR`` before ``now``; how many,
    in one statement on the index of ``sent_at``. A message not sent (waiting, or
    given up after MAX_ATTEMPTS, which the metrics count) is never deleted."""
    result = session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.sent_at < now - KEEP_SENT_FOR)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    user: str
    password: str
    starttls: bool

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        """``smtp://user:password@host:587`` (STARTTLS when offered) or ``smtps://`` (TLS)."""
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("the SMTP URL must look like smtp://user:password@host:587")
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            starttls=parts.scheme == "smtp",
        )


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int


def send_pending(
    session: Session, smtp_url: str, mail_from: str, now: datetime, *, limit: int = 100
) -> SendReport:
    """Send unsent messages (oldest first) over one SMTP connection.

    A message that fails is kept with its error and tried again on the next run,
    up to MAX_ATTEMPTS times. The caller commits after the run.
    """
    pending = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    if not pending:
        return SendReport(0, 0)
    target = SmtpTarget.parse(smtp_url)
    sent = failed = 0
    connect = smtplib.SMTP_SSL if not target.starttls and target.port == 465 else smtplib.SMTP
    with connect(target.host, target.port, timeout=30) as smtp:
        smtp.ehlo()
        if target.starttls and smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        if target.user:
            smtp.login(target.user, target.password)
        for message in pending:
            email = EmailMessage()
            email["From"] = mail_from
            email["To"] = message.to_address
            email["Subject"] = message.subject
            email.set_content(message.body)
            message.attempts += 1
            try:
                smtp.send_message(email)
            except smtplib.SMTPException as error:
                message.last_error = str(error)[:500]
                failed += 1
            else:
                message.sent_at = now
                sent += 1
    return SendReport(sent, failed)
