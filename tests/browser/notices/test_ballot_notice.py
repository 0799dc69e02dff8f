"""A ballot opening reaches the resident's inbox and their e-mail, at phone width:
the worker's notices-sweep job tells who may vote, its send-mail job hands the
e-mail copy to an SMTP server (aiosmtpd, as the worker's own tests use), and the
resident reads the notice and follows its link to the ballot."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from participation.accounts import Identity, find_by_login
from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from participation.notices import MAIL_SUBJECT
from tests.browser.conftest import LiveServer, serve_live
from tests.browser.consultations.test_consultations import as_person
from tests.browser.kit.test_accessibility import serious
from tests.support.pg import free_port
from web.ops import jobs
from web.ops.worker import Outcome, run_once

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the notices told here stay out of other tests' inboxes."""
    with serve_live(tmp_path_factory.mktemp("notices")) as server:
        yield server


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _job(name: str) -> jobs.Job:
    return next(j for j in jobs.JOBS if j.name == name)


def test_a_ballot_opening_reaches_the_inbox_and_the_mail(
    browser: Browser, own_server: LiveServer
) -> None:
    engine = make_engine(own_server.db_url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        resident = find_by_login(s, "resident")
        assert resident is not None
        s.add(Identity(account_id=resident.id, provider="t", subject="r", email="wang@example.cn"))
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        box = create_box(
            s,
            NewBox(
                title="加装电梯表决",
                area=community,
                roll=Roll.RESIDENTS,
                opens_at=now - timedelta(minutes=1),
                closes_at=now + timedelta(days=5),
                form=BallotForm(FormKind.YES_NO),
                rule={"rule": "threshold", "base": "cast"},
                items=[NewItem("同意加装电梯")],
            ),
            None,
        )
        box_id = box.id

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = dataclasses.replace(own_server.settings, smtp_url=f"smtp://127.0.0.1:{port}")
        sessions = sessionmaker(engine)
        for name in ("notices-sweep", "send-mail"):
            assert run_once(_job(name), sessions, settings, now=now, worker="t") is Outcome.RAN
    finally:
        controller.stop()
        engine.dispose()
    to_wang = [m for m in mailbox.messages if m["To"] == "wang@example.cn"]
    assert [str(make_header(decode_header(m["Subject"]))) for m in to_wang][:1] == [MAIL_SUBJECT]

    page = as_person(browser, own_server.url, "resident")
    page.locator("nav a[href='/account/notices']").click()
    expect(page.get_by_role("heading", name="我的通知")).to_be_visible()
    notice = page.get_by_role("link", name="您可参加的投票已开始：加装电梯表决")
    expect(notice).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"
    assert serious(page) == []
    notice.click()
    page.wait_for_url(f"{own_server.url}/ballots/{box_id}")
    expect(page.get_by_role("heading", name="加装电梯表决")).to_be_visible()
