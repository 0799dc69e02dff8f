"""Panel review in the browser: a member recuses from one project and scores another;
the public tally, open in another window, updates itself (htmx polling)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations.evaluations import panels
from participation import accounts
from participation.areas import Area
from participation.db import make_engine
from participation.organizations.registry import decide_organization, register_organization
from tests.browser.conftest import PASSWORD, LiveServer, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def panel_id(live_server: LiveServer) -> int:
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        street = s.scalars(select(Area).where(Area.code == "S1")).one()
        owner = accounts.sign_up(s, login="panelorg", password=PASSWORD, display_name="促进会·陈")
        accounts.sign_up(s, login="panelexpert", password=PASSWORD, display_name="专家·刘")
        accounts.sign_up(s, login="panelpublic", password=PASSWORD, display_name="居民评审·王")
        org = register_organization(
            s,
            name="临江社区发展促进会",
            credit_code="52440101MJ0000010R",
            area_id=street.id,
            description="",
            account_id=owner.id,
        )
        decide_organization(s, org, verified=True, staff_id=owner.id, now=datetime.now(UTC))
        panel = panels.create_panel(
            s,
            org,
            title="微实事项目验收评审",
            area_id=street.id,
            expert_weight="0.6",
            description="",
            actor_id=owner.id,
        )
        for title in ("长者饭堂", "路灯改造"):
            panels.add_project(s, panel, title, "望江社区居委会", owner.id)
        panels.add_panel_member(s, panel, "panelexpert", "expert", owner.id)
        panels.add_panel_member(s, panel, "panelpublic", "public", owner.id)
        panels.draw(s, panel, owner.id, datetime.now(UTC))
        panels.open_scoring(s, panel, owner.id)
        found = panel.id
    engine.dispose()
    return found


def test_scores_appear_on_the_live_tally(
    page: Page, browser: Browser, live_server: LiveServer, panel_id: int
) -> None:
    base = live_server.url
    page.goto(f"{base}/panels/{panel_id}")
    table = page.get_by_role("table", name="按综合得分排名")
    expect(table).to_be_visible()
    expect(page.locator("code").first).to_have_text(re.compile(r"^[0-9a-f]{32}$"))

    member = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    phone = member.new_page()
    sign_in(phone, base, "panelexpert")
    phone.goto(f"{base}/panels/{panel_id}/score")
    sections = phone.locator("section.question")
    expect(sections).to_have_count(2)
    first, second = sections.nth(0), sections.nth(1)
    first.get_by_label("利益冲突").fill("本人参与过该项目设计")
    first.get_by_role("button", name="申请回避").click()
    expect(phone.locator("section.question").nth(0)).to_contain_text("您已回避该项目")
    second = phone.locator("section.question").nth(1)
    second.get_by_label("评分（0–100）").fill("101")
    second.get_by_role("button", name="提交评分").click()
    expect(phone.get_by_role("alert")).to_contain_text("0 至 100")
    phone.locator("section.question").nth(1).get_by_label("评分（0–100）").fill("86")
    phone.locator("section.question").nth(1).get_by_role("button", name="提交评分").click()
    expect(phone.locator("section.question").nth(1)).to_contain_text("您的评分：86")
    member.close()

    # No reload: the tally block refreshes itself every five seconds.
    expect(table).to_contain_text("86.0", timeout=12_000)
    expect(page.get_by_text("因申报利益冲突回避 1 次。")).to_be_visible()
