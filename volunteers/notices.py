"""Reminders and shift-change notices, queued in the outbox and sent over SMTP.

Queuing happens in the caller's transaction (a moved shift and its notices
commit together); sending happens later, row by row, so a failing mail server
delays mail but never loses it.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.errors import N_, DomainError
from volunteers.models import Activity, OutboxMail, Shift, SignUp, VolunteerProfile
from volunteers.rules.notices import move_needs_notice, reminder_due
from volunteers.signups import LIVE, shift_context

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def _when(shift: Shift) -> str:
    start = shift.starts_at.astimezone(LOCAL_TZ)
    end = shift.ends_at.astimezone(LOCAL_TZ)
    return f"{start:%Y年%m月%d日 %H:%M}–{end:%H:%M}"


def _queue(session: Session, key: str, to: str, subject: str, body: str) -> None:
    if session.scalar(select(OutboxMail.id).where(OutboxMail.dedupe_key == key)) is None:
        session.add(OutboxMail(dedupe_key=key[:80], to_address=to, subject=subject, body=body))


def _recipients(session: Session, shift_id: int) -> Sequence[tuple[SignUp, VolunteerProfile]]:
    return [
        (s, p)
        for s, p in session.execute(
            select(SignUp, VolunteerProfile)
            .join(VolunteerProfile, VolunteerProfile.account_id == SignUp.account_id)
            .where(
                SignUp.shift_id == shift_id,
                SignUp.status.in_(LIVE),
                VolunteerProfile.email.is_not(None),
            )
        ).all()
    ]


def queue_reminders(session: Session, now: datetime) -> int:
    """Queue a reminder for every confirmed place whose lead time has come."""
    rows = session.execute(
        select(SignUp, Shift, Activity, VolunteerProfile)
        .join(Shift, Shift.id == SignUp.shift_id)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(VolunteerProfile, VolunteerProfile.account_id == SignUp.account_id)
        .where(
            SignUp.status == "confirmed",
            Shift.starts_at > now,
            Shift.cancelled_at.is_(None),
            VolunteerProfile.email.is_not(None),
        )
    ).all()
    queued = 0
    for signup, shift, activity, profile in rows:
        if reminder_due(shift.starts_at, profile.reminder_minutes, now):
            assert profile.email is not None
            _queue(
                session,
                f"reminder:{signup.id}:{shift.starts_at:%Y%m%d%H%M}",
                profile.email,
                f"志愿服务提醒:{activity.title}",
                f"您报名的志愿服务「{activity.title}」将于 {_when(shift)} 开始,"
                f"地点:{shift.place}。",
            )
            queued += 1
    return queued


def move_shift(
    session: Session, shift_id: int, starts_at: datetime, ends_at: datetime, actor_id: int
) -> bool:
    """Move a shift; tell everyone with a place when it moves by more than 5 minutes.
    Returns whether notices were queued."""
    if ends_at <= starts_at:
        raise DomainError(
            "shift.invalid",
            N_("Please correct the marked fields."),
            fields={"ends_at": N_("The shift must end after it starts.")},
        )
    ctx = shift_context(session, shift_id, lock=True)
    shift = ctx.shift
    notify = move_needs_notice(shift.starts_at, shift.ends_at, starts_at, ends_at)
    old = _when(shift)
    shift.starts_at, shift.ends_at = starts_at, ends_at
    audit.record(
        session, actor_id=actor_id, action="volunteer.shift_move", target=f"shift:{shift.id}"
    )
    if notify:
        for signup, profile in _recipients(session, shift.id):
            assert profile.email is not None
            _queue(
                session,
                f"move:{signup.id}:{starts_at:%Y%m%d%H%M}{ends_at:%H%M}",
                profile.email,
                f"志愿服务时间变更:{ctx.activity.title}",
                f"「{ctx.activity.title}」的时间由 {old} 改为 {_when(shift)}。"
                "如不能参加,请登录平台取消报名。",
            )
    return notify


def cancel_shift(session: Session, shift_id: int, actor_id: int, now: datetime) -> None:
    ctx = shift_context(session, shift_id, lock=True)
    if ctx.shift.cancelled_at is not None:
        raise DomainError("shift.cancelled", N_("This shift has been cancelled."), status=409)
    ctx.shift.cancelled_at = now
    audit.record(
        session, actor_id=actor_id, action="volunteer.shift_cancel", target=f"shift:{shift_id}"
    )
    for signup, profile in _recipients(session, shift_id):
        assert profile.email is not None
        _queue(
            session,
            f"cancel:{signup.id}",
            profile.email,
            f"志愿服务取消:{ctx.activity.title}",
            f"很抱歉,原定于 {_when(ctx.shift)} 的「{ctx.activity.title}」已取消。",
        )


def send_outbox(
    session: Session, smtp_url: str, mail_from: str, now: datetime, limit: int = 100
) -> int:
    """Send unsent mail over SMTP (``smtp://user:pass@host:port``); returns how many
    were sent. A failure is recorded on the row and retried next time."""
    pending = session.scalars(
        select(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.attempts < 10)
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    if not pending or not smtp_url:
        return 0
    url = urlsplit(smtp_url)
    sent = 0
    with smtplib.SMTP(url.hostname or "127.0.0.1", url.port or 25, timeout=30) as smtp:
        if url.scheme == "smtp+starttls":
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        for mail in pending:
            message = EmailMessage()
            message["From"], message["To"] = mail_from, mail.to_address
            message["Subject"] = mail.subject
            message.set_content(mail.body)
            mail.attempts += 1
            try:
                smtp.send_message(message)
            except smtplib.SMTPException as error:
                mail.last_error = str(error)[:300]
                continue
            mail.sent_at = now
            sent += 1
    return sent
