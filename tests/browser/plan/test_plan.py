"""The governance plan in a real browser: a resolution becomes an item, its owner posts
progress, a deputy records a visit, the board shows it, the year end carries it over."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.db import make_engine
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.sources import SourceKind
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer, sign_in

# One journey in file order (make test distributes whole files, --dist loadfile): the
# roll-up carries over the progress that the owner posted in the first test.
pytestmark = pytest.mark.browser
YEAR = date.today().year - 3  # a plan of its own, so rolling it up touches nothing else


@pytest.fixture(scope="module")
def resolution_item(live_server: LiveServer) -> int:
    """A final consultation resolution handed to the plan, as the consultation process does."""
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        owner = accounts.sign_up(s, login="planowner", password=PASSWORD, display_name="住建局·李")
        deputy = accounts.sign_up(s, login="plandeputy", password=PASSWORD, display_name="代表·陈")
        accounts.grant_role(s, deputy, Role.DEPUTY, community)
        item = receive_item(
            s,
            ItemFromSource(
                area_id=community.id,
                year=YEAR,
                title="楼道电动车充电棚",
                source_kind=SourceKind.CONSULTATION,
                source_ref="consultation:browser-1",
                source_id=1,
                owner_department="住建局",
                owner_account_id=owner.id,
                budget_yuan=45_000,
                starts_on=date(YEAR, 3, 1),
                due_on=date(YEAR, 10, 31),
            ),
            actor_id=None,
        )
        item_id = item.id
    engine.dispose()
    return item_id


def test_owner_posts_progress_and_the_board_shows_it(
    page: Page, live_server: LiveServer, resolution_item: int, problems: list[str]
) -> None:
    base = live_server.url
    page.goto(f"{base}/plan?year={YEAR}")
    row = page.locator(f'tr[data-item="{resolution_item}"]')
    expect(row).to_contain_text("楼道电动车充电棚")
    expect(row).to_contain_text("社区协商")
    sign_in(page, base, "planowner")
    page.goto(f"{base}/plan/items/{resolution_item}")
    expect(page.locator("#source-link")).to_have_attribute("href", "/consultations/1")
    page.fill("#f-text", "完成选址公示，开始基础施工。")
    page.fill("#f-progress", "150")
    page.click("#update_form button[type=submit]")
    expect(page.locator("#f-progress-error")).to_be_visible()
    page.fill("#f-text", "完成选址公示，开始基础施工。")
    page.fill("#f-progress", "45")
    page.fill("#f-spend_yuan", "12000")
    page.click("#update_form button[type=submit]")
    expect(page.locator(".plan-update").first).to_contain_text("完成选址公示")
    expect(page.locator("#item-progress")).to_contain_text("45%")
    expect(page.locator("#item-spend")).to_contain_text("12,000")
    page.goto(f"{base}/plan?year={YEAR}")
    expect(page.locator(f'tr[data-item="{resolution_item}"]')).to_contain_text("45%")
    expect(page.locator("#chart-progress-table")).to_contain_text("25–49%")
    assert problems == []  # not even a 404: the portal answers /favicon.ico too


def test_a_deputy_records_a_visit(
    browser: Browser, live_server: LiveServer, resolution_item: int
) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "plandeputy")
    page.goto(f"{base}/plan/items/{resolution_item}")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    expect(page.locator("#update_form")).to_have_count(0)  # not the owner
    page.fill("#f-findings", "施工围挡不规范，已要求整改。")
    page.click("#visit_form button[type=submit]")
    expect(page.locator(".plan-visit").first).to_contain_text("施工围挡不规范")
    expect(page.locator(".plan-visit").first).to_contain_text("代表·陈")
    page.goto(f"{base}/plan?year={YEAR}")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    context.close()


def test_year_end_roll_up_carries_the_item_over(
    page: Page, live_server: LiveServer, resolution_item: int
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/plan?year={YEAR}")
    page.get_by_role("link", name="年终盘点").first.click()
    expect(page.locator(f'tr[data-item="{resolution_item}"] .outcome')).to_contain_text("延期")
    page.click("#rollup-year")
    expect(page.locator("#rolled-up")).to_be_visible()
    page.goto(f"{base}/plan/items/{resolution_item}")
    page.get_by_role("link", name="已结转至下一年度计划").click()
    expect(page.get_by_role("heading", name="楼道电动车充电棚")).to_be_visible()
    expect(page.locator("#source-link")).to_have_attribute("href", f"/plan/items/{resolution_item}")
    expect(page.locator("#item-progress")).to_contain_text("45%")


def test_plan_pages_have_no_serious_accessibility_violations(
    page: Page, live_server: LiveServer, resolution_item: int
) -> None:
    from tests.browser.kit.test_accessibility import serious

    base = live_server.url
    sign_in(page, base, "admin")
    found = {}
    for path in [
        f"/plan?year={YEAR}",
        f"/plan/items/{resolution_item}",
        f"/plan/items/{resolution_item + 1}",
        f"/admin/plan?year={YEAR}",
        f"/admin/plan/items/{resolution_item + 1}",
    ]:
        page.goto(base + path)
        if problems := serious(page):
            found[path] = problems
    assert found == {}
