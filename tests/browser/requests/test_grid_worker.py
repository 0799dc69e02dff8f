"""A grid worker's own page on a 375 px phone with JavaScript off: their grids, the open
requests there with due dates, their own discoveries; then filing from the same phone,
only in the grids they were assigned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area, create_area
from participation.db import make_engine, utcnow
from participation.requests import grids, intake
from participation.requests.deadlines import local_day
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer, sign_in

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 375, "height": 740}


def test_a_grid_worker_sees_their_grids_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        grid = s.scalars(select(Area).where(Area.code == "G1")).one()
        unassigned = create_area(
            s, code="GWP2", name="未分配网格", kind=AreaKind.GRID, parent=community
        )
        worker = accounts.sign_up(s, login="gwpage", password=PASSWORD, display_name="网格员·周")
        accounts.grant_role(s, worker, Role.GRID_WORKER, community)
        today = local_day(utcnow())
        grids.assign(s, grid.id, worker.id, today - timedelta(days=10), None, None, None)
        intake.file_request(
            s,
            intake.NewRequest("roads", "巷口路面塌陷一处", grid.id, channel="patrol"),
            utcnow(),
            filer_id=worker.id,
            requester_id=None,
        )
        ids = {"grid": grid.id, "unassigned": unassigned.id}
        grid_name = grid.name
    engine.dispose()

    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "gwpage")
    page.goto(f"{live_server.url}/requests/grid")
    expect(page.locator("h1")).to_have_text("我的网格")
    expect(page.locator("#my-grids")).to_contain_text(grid_name)
    expect(page.locator("#open")).to_contain_text("我的网格里未办结的诉求")
    expect(page.locator("ul.cards").nth(1)).to_contain_text("巷口路面塌陷一处")
    expect(page.locator("#discoveries")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")

    page.click("text=代群众提交诉求")
    options = page.locator("#f-area_id option").evaluate_all("els => els.map(e => e.value)")
    assert str(ids["grid"]) in options and str(ids["unassigned"]) not in options
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    context.close()
