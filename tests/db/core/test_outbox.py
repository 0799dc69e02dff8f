"""The e-mail outbox against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import outbox
from participation.areas import create_area
from participation.db import make_engine
from participation.departments import Department
from participation.plan import delivery
from participation.plan.delivery import DirectItem
from participation.rules.areas import AreaKind
from tests.support.pg import free_port
from web.cli import main


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def cli_env(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, smtp: tuple[int, Inbox]) -> str:
    monkeypatch.setenv("GONGZHI_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("GONGZHI_ENV", "test")
    monkeypatch.setenv("GONGZHI_SMTP_URL", f"smtp://127.0.0.1:{smtp[0]}")
    monkeypatch.setenv("GONGZHI_MAIL_FROM", "plan@gongzhi.local")
    return sqlite_url


def test_queued_mail_is_sent_once(cli_env: str, smtp: tuple[int, Inbox]) -> None:
    engine = make_engine(cli_env)
    with Session(engine) as s, s.begin():
        assert outbox.queue(s, to="a@example.cn", subject="提醒", body="正文", key="k1")
        assert outbox.queue(s, to="a@example.cn", subject="提醒", body="正文", key="k1") is None
        outbox.queue(s, to="b@example.cn", subject="通知", body="第二封")
    assert main(["send-mail"]) == 0
    assert main(["send-mail"]) == 0  # nothing left to send
    _, inbox = smtp
    assert sorted(m["To"] for m in inbox.messages) == ["a@example.cn", "b@example.cn"]
    subjects = {str(make_header(decode_header(m["Subject"]))) for m in inbox.messages}
    assert subjects == {"提醒", "通知"}
    with Session(engine) as s:
        rows = s.scalars(select(outbox.OutboxMessage)).all()
        assert all(r.sent_at is not None and r.attempts == 1 for r in rows)
    engine.dispose()


def test_overdue_milestones_remind_the_owner_by_mail(cli_env: str, smtp: tuple[int, Inbox]) -> None:
    engine = make_engine(cli_env)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="C", name="海澄市", kind=AreaKind.CITY, parent=None)
        s.add(Department(name="城管局", email="cgj@example.cn"))
        item = delivery.enter_item(
            s,
            DirectItem(
                area_id=city.id,
                year=2020,
                title="路灯改造",
                owner_department="城管局",
                starts_on=date(2020, 1, 1),
                due_on=date(2020, 12, 31),
            ),
            actor_id=None,
        )
        delivery.add_milestone(
            s, item, title="招标", due_on=date(2020, 3, 1), weight=20, actor_id=None
        )
    assert main(["plan-remind"]) == 0
    assert main(["plan-remind"]) == 0
    assert main(["send-mail"]) == 0
    (message,) = smtp[1].messages
    assert message["To"] == "cgj@example.cn"
    assert "招标" in str(make_header(decode_header(message["Subject"])))
    engine.dispose()


def test_an_unreachable_server_keeps_the_mail(
    cli_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(cli_env)
    with Session(engine) as s, s.begin():
        outbox.queue(s, to="a@example.cn", subject="提醒", body="正文")
    monkeypatch.setenv("GONGZHI_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    assert main(["send-mail"]) == 1
    with Session(engine) as s:
        assert s.scalars(select(outbox.OutboxMessage.sent_at)).one() is None
    engine.dispose()
