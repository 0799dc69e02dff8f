"""Reminders and shift-change notices, queued in the portal's one outbox.

Queuing happens in the caller's transaction (a moved shift and its notices
commit together); ``gongzhi send-mail`` (participation.outbox.send_pending)
sends them later with every other message of the portal, so a failing mail
server delays mail but never loses it. Keys start with ``volunteers:`` so they
never collide with other areas' keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit, outbox
from participation.db import utcnow
from participation.errors import N_, DomainError
from participation.notifying import kinds
from participation.notifying.fanout import fan_out
from volunteers.models import LONGEST_SHIFT, Activity, Shift, SignUp, VolunteerProfile
from volunteers.rules.notices import move_needs_notice, reminder_due
from volunteers.signups import LIVE, shift_context

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def _when(shift: Shift) -> str:
    start = shift.starts_at.astimezone(LOCAL_TZ)
    end = shift.ends_at.astimezone(LOCAL_TZ)
    return f"{start:%Y年%m月%d日 %H:%M}–{end:%H:%M}"


def _when_en(shift: Shift) -> str:
    start = shift.starts_at.astimezone(LOCAL_TZ)
    end = shift.ends_at.astimezone(LOCAL_TZ)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} (Beijing time)"


def _bilingual(chinese: str, english: str) -> str:
    """Mail goes out in Chinese with an English copy below: the outbox sends it
    long after the request, and accounts keep no language of their own."""
    return f"{chinese}\n\n{english}"


KEY_PREFIX = "volunteers:"


def _queue(session: Session, key: str, account_id: int, to: str, subject: str, body: str) -> bool:
    """Queue one message; False when the same key was queued before (idempotent runs)."""
    message = outbox.queue(
        session, to=to, subject=subject, body=body, key=KEY_PREFIX + key, account_id=account_id
    )
    return message is not None


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
            queued += _queue(
                session,
                f"reminder:{signup.id}:{shift.starts_at:%Y%m%d%H%M}",
                signup.account_id,
                profile.email,
                f"志愿服务提醒:{activity.title} / Volunteer reminder",
                _bilingual(
                    f"您报名的志愿服务「{activity.title}」将于 {_when(shift)} 开始,"
                    f"地点:{shift.place}。",
                    f'Your volunteer shift "{activity.title}" starts '
                    f"{_when_en(shift)} at {shift.place}.",
                ),
            )
    return queued


def move_shift(
    session: Session,
    shift_id: int,
    starts_at: datetime,
    ends_at: datetime,
    actor_id: int,
    now: datetime | None = None,
) -> bool:
    """Move a shift; tell everyone with a place when it moves by more than 5 minutes.
    Returns whether notices were queued."""
    if ends_at <= starts_at or ends_at - starts_at > LONGEST_SHIFT:
        raise DomainError(
            "shift.invalid",
            N_("Please correct the marked fields."),
            fields={
                "ends_at": N_("The shift must end after it starts.")
                if ends_at <= starts_at
                else N_("A shift lasts at most 24 hours.")
            },
        )
    ctx = shift_context(session, shift_id, lock=True)
    shift = ctx.shift
    notify = move_needs_notice(shift.starts_at, shift.ends_at, starts_at, ends_at)
    old, old_en = _when(shift), _when_en(shift)
    shift.starts_at, shift.ends_at = starts_at, ends_at
    audit.record(
        session, actor_id=actor_id, action="volunteer.shift_move", target=f"shift:{shift.id}"
    )
    if notify:
        fan_out(
            session,
            event=f"shift.moved:{shift.id}:{starts_at:%Y%m%d%H%M}{ends_at:%H%M}",
            kind="shift.moved",
            message=kinds.SHIFT_MOVED,
            recipients=select(SignUp.account_id).where(
                SignUp.shift_id == shift.id, SignUp.status.in_(LIVE)
            ),
            now=now or utcnow(),
            link=f"/volunteers/shifts/{shift.id}",
            params={"title": ctx.activity.title},
        )
        for signup, profile in _recipients(session, shift.id):
            assert profile.email is not None
            _queue(
                session,
                f"move:{signup.id}:{starts_at:%Y%m%d%H%M}{ends_at:%H%M}",
                signup.account_id,
                profile.email,
                f"志愿服务时间变更:{ctx.activity.title} / Volunteer shift moved",
                _bilingual(
                    f"「{ctx.activity.title}」的时间由 {old} 改为 {_when(shift)}。"
                    "如不能参加,请登录平台取消报名。",
                    f'"{ctx.activity.title}" has moved from {old_en} to '
                    f"{_when_en(shift)}. If you cannot come, please sign in and cancel.",
                ),
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
            signup.account_id,
            profile.email,
            f"志愿服务取消:{ctx.activity.title} / Volunteer shift cancelled",
            _bilingual(
                f"很抱歉,原定于 {_when(ctx.shift)} 的「{ctx.activity.title}」已取消。",
                f'We are sorry: "{ctx.activity.title}" on '
                f"{_when_en(ctx.shift)} has been cancelled.",
            ),
        )
