"""The portal served by uvicorn on 127.0.0.1, driven by Debian's chromium via Playwright."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import create_area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.casting import cast_ballot
from participation.ballots.closing import publish
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from participation.rolls import RollEntry
from participation.rules.areas import AreaKind
from participation.rules.identity import id_hash
from participation.rules.permissions import Role
from tests.support.departments import add_departments
from tests.support.people import person
from tests.support.pg import free_port
from tests.support.servers import HANG_GUARD_SECONDS
from web.app import create_app
from web.migrate import upgrade
from web.settings import Settings

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse"


class LiveServer:
    def __init__(self, url: str, db_url: str, settings: Settings) -> None:
        self.url = url
        self.db_url = db_url
        self.settings = settings


def seed(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="C1", name="海澄市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D1", name="东湖区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S1", name="临江街道", kind=AreaKind.STREET, parent=district)
        community = create_area(
            s, code="M1", name="望江社区", kind=AreaKind.COMMUNITY, parent=street
        )
        create_area(s, code="G1", name="望江社区第1网格", kind=AreaKind.GRID, parent=community)
        add_departments(s)
        for n in range(20):
            name, number, born = person(n)
            s.add(
                RollEntry(
                    community_id=community.id,
                    name=name,
                    id_hash=id_hash(settings.id_hash_key.encode(), number),
                    birth_date=born,
                    household_code=f"H{n}",
                )
            )
        admin = accounts.sign_up(s, login="admin", password=PASSWORD, display_name="管理员")
        accounts.grant_role(s, admin, Role.ADMIN, None)
        worker = accounts.sign_up(s, login="worker", password=PASSWORD, display_name="社区工作者")
        accounts.grant_role(s, worker, Role.COMMUNITY_WORKER, community)
        resident = accounts.sign_up(s, login="resident", password=PASSWORD, display_name="王居民")
        entry = RollEntry(
            community_id=community.id,
            name="王居民",
            id_hash=id_hash(settings.id_hash_key.encode(), person(999)[1]),
            birth_date=date(1970, 1, 1),
            household_code="HX",
            account_id=resident.id,
        )
        s.add(entry)
        accounts.grant_role(s, resident, Role.RESIDENT, community)
        now = datetime.now(UTC)
        create_box(
            s,
            NewBox(
                title="望江社区微实事投票",
                # The street's pool: 望江社区's own budget vote is the one its round
                # opens in test_projects (an area runs one budget vote at a time).
                area=street,
                roll=Roll.RESIDENTS,
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=7),
                form=BallotForm(FormKind.BUDGET, min_choices=1, budget=100_000),
                rule={"rule": "mes-add1-greedy", "budget": 100_000},
                items=[
                    NewItem("长者饭堂", 60_000),
                    NewItem("儿童乐园", 50_000),
                    NewItem("路灯改造", 30_000),
                ],
            ),
            None,
        )
        closed = create_box(
            s,
            NewBox(
                title="已结束的表决",
                area=community,
                roll=Roll.RESIDENTS,
                opens_at=now - timedelta(days=9),
                closes_at=now - timedelta(days=1),
                form=BallotForm(FormKind.YES_NO),
                rule={"rule": "threshold", "base": "cast"},
                items=[NewItem("增设快递柜"), NewItem("延长开放时间")],
            ),
            None,
        )
        cast_ballot(
            s, closed, resident.id, {"choices": {"1": "yes", "2": "no"}}, now - timedelta(days=5)
        )
        publish(s, closed, now)
    engine.dispose()


@contextlib.contextmanager
def serve_live(directory: Path, **overrides: Any) -> Iterator[LiveServer]:
    """A seeded portal on a free port of 127.0.0.1, in a thread, with its own database
    (``overrides``: more settings, e.g. an SMS provider)."""
    db_url = f"sqlite:///{directory / 'live.db'}"
    upgrade(db_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        environment="test", database_url=db_url, base_url=url, cheap_hashing=True, **overrides
    )
    seed(settings)
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while not server.started:
        assert time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.05)
    yield LiveServer(url, db_url, settings)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_live(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(locale="zh-CN")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def problems(page: Page) -> list[str]:
    """Console errors and CSP violations seen by the page (should stay empty)."""
    seen: list[str] = []
    # A form answered with 422 is the design (errors beside fields), not a fault.
    expected = ("status of 422", "status of 429")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not any(e in message.text for e in expected):
            seen.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def sign_in(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#f-login", login)
    page.fill("#f-password", PASSWORD)
    page.click("form#login_form button[type=submit]")
    page.wait_for_url(f"{base}/account")
