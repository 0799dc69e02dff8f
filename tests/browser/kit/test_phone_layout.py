"""At phone width (375 px) the pages a new user found broken fit the screen: the
document never scrolls sideways (a long meeting link wraps), and names on the
volunteer roster, the shift's attendance and the plan board stay on one line
instead of being squeezed to one character a line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, ViewportSize
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations import meetings, topics
from participation.accounts import find_by_login
from participation.areas import Area
from participation.db import make_engine
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.sources import SourceKind
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.volunteers.volunteering import team_with_shift
from volunteers import signups, teams
from volunteers.models import Team

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 375, "height": 800}
LONG_LINK = (
    "https://meeting.example.cn/j/chunhui-community-parking-deliberation-2027?pwd=Xk29fQ7LmZ"
)
DEPARTMENT = "东湖区住房和城乡建设局"
YEAR = date.today().year + 5  # a plan of its own on the shared server


@dataclass
class Pages:
    consultation: int
    team: int
    shift: int
    leader: str
    names: list[str]


@pytest.fixture(scope="module")
def pages(live_server: LiveServer) -> Iterator[Pages]:
    # A shift that started half an hour ago: its roster carries the attendance forms.
    team_id, shift_id, logins, leader = team_with_shift(
        live_server, timedelta(minutes=-30), capacity=4, helpers=3
    )
    engine = make_engine(live_server.db_url)
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        team = s.get(Team, team_id)
        assert team is not None
        names = []
        for login in logins:
            account = find_by_login(s, login)
            assert account is not None
            teams.join(s, team, account.id)
            signups.sign_up(s, shift_id, account.id, now - timedelta(days=1))
            names.append(account.display_name)
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        resident, worker = find_by_login(s, "resident"), find_by_login(s, "worker")
        assert resident is not None and worker is not None
        topic = topics.propose_topic(
            s,
            area=community,
            title="春晖小区停车难",
            body="",
            source="resident",
            proposer_id=resident.id,
        )
        topic.status = "accepted"
        consultation = meetings.announce(
            s,
            topic,
            meetings.Announcement(
                title="春晖小区停车协商会",
                agenda="讨论停车位分配方案",
                materials="",
                place="社区议事厅",
                online_link=LONG_LINK,
                meets_at=now + timedelta(days=5),
                deliberation_opens_at=now - timedelta(days=1),
                deliberation_closes_at=now + timedelta(days=10),
            ),
            worker.id,
            now,
        )
        receive_item(
            s,
            ItemFromSource(
                area_id=community.id,
                year=YEAR,
                title="老旧小区雨污分流改造",
                source_kind=SourceKind.CONSULTATION,
                source_ref="consultation:phone-layout",
                source_id=consultation.id,
                owner_department=DEPARTMENT,
                budget_yuan=450_000,
                starts_on=date(YEAR, 3, 1),
                due_on=date(YEAR, 10, 31),
            ),
            actor_id=None,
        )
        made = Pages(consultation.id, team_id, shift_id, leader, names)
    engine.dispose()
    yield made


def phone(browser: Browser, base: str, login: str | None = None) -> Page:
    page = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
    if login:
        sign_in(page, base, login)
    return page


def sideways(page: Page) -> int:
    """How far the document scrolls sideways, in CSS pixels (0 when it fits)."""
    return int(
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


# Every visible text node in <main>: its trimmed text, the number of lines it is laid
# out on, and whether it sits in a heading clipped to one pixel for screen readers.
TEXT_LINES = """() => {
  const main = document.querySelector("main");
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    const tops = new Set(rects.map((r) => Math.round(r.top)));
    const clipped = node.parentElement.closest(".visually-hidden, table.stack thead") !== null;
    if (tops.size) found.push([node.data.trim(), tops.size, clipped]);
  }
  return found;
}"""


def text_lines(page: Page) -> list[tuple[str, int, bool]]:
    return [(str(text), int(top), bool(wraps)) for text, top, wraps in page.evaluate(TEXT_LINES)]


def lines_of(page: Page, text: str) -> list[int]:
    """The number of lines each visible occurrence of ``text`` (a whole text node's
    trimmed content) inside <main> is laid out on."""
    return [lines for found, lines, _ in text_lines(page) if found == text]


def squeezed(page: Page) -> list[str]:
    """Visible texts in <main> of four or more characters laid out one character a line."""
    return [
        text
        for text, lines, clipped in text_lines(page)
        if len(text) >= 4 and lines >= len(text) and not clipped
    ]


def test_a_consultation_with_a_long_meeting_link_fits_a_phone(
    browser: Browser, live_server: LiveServer, pages: Pages
) -> None:
    page = phone(browser, live_server.url)
    page.goto(f"{live_server.url}/consultations/{pages.consultation}")
    assert page.get_by_text(LONG_LINK).count() >= 1
    assert sideways(page) == 0
    assert squeezed(page) == []
    page.context.close()


def test_the_team_roster_keeps_names_on_one_line_on_a_phone(
    browser: Browser, live_server: LiveServer, pages: Pages
) -> None:
    page = phone(browser, live_server.url, pages.leader)
    page.goto(f"{live_server.url}/lead/teams/{pages.team}")
    assert sideways(page) == 0
    assert squeezed(page) == []
    for name in pages.names:
        assert lines_of(page, name) == [1], name
    page.context.close()


def test_the_shift_attendance_keeps_names_on_one_line_on_a_phone(
    browser: Browser, live_server: LiveServer, pages: Pages
) -> None:
    page = phone(browser, live_server.url, pages.leader)
    page.goto(f"{live_server.url}/lead/shifts/{pages.shift}")
    assert sideways(page) == 0
    assert squeezed(page) == []
    for name in pages.names:
        assert lines_of(page, name) == [1], name
    page.context.close()


def test_the_plan_board_keeps_names_on_one_line_on_a_phone(
    browser: Browser, live_server: LiveServer, pages: Pages
) -> None:
    page = phone(browser, live_server.url)
    page.goto(f"{live_server.url}/plan?year={YEAR}")
    assert sideways(page) == 0
    assert squeezed(page) == []
    assert lines_of(page, DEPARTMENT) and set(lines_of(page, DEPARTMENT)) == {1}
    assert lines_of(page, "望江社区") and set(lines_of(page, "望江社区")) == {1}
    page.context.close()
