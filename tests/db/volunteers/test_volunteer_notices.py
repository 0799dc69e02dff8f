"""Reminders and shift-change notices go through the portal's one outbox to a real
SMTP server (aiosmtpd on 127.0.0.1), sent by the same code as ``gongzhi send-mail``;
a server that is down delays mail but loses none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.errors import DomainError
from participation.outbox import OutboxMessage, SendReport, send_pending
from tests.support.pg import free_port
from tests.support.volunteering import make_shift
from tests.support.world import World
from volunteers import notices, profiles, signups

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(message["Subject"])))
        self.messages.append((list(envelope.rcpt_tos), subject))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", inbox
    controller.stop()


def _people(s: Session, n: int) -> list[int]:
    ids = []
    for k in range(n):
        a = Account(display_name=f"n{k}", username=f"notice{k}")
        s.add(a)
        s.flush()
        ids.append(a.id)
    return ids


def _count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def test_reminders_moves_and_cancels_reach_the_smtp_server(
    world: World, session: Session, smtp: tuple[str, Inbox]
) -> None:
    url, inbox = smtp
    start = NOW + timedelta(days=3)
    shift = make_shift(session, world["community"], start, capacity=5)
    with_mail, without = _people(session, 2)
    for p in (with_mail, without):
        signups.sign_up(session, shift.id, p, NOW)
    profiles.ensure_profile(session, with_mail).email = "zhao@example.cn"
    session.commit()

    assert notices.queue_reminders(session, NOW) == 0  # not within the 2 h lead time yet
    due = start - timedelta(minutes=90)
    assert notices.queue_reminders(session, due) == 1
    assert notices.queue_reminders(session, due + timedelta(minutes=5)) == 0
    assert _count(session) == 1  # queued once only

    # A 3-minute adjustment is not worth an email; a 30-minute move is.
    assert not notices.move_shift(
        session,
        shift.id,
        start + timedelta(minutes=3),
        shift.ends_at + timedelta(minutes=3),
        world["people"]["team_leader"].id,
    )
    assert notices.move_shift(
        session,
        shift.id,
        start + timedelta(minutes=30),
        shift.ends_at + timedelta(minutes=30),
        world["people"]["team_leader"].id,
    )
    notices.cancel_shift(session, shift.id, world["people"]["team_leader"].id, due)
    session.commit()
    assert _count(session) == 3

    keys = session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)).all()
    assert all(k and k.startswith("volunteers:") for k in keys)
    # Chinese first, an English copy below, both with the local time.
    bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    assert [b.split("\n\n")[1].split(" ")[0] for b in bodies] == ["Your", '"社区清洁行动"', "We"]
    assert all("(Beijing time)" in b and "年" in b for b in bodies)
    assert send_pending(session, url, "noreply@gongzhi.local", due) == SendReport(3, 0)
    session.commit()
    assert [to for to, _ in inbox.messages] == [["zhao@example.cn"]] * 3
    assert [subject.split(":")[0] for _, subject in inbox.messages] == [
        "志愿服务提醒",
        "志愿服务时间变更",
        "志愿服务取消",
    ]
    assert send_pending(session, url, "noreply@gongzhi.local", due) == SendReport(0, 0)


def test_mail_waits_while_the_server_is_down(
    world: World, session: Session, smtp: tuple[str, Inbox]
) -> None:
    url, inbox = smtp
    shift = make_shift(session, world["community"], NOW + timedelta(hours=1))
    [p] = _people(session, 1)
    signups.sign_up(session, shift.id, p, NOW)
    profiles.ensure_profile(session, p).email = "qian@example.cn"
    notices.queue_reminders(session, NOW)
    session.commit()
    down = f"smtp://127.0.0.1:{free_port()}"
    with pytest.raises(OSError):
        send_pending(session, down, "noreply@gongzhi.local", NOW)
    session.rollback()
    assert session.scalar(select(OutboxMessage.sent_at)) is None
    assert send_pending(session, url, "noreply@gongzhi.local", NOW) == SendReport(1, 0)
    session.commit()
    assert len(inbox.messages) == 1


def test_tick_queues_and_send_mail_is_the_one_sender(
    world: World,
    session: Session,
    smtp: tuple[str, Inbox],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from web.cli import main

    url, inbox = smtp
    monkeypatch.setenv("GONGZHI_DATABASE_URL", db_url)
    monkeypatch.setenv("GONGZHI_ENV", "test")
    monkeypatch.setenv("GONGZHI_CHEAP_HASHING", "1")
    monkeypatch.setenv("GONGZHI_SMTP_URL", url)
    soon = datetime.now(UTC) + timedelta(minutes=30)
    shift = make_shift(session, world["community"], soon)
    [p] = _people(session, 1)
    signups.sign_up(session, shift.id, p, datetime.now(UTC))
    profiles.ensure_profile(session, p).email = "sun@example.cn"
    session.commit()

    assert main(["volunteers", "tick"]) == 0
    session.expire_all()
    assert _count(session) == 1 and inbox.messages == []  # tick queues, never sends
    session.rollback()  # end the read so the CLI can write
    assert main(["send-mail"]) == 0
    assert main(["send-mail"]) == 0
    assert [to for to, _ in inbox.messages] == [["sun@example.cn"]]
    session.expire_all()
    assert session.scalar(select(OutboxMessage.sent_at)) is not None


def test_a_shift_is_not_moved_to_last_longer_than_a_day(world: World, session: Session) -> None:
    """Fails on the old code: moving a shift skipped the 24-hour limit that creating
    one enforces (and the lists of coming shifts rely on: volunteers.models.LONGEST_SHIFT)."""
    start = NOW + timedelta(days=3)
    shift = make_shift(session, world["community"], start)
    leader = world["people"]["team_leader"].id
    with pytest.raises(DomainError) as refused:
        notices.move_shift(session, shift.id, start, start + timedelta(hours=25), leader)
    assert refused.value.fields == {"ends_at": "A shift lasts at most 24 hours."}
    assert shift.ends_at == start + timedelta(hours=3)
    notices.move_shift(session, shift.id, start, start + timedelta(hours=24), leader)
    assert shift.ends_at == start + timedelta(hours=24)
