"""Every main page at phone width (375 px), in the standard and the age-friendly
mode (and that in English too): the document never scrolls sideways, no table
scrolls sideways inside the page, and no table cell is squeezed narrower than a
few characters (wide tables turn into one card per row instead)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, ViewportSize
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.db import make_engine
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.sources import SourceKind
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.volunteers.volunteering import team_with_shift

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 375, "height": 800}
#: A table cell holding four or more characters is at least this wide (CSS px):
#: about four characters of the standard type, so nothing wraps a character a line.
NARROWEST_CELL = 56
YEAR = date.today().year + 6  # a plan of its own on the shared server

PUBLIC = [
    "/",
    "/login",
    "/signup",
    "/areas",
    "/areas/1",
    "/ballots",
    "/ballots/1",
    "/ballots/2",
    "/consultations",
    "/evaluations",
    "/budgets",
    "/livelihood",
    f"/plan?year={YEAR}",
    "/volunteers",
    "/requests",
    "/requests/board",
    "/requests/hotspots",
]
ADMIN = [
    "/account",
    "/admin",
    "/admin/areas",
    "/admin/accounts",
    "/admin/accounts/1",
    "/admin/audit",
    "/admin/rolls",
    "/admin/verify",
    "/admin/congresses",
    "/admin/ballots",
    "/admin/ballots/1",
    "/admin/consultations",
    "/admin/departments",
    "/admin/plan",
    "/admin/plan/rollup",
    "/admin/budgets",
    "/admin/livelihood",
    "/admin/organizations",
    "/admin/volunteers",
    "/admin/volunteers/stars",
    "/admin/requests",
    "/admin/requests/routing",
    "/admin/requests/grids",
    "/admin/requests/members",
    "/evaluations/manage",
    "/volunteers/me",
]

# What does not fit a phone: how far the document scrolls sideways, the tables
# (or their wrappers) that scroll sideways inside the page, and the visible cells
# of four or more characters squeezed narrower than NARROWEST_CELL.
MISFITS = """(narrowest) => {
  const doc = document.scrollingElement;
  const found = [];
  if (doc.scrollWidth > window.innerWidth) found.push(`page ${doc.scrollWidth}px wide`);
  for (const table of document.querySelectorAll("main table")) {
    for (const box of [table, table.parentElement]) {
      if (box.scrollWidth > box.clientWidth + 1)
        found.push(`table ${table.id || table.className || "?"} scrolls ${box.scrollWidth}px`);
    }
  }
  for (const cell of document.querySelectorAll("main td, main th")) {
    const head = cell.closest("thead");
    if (head && head.getBoundingClientRect().width <= 1) continue;  // read aloud only
    const rect = cell.getBoundingClientRect();
    const text = cell.innerText.trim();
    if (rect.width > 0 && text.length >= 4 && rect.width < narrowest)
      found.push(`cell "${text.slice(0, 16)}" ${Math.round(rect.width)}px`);
  }
  return [...new Set(found)];
}"""


@pytest.fixture(scope="module")
def shift_pages(live_server: LiveServer) -> Iterator[list[str]]:
    """Rows for the volunteer tables and the plan board; the leader's two pages."""
    team_id, shift_id, _, leader = team_with_shift(
        live_server, timedelta(minutes=-30), capacity=4, helpers=2
    )
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        receive_item(
            s,
            ItemFromSource(
                area_id=community.id,
                year=YEAR,
                title="社区长者食堂适老化改造",
                source_kind=SourceKind.CONSULTATION,
                source_ref="consultation:phone-pages",
                source_id=None,
                owner_department="东湖区民政局",
                budget_yuan=120_000,
                starts_on=date(YEAR, 3, 1),
                due_on=date(YEAR, 9, 30),
            ),
            actor_id=None,
        )
    engine.dispose()
    yield [leader, f"/lead/teams/{team_id}", f"/lead/shifts/{shift_id}"]


#: (display, language): both modes in Chinese, and the larger type with English's
#: longer words.
MODES = [("standard", "zh_CN"), ("age-friendly", "zh_CN"), ("age-friendly", "en")]
MODE_IDS = ["standard", "age-friendly", "age-friendly-en"]


def phone(browser: Browser, base: str, mode: tuple[str, str]) -> Page:
    display, lang = mode
    context = browser.new_context(locale=lang.replace("_", "-"), viewport=PHONE)
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    if display == "age-friendly":
        context.add_cookies([{"name": "display", "value": display, "url": base}])
    return context.new_page()


def misfits(page: Page, base: str, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        page.goto(base + path)
        if problems := page.evaluate(MISFITS, NARROWEST_CELL):
            found[path] = problems
    return found


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_public_pages_fit_a_phone(
    browser: Browser, live_server: LiveServer, shift_pages: list[str], mode: tuple[str, str]
) -> None:
    page = phone(browser, live_server.url, mode)
    assert misfits(page, live_server.url, PUBLIC) == {}
    page.context.close()


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_back_office_pages_fit_a_phone(
    browser: Browser, live_server: LiveServer, shift_pages: list[str], mode: tuple[str, str]
) -> None:
    page = phone(browser, live_server.url, mode)
    sign_in(page, live_server.url, "admin")
    assert misfits(page, live_server.url, ADMIN) == {}
    page.context.close()


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
def test_a_team_leaders_pages_fit_a_phone(
    browser: Browser, live_server: LiveServer, shift_pages: list[str], mode: tuple[str, str]
) -> None:
    leader, *paths = shift_pages
    page = phone(browser, live_server.url, mode)
    sign_in(page, live_server.url, leader)
    assert misfits(page, live_server.url, paths) == {}
    page.context.close()
