"""A third-party evaluation in the browser: an organization builds and opens it (bad
weights refused), a resident answers on a phone, the report is published, and the
responsible department responds with a rectification item that joins the plan."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.db import make_engine
from participation.organizations.registry import decide_organization, register_organization
from participation.plan.models import PlanItem
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer, sign_in

pytestmark = pytest.mark.browser
axe = Axe()


def serious(page: Page) -> list[str]:
    """axe-core violations of serious or critical impact on the page as it is now."""
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def evaluation_people(live_server: LiveServer) -> tuple[LiveServer, int]:
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        street = s.scalars(select(Area).where(Area.code == "S1")).one()
        community_id = s.scalars(select(Area.id).where(Area.code == "M1")).one()
        district = s.scalars(select(Area).where(Area.code == "D1")).one()
        org_admin = accounts.sign_up(
            s, login="evalorg", password=PASSWORD, display_name="评估社·李"
        )
        staff = accounts.sign_up(
            s, login="evalstaff", password=PASSWORD, display_name="区民政局·张"
        )
        accounts.grant_role(s, staff, Role.STAFF, district)
        org = register_organization(
            s,
            name="临江公共服务评估社",
            credit_code="52440101MJ0000009Q",
            area_id=street.id,
            description="",
            account_id=org_admin.id,
        )
        decide_organization(s, org, verified=True, staff_id=staff.id, now=datetime.now(UTC))
    engine.dispose()
    return live_server, community_id


def _no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_build_respond_publish_and_department_response(
    page: Page, browser: Browser, evaluation_people: tuple[LiveServer, int]
) -> None:
    server, community_id = evaluation_people
    base = server.url
    # Console errors, except the designed 422 answers (the favicon is served: no 404).
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "422" not in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, base, "evalorg")
    page.goto(f"{base}/evaluations/manage")
    page.fill("#f-title", "望江社区长者饭堂服务评估")
    page.select_option("#f-subject_kind", "service")
    page.fill("#f-subject", "望江社区长者饭堂")
    page.select_option("#f-department", "临江街道社会事务办")
    page.select_option("#f-area_id", str(community_id))
    page.fill("#f-conflict_declaration", "本社与长者饭堂运营方无利益关系。")
    page.get_by_role("button", name="创建评估").click()
    page.wait_for_url(re.compile(r"/evaluations/manage/\d+$"))
    evaluation_id = int(page.url.rsplit("/", 1)[1])

    page.fill("#f-indicators", "A | 饭菜质量 | 0.6\nB | 服务态度 | 0.3")
    page.get_by_role("button", name="保存指标").click()
    expect(page.locator("#f-indicators-error")).to_contain_text("一级指标权重之和为 0.9，而不是 1")
    assert serious(page) == []
    page.fill("#f-indicators", "A | 饭菜质量 | 0.6\nB | 服务态度 | 0.4")
    page.get_by_role("button", name="保存指标").click()
    expect(page.get_by_text("指标已保存。")).to_be_visible()

    page.fill("#f-text", "饭菜是否可口？")
    page.select_option("#f-indicator", "A")
    page.get_by_role("button", name="添加题目").click()
    page.fill("#f-text", "服务人员是否热情？")
    page.select_option("#f-kind", "single")
    page.select_option("#f-indicator", "B")
    page.fill("#f-options", "热情 = 100\n一般 = 50\n冷淡 = 0")
    page.get_by_role("button", name="添加题目").click()
    expect(page.locator("#questions li")).to_have_count(2)

    page.fill("#f-margin", "10")
    page.fill("#f-response_rate", "50")
    page.check("#dim-community")
    page.select_option("#f-weighting", "post-stratification")
    page.get_by_role("button", name="保存抽样方案").click()
    expect(page.locator("#sample-size")).to_be_visible()
    page.get_by_role("button", name="开始收集答卷").click()
    expect(page.locator("#evaluation-status")).to_contain_text("正在收集答卷")

    # A resident answers on a 375 px wide phone.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    mobile = phone.new_page()
    sign_in(mobile, base, "resident")
    mobile.goto(f"{base}/evaluations/{evaluation_id}")
    mobile.get_by_role("link", name="参与评议").click()
    mobile.wait_for_url(re.compile(rf"/evaluations/{evaluation_id}/respond"))
    mobile.wait_for_load_state("load")
    assert _no_horizontal_scroll(mobile)
    assert serious(mobile) == []
    mobile.get_by_role("button", name="提交答卷").click()  # nothing answered yet
    expect(mobile.locator("#q1-error")).to_be_visible()
    mobile.get_by_label("满意", exact=True).check()
    mobile.get_by_label("热情").check()
    mobile.get_by_role("button", name="提交答卷").click()
    expect(mobile.get_by_text("感谢参与")).to_be_visible()
    mobile.goto(f"{base}/evaluations/{evaluation_id}/respond")
    expect(mobile.get_by_text("您已经答过卷了")).to_be_visible()
    phone.close()

    page.goto(f"{base}/evaluations/manage/{evaluation_id}")
    page.get_by_role("button", name="结束收集").click()
    page.fill("#f-findings", "饭菜质量较好，服务态度有待提高。")
    page.get_by_role("button", name="计分并发布报告").click()
    page.goto(f"{base}/evaluations/{evaluation_id}")
    expect(page.locator("#overall-index")).to_have_text("85.0")  # 0.6 × 75 + 0.4 × 100
    expect(page.get_by_role("img", name=re.compile("各指标得分"))).to_be_visible()
    assert serious(page) == []

    # The responsible department answers; its rectification item joins the plan.
    department = browser.new_context(locale="zh-CN")
    desk = department.new_page()
    sign_in(desk, base, "evalstaff")
    desk.goto(f"{base}/evaluations/{evaluation_id}")
    desk.get_by_role("link", name="发布部门回应").click()
    assert serious(desk) == []
    desk.fill("#f-text", "接受评估结论，将开展服务礼仪培训。")
    desk.fill("#f-title_0", "饭堂服务人员礼仪培训")
    desk.fill("#f-due_0", "2027-06-30")
    desk.get_by_role("button", name="发布回应").click()
    expect(desk.locator("#department-response")).to_contain_text("服务礼仪培训")
    link = desk.locator("#rectifications a[href^='/plan/items/']")
    expect(link).to_have_count(1)
    department.close()
    engine = make_engine(server.db_url)
    with Session(engine) as s:
        item = s.scalars(select(PlanItem).where(PlanItem.source_kind == "rectification")).one()
        assert item.title == "整改：饭堂服务人员礼仪培训"
    engine.dispose()
    assert problems == [], problems
