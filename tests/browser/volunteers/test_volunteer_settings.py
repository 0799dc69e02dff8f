"""Volunteer settings in a real browser on a phone: a leader gives one activity
its own consent age, and the refusal a 15-year-old then meets names it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from participation import accounts
from participation.db import make_engine
from participation.rolls import RollEntry
from tests.browser.conftest import LiveServer
from tests.browser.volunteers.test_volunteers import person_page
from tests.browser.volunteers.volunteering import team_with_shift
from volunteers import signups

pytestmark = pytest.mark.browser


def test_leader_overrides_an_activitys_consent_age(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    _, shift_id, (teen,), leader_login = team_with_shift(
        live_server, timedelta(days=3), capacity=5, helpers=1
    )
    engine = make_engine(live_server.db_url)
    with Session(engine) as s, s.begin():
        ctx = signups.shift_context(s, shift_id)
        activity_id = ctx.activity.id
        account = accounts.find_by_login(s, teen)
        assert account is not None
        s.add(
            RollEntry(
                community_id=ctx.shift.area_id,
                name="少年",
                id_hash=f"teen{account.id:060d}",
                birth_date=ctx.shift.starts_at.date().replace(year=2011),  # 15 on the day
                household_code=f"T{account.id}",
                account_id=account.id,
            )
        )
    engine.dispose()

    leader = person_page(browser, base, leader_login)
    leader.goto(f"{base}/lead/activities/{activity_id}")
    consent = leader.get_by_label("需监护人同意的年龄（未满此周岁）")
    expect(consent).to_have_attribute("placeholder", "14")  # the team's setting
    consent.fill("16")
    leader.get_by_role("button", name="保存活动").click()
    expect(leader.get_by_text("活动已保存")).to_be_visible()
    expect(leader.get_by_label("需监护人同意的年龄（未满此周岁）")).to_have_value("16")
    assert leader.evaluate("document.documentElement.scrollWidth") <= 375
    leader.context.close()

    volunteer = person_page(browser, base, teen)
    volunteer.goto(f"{base}/volunteers/shifts/{shift_id}")
    volunteer.get_by_role("button", name="报名参加").click()
    expect(volunteer.get_by_role("alert")).to_contain_text("未满 16 周岁")
    volunteer.context.close()
