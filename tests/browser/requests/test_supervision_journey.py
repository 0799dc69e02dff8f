"""An overdue request escalating with supervision notices, on a 375 px phone with
JavaScript off. The worker's sweep runs on a controlled clock across the 2025 National
Day holiday and its make-up working Saturday (11 October): a reminder in the holiday,
a supervision notice to the community one working day late, nothing new on the worked
Saturday or the Sunday, the street told three working days late. The unit reads its
notices, the street its inbox, the requester sees 督办中 and each notice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.db import make_engine
from participation.requests import intake, routing, supervision
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer, sign_in

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 375, "height": 740}


def at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def phone(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    return context, context.new_page()


@pytest.fixture(scope="module")
def overdue(live_server: LiveServer) -> dict[str, str]:
    engine = make_engine(live_server.db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        district = s.scalars(select(Area).where(Area.code == "D1")).one()
        street = s.scalars(select(Area).where(Area.code == "S1")).one()
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        grid = s.scalars(select(Area).where(Area.code == "G1")).one()
        routing.add_rule(
            s, routing.NewRule("utilities", district.id, "any", "community", None), None
        )
        unit = accounts.sign_up(s, login="svunit", password=PASSWORD, display_name="社区承办人")
        accounts.grant_role(s, unit, Role.UNIT_STAFF, community)
        up = accounts.sign_up(s, login="svstreet", password=PASSWORD, display_name="街道督办员")
        accounts.grant_role(s, up, Role.UNIT_STAFF, street)
        resident = accounts.find_by_login(s, "resident")
        assert resident is not None
        filed = intake.file_request(
            s,
            intake.NewRequest(category="utilities", description="单元楼停水两天", area_id=grid.id),
            at(9, 30),
            filer_id=resident.id,
            requester_id=resident.id,
        )
    reports = {}
    for month, day in ((10, 7), (10, 10), (10, 11), (10, 12), (10, 13)):
        with Session(engine) as s, s.begin():
            reports[day] = supervision.sweep(s, at(month, day))
            assert supervision.sweep(s, at(month, day)).notices == 0  # twice: nothing twice
    engine.dispose()
    assert reports[7].reminders >= 1
    assert reports[11].notices == reports[12].notices == 0
    return {"number": filed.request.number, "id": str(filed.request.id)}


def test_an_overdue_request_escalates_with_supervision_notices(
    browser: Browser, live_server: LiveServer, overdue: dict[str, str]
) -> None:
    base, number = live_server.url, overdue["number"]
    unit_ctx, unit = phone(browser)
    sign_in(unit, base, "svunit")
    unit.goto(f"{base}/admin/requests/supervision")
    expect(unit.locator("h1")).to_have_text("督办单")
    item = unit.locator("#supervision-notices li", has_text=number).first
    expect(item).to_contain_text("已超期 1 个工作日")
    item.get_by_role("link", name=number).click()
    expect(unit.locator("#supervision")).to_contain_text("已升级至上级")
    expect(unit.locator("#request-status")).to_contain_text("督办中")

    street_ctx, street = phone(browser)
    sign_in(street, base, "svstreet")
    street.goto(f"{base}/account/notices")
    expect(street.locator("main")).to_contain_text(f"督办升级至贵单位：诉求 {number} 已超期")

    resident_ctx, resident = phone(browser)
    sign_in(resident, base, "resident")
    resident.goto(f"{base}/requests/mine/{overdue['id']}")
    expect(resident.locator("#request-status")).to_contain_text("督办中")
    timeline = resident.locator("#timeline")
    expect(timeline).to_contain_text("已向承办单位发出临期提醒")
    expect(timeline).to_contain_text("已向承办单位发出督办单")
    expect(timeline).to_contain_text("督办已升级至上级")
    for p in (unit, street, resident):
        assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for ctx in (unit_ctx, street_ctx, resident_ctx):
        ctx.close()
