"""A dispute becomes a mediation case with an agreement both parties confirm, in a real
browser on a 375 px phone with JavaScript off: the resident files a neighbour dispute,
it is routed to the community's mediation committee, the mediator opens the case,
records a session and the agreement and the other party's confirmation at the desk;
the resident reads the agreement signed in and confirms it; the request is closed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.db import make_engine
from participation.requests import routing, units
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer, sign_in

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def committee(live_server: LiveServer) -> dict[str, int]:
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        district = s.scalars(select(Area).where(Area.code == "D1")).one()
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        grid = s.scalars(select(Area).where(Area.code == "G1")).one()
        body = units.add_mediation_body(s, community, "一社区人民调解委员会", None)
        routing.add_rule(
            s, routing.NewRule("dispute", district.id, "any", "mediation", body.id), None
        )
        mediator = accounts.sign_up(
            s, login="rqmediator", password=PASSWORD, display_name="调解员老陈"
        )
        accounts.grant_role(s, mediator, Role.UNIT_STAFF, community)
        ids = {"grid": grid.id, "mediator": mediator.id}
    engine.dispose()
    return ids


def phone(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    return context, context.new_page()


def test_a_dispute_becomes_a_mediation_case_both_parties_confirm(
    browser: Browser, live_server: LiveServer, committee: dict[str, int]
) -> None:
    base = live_server.url
    resident_ctx, resident = phone(browser)
    sign_in(resident, base, "resident")
    resident.goto(f"{base}/requests/new")
    resident.select_option("#f-category", "dispute")
    resident.fill("#f-description", "楼上邻居深夜装修噪音扰民，多次沟通无果")
    resident.select_option("#f-area_id", str(committee["grid"]))
    resident.click("form[action='/requests/new'] button[type=submit]")
    expect(resident.locator("h1")).to_have_text("诉求已提交")
    number = resident.locator("#tracking-number").inner_text()

    mediator_ctx, mediator = phone(browser)
    sign_in(mediator, base, "rqmediator")
    mediator.goto(f"{base}/admin/requests")
    mediator.get_by_role("link", name=number).click()
    expect(mediator.locator("#mediation-open")).to_be_visible()
    mediator.fill("#f-requester_name", "王小明")
    mediator.fill("#f-other_name", "李大华")
    mediator.fill("#f-other_contact", "13900000009")
    mediator.click("#mediation-open button[type=submit]")
    expect(mediator.locator("#case-status")).to_have_text("正在调解")
    mediator.select_option("#f-mediator", str(committee["mediator"]))
    mediator.click("#assign button[type=submit]")
    expect(mediator.locator("#case-mediator")).to_have_text("调解员老陈")

    # A session in the future cannot be recorded as held.
    mediator.fill("#f-held_on", "2099-01-01")
    mediator.fill("#f-place", "一社区调解室")
    mediator.click("#session button[type=submit]")
    expect(mediator.locator("#f-held_on-error")).to_contain_text("未来的调解会不能记录为已举行")
    mediator.fill("#f-held_on", "2020-01-02")
    mediator.fill("#f-place", "一社区调解室")
    mediator.check("input[name=requester_present]")
    mediator.check("input[name=other_present]")
    mediator.click("#session button[type=submit]")
    expect(mediator.locator("#sessions")).to_contain_text("一社区调解室")

    # An agreement without text is refused; then it is recorded.
    mediator.click("#agree button[type=submit]")
    expect(mediator.locator(".error-summary")).to_contain_text("请填写调解协议的内容")
    mediator.fill("#f-agreement", "李大华每日 20:00 后不再施工，并修复损坏的吊顶。")
    mediator.click("#agree button[type=submit]")
    expect(mediator.locator("#case-status")).to_have_text("协议待双方确认")
    mediator.check("#desk-confirm input[name=side][value=other]")
    mediator.check("#desk-confirm input[name=way][value=fingerprint]")
    mediator.click("#desk-confirm button[type=submit]")
    expect(mediator.locator("#case-status")).to_have_text("协议待双方确认")

    # The resident reads the agreement signed in and confirms it.
    resident.goto(f"{base}/requests/mine")
    resident.get_by_role("link", name=number).click()
    expect(resident.locator("#mediation-state")).to_contain_text("协议待双方确认")
    resident.click("#mediation-state a")
    expect(resident.locator("#agreement-text")).to_contain_text("修复损坏的吊顶")
    resident.click("#confirm-form button[type=submit]")
    expect(resident.locator("#case-status")).to_have_text("已达成调解协议")
    resident.click("text=诉求的全部办理过程")
    expect(resident.locator("#request-status")).to_contain_text("经调解协议办结")
    expect(resident.locator("#timeline")).to_contain_text("调解成功：双方均已确认调解协议")
    expect(resident.locator("#timeline")).not_to_contain_text("李大华")
    for ctx in (resident_ctx, mediator_ctx):
        ctx.close()
