"""Resident requests in a real browser on a 375 px phone, with JavaScript off: a resident
files and follows by number; a grid worker files for a resident; the unit accepts,
transfers it to the grid's office, which accepts, handles and proposes closure; the
requester rejects once, then confirms; a dissatisfied return visit reopens it under
supervision."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.db import make_engine
from participation.requests import routing
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer, sign_in

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def places(live_server: LiveServer) -> dict[str, int]:
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        district = s.scalars(select(Area).where(Area.code == "D1")).one()
        grid = s.scalars(select(Area).where(Area.code == "G1")).one()
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        routing.add_rule(
            s, routing.NewRule("environment", district.id, "any", "community", None), None
        )
        worker = accounts.sign_up(s, login="rqgrid", password=PASSWORD, display_name="网格员")
        accounts.grant_role(s, worker, Role.GRID_WORKER, grid)
        unit = accounts.sign_up(s, login="rqunit", password=PASSWORD, display_name="承办人")
        accounts.grant_role(s, unit, Role.UNIT_STAFF, community)
        ids = {"grid": grid.id}
    engine.dispose()
    return ids


def phone(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    return context, context.new_page()


def test_a_request_from_filing_to_a_dissatisfied_return_visit(
    browser: Browser, live_server: LiveServer, places: dict[str, int]
) -> None:
    base = live_server.url
    resident_ctx, resident = phone(browser)
    sign_in(resident, base, "resident")
    resident.goto(f"{base}/requests/new")
    resident.select_option("#f-category", "environment")
    resident.fill("#f-description", "小区东门垃圾堆积三天")
    resident.select_option("#f-area_id", str(places["grid"]))
    resident.click("form[action='/requests/new'] button[type=submit]")
    expect(resident.locator("h1")).to_have_text("诉求已提交")
    number = resident.locator("#tracking-number").inner_text()
    secret = resident.locator("#tracking-secret").inner_text()

    # Anyone with the number and secret follows it, without signing in.
    stranger_ctx, stranger = phone(browser)
    stranger.goto(f"{base}/requests/track")
    stranger.fill("#f-number", number)
    stranger.fill("#f-secret", "WRONG234")
    stranger.click("form[action='/requests/track'] button[type=submit]")
    expect(stranger.locator(".error-summary")).to_contain_text("没有与该受理编号和查询码相符的诉求")
    stranger.fill("#f-number", number)
    stranger.fill("#f-secret", secret.lower())
    stranger.click("form[action='/requests/track'] button[type=submit]")
    expect(stranger.locator("#request-status")).to_contain_text("待承办单位受理")
    expect(stranger.locator("#timeline")).to_contain_text("已分流至承办单位")
    assert secret not in stranger.url and secret.lower() not in stranger.url

    # A grid worker files for a resident from the phone.
    grid_ctx, grid = phone(browser)
    sign_in(grid, base, "rqgrid")
    grid.goto(f"{base}/requests/assist")
    grid.select_option("#f-channel", "assisted")
    grid.fill("#f-requester_name", "李阿姨")
    grid.select_option("#f-category", "environment")
    grid.fill("#f-description", "楼道堆放杂物")
    grid.select_option("#f-area_id", str(places["grid"]))
    grid.click("form[action='/requests/assist'] button[type=submit]")
    expect(grid.locator("h1")).to_have_text("诉求已提交")

    # The unit accepts, records what it did, replies and proposes closure.
    unit_ctx, unit = phone(browser)
    sign_in(unit, base, "rqunit")
    unit.goto(f"{base}/admin/requests")
    unit.get_by_role("link", name=number).click()
    unit.click("#accept button:has-text('受理')")
    expect(unit.locator("p.flash")).to_contain_text("诉求已受理")
    # It transfers it (流转) to the grid's own office, which accepts it in turn.
    unit.select_option("#f-unit-transfer", f"a:{places['grid']}")
    unit.fill("#f-transfer-reason", "由网格就近处理")
    unit.click("#transfer button[type=submit]")
    expect(unit.locator("p.flash")).to_contain_text("诉求已流转")
    expect(unit.locator("#timeline")).to_contain_text("已流转至其他单位")
    unit.click("#accept button:has-text('受理')")
    expect(unit.locator("p.flash")).to_contain_text("诉求已受理")
    unit.fill("#f-note", "已派保洁员清运")
    unit.fill("#f-minutes", "40")
    unit.click("#record button[value=action]")
    unit.fill("#f-result", "垃圾已清运完毕")
    unit.click("#propose button:has-text('申请办结')")
    expect(unit.locator("#request-status")).to_contain_text("已申请办结")

    # The requester rejects once (reopened), then confirms the second proposal.
    stranger.goto(f"{base}/requests/track")
    stranger.fill("#f-number", number)
    stranger.fill("#f-secret", secret)
    stranger.click("form[action='/requests/track'] button[type=submit]")
    stranger.fill("#f-reason", "东门还有一堆没清")
    stranger.click("#answer-form button[value=reject]")
    expect(stranger.locator("#request-status")).to_contain_text("办理中")
    assert secret not in stranger.url
    unit.reload()
    unit.fill("#f-result", "全部清运完毕")
    unit.click("#propose button:has-text('申请办结')")
    resident.goto(f"{base}/requests/mine")
    resident.get_by_role("link", name=number).click()
    resident.click("#answer-form button[value=confirm]")
    expect(resident.locator("#request-status")).to_contain_text("已办结")

    # A dissatisfied return visit reopens it under supervision.
    resident.check("input[name=rating][value=dissatisfied]")
    resident.fill("#f-comment", "异味还在")
    resident.click("#visit-form button[type=submit]")
    expect(resident.locator("#request-status")).to_contain_text("督办中")
    expect(resident.locator("#timeline")).to_contain_text("回访：不满意")
    for p in (resident, stranger, grid, unit):
        assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for ctx in (resident_ctx, stranger_ctx, grid_ctx, unit_ctx):
        ctx.close()


def test_the_back_office_pages_fit_a_phone(
    browser: Browser, live_server: LiveServer, places: dict[str, int]
) -> None:
    context, page = phone(browser)
    sign_in(page, live_server.url, "worker")  # a community worker: files, routes, handles
    for path in (
        "/requests",
        "/requests/new",
        "/requests/assist",
        "/requests/track",
        "/requests/mine",
        "/admin/requests",
        "/admin/requests/routing",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
    context.close()
