"""Electing a community's deliberation representatives in a real browser at phone
width: sign-up, the candidates' public notice, the election through the ballot
engine, and the published roster. The clock of a record is moved in the database
where the journey would wait (the end of the notice, the close of the vote)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations.models import RepresentativeTerm, RosterEntry
from participation import accounts
from participation.areas import Area
from participation.ballots.models import BallotBox
from participation.db import make_engine
from participation.rolls import RollEntry
from tests.browser.conftest import PASSWORD, LiveServer
from tests.browser.consultations.test_consultations import as_person, local, move
from tests.browser.consultations.test_consultations import own_server as consultation_server
from tests.browser.kit.test_accessibility import serious

pytestmark = pytest.mark.browser
own_server = consultation_server  # a server of this module's own, seeded the same way
CANDIDATES = {"cand0": "甲候选人", "cand1": "乙候选人", "cand2": "丙候选人"}


@pytest.fixture
def candidates(own_server: LiveServer) -> Iterator[None]:
    """Three verified residents of 望江社区 who will stand."""
    engine = make_engine(own_server.db_url)
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        for n, (login, name) in enumerate(CANDIDATES.items()):
            account = accounts.sign_up(s, login=login, password=PASSWORD, display_name=name)
            s.add(
                RollEntry(
                    community_id=community.id,
                    name=name,
                    id_hash=f"{n + 1:x}" * 64,
                    birth_date=date(1980, 1, 1 + n),
                    household_code=f"HC{n}",
                    account_id=account.id,
                )
            )
    engine.dispose()
    yield


def fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"


def test_representatives_are_elected_and_the_roster_published_at_phone_width(
    browser: Browser, own_server: LiveServer, candidates: None
) -> None:
    base = own_server.url
    now = datetime.now(UTC)
    worker = as_person(browser, base, "worker")
    worker.goto(f"{base}/admin/consultations")
    new_term = worker.locator("form[action='/admin/consultations/terms']")
    new_term.get_by_label("标题", exact=True).fill("望江社区第二届议事代表")
    new_term.get_by_label("席位数", exact=True).fill("2")
    new_term.get_by_label("开始日期", exact=True).fill(str(now.date() - timedelta(days=1)))
    new_term.get_by_label("结束日期", exact=True).fill(str(now.date() + timedelta(days=700)))
    new_term.get_by_role("button", name="开始候选人报名", exact=True).click()
    worker.wait_for_url(re.compile(r"/consultations/terms/\d+$"))
    term_id = int(worker.url.rsplit("/", 1)[1])
    term_url = f"{base}/consultations/terms/{term_id}"

    # Sign-up: each candidate states why they stand; the page lists them.
    people: dict[str, Page] = {}
    for login, name in CANDIDATES.items():
        page = people[login] = as_person(browser, base, login)
        page.goto(term_url)
        page.get_by_label("参选宣言（向选民公开）", exact=True).fill(f"{name}愿为邻里服务。")
        page.get_by_role("button", name="报名参选", exact=True).click()
        expect(page.get_by_text("您已报名成为候选人。")).to_be_visible()
    fits_a_phone(people["cand2"])

    # The candidates' public notice.
    worker.goto(f"{base}/admin/consultations")
    card = worker.locator("details", has_text="望江社区第二届议事代表")
    card.locator("summary").click()
    card.get_by_label("候选人公示截止时间", exact=True).fill(local(now + timedelta(days=5)))
    card.get_by_role("button", name="公示候选人", exact=True).click()
    resident = as_person(browser, base, "resident")
    resident.goto(term_url)
    expect(resident.get_by_text(re.compile("候选人名单公示至"))).to_be_visible()
    for name in CANDIDATES.values():
        expect(resident.get_by_text(f"{name}愿为邻里服务。")).to_be_visible()
    expect(resident.get_by_role("button", name="报名参选")).to_have_count(0)  # sign-up closed

    # The notice ends; the election opens through the ballot engine.
    move(own_server, RepresentativeTerm, term_id, notice_until=now - timedelta(minutes=10))
    worker.goto(f"{base}/admin/consultations")
    card = worker.locator("details", has_text="望江社区第二届议事代表")
    card.locator("summary").click()
    card.get_by_label("投票开始", exact=True).fill(local(now - timedelta(minutes=5)))
    card.get_by_label("投票截止", exact=True).fill(local(now + timedelta(hours=1)))
    card.get_by_role("button", name="开始选举", exact=True).click()
    resident.goto(term_url)
    resident.get_by_role("link", name="选举投票与结果", exact=True).click()
    box_url = resident.url
    box_id = int(box_url.rsplit("/", 1)[1])

    ballots = {
        "resident": ["甲候选人", "乙候选人"],
        "cand0": ["甲候选人", "乙候选人"],
        "cand1": ["甲候选人"],
        "cand2": ["丙候选人"],
    }
    for login, choices in ballots.items():
        voter = resident if login == "resident" else people[login]
        voter.goto(box_url)
        for name in choices:
            voter.get_by_label(name, exact=True).check()
        voter.get_by_role("button", name="投出我的选票", exact=True).click()
        expect(voter.locator(".receipt code")).to_be_visible()
    fits_a_phone(resident)

    # Close, publish, seat the elected: the roster is public.
    move(own_server, BallotBox, box_id, closes_at=datetime.now(UTC) - timedelta(seconds=1))
    worker.goto(f"{base}/admin/ballots/{box_id}")
    worker.locator(f"form[action='/admin/ballots/{box_id}/publish'] button").click()
    worker.goto(f"{base}/admin/consultations")
    card = worker.locator("details", has_text="望江社区第二届议事代表")
    card.locator("summary").click()
    card.get_by_role("button", name="确认当选人就任", exact=True).click()

    anonymous = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})
    public = anonymous.new_page()
    public.goto(term_url)
    roster = public.locator("section", has=public.get_by_role("heading", name="代表名单"))
    expect(roster.locator("tbody tr")).to_have_count(2)
    expect(roster).to_contain_text("甲候选人")
    expect(roster).to_contain_text("乙候选人")
    expect(roster).not_to_contain_text("丙候选人")
    fits_a_phone(public)
    assert serious(public) == []

    engine = make_engine(own_server.db_url)
    with Session(engine) as s:
        seated = s.scalars(
            select(RosterEntry.public_name).where(RosterEntry.term_id == term_id)
        ).all()
        term = s.get(RepresentativeTerm, term_id)
        assert term is not None and term.status == "seated"
    engine.dispose()
    assert sorted(seated) == ["乙候选人", "甲候选人"]
