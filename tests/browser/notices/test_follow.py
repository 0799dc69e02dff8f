"""Following a team at phone width: the button turns into "following", and the team is
on the account's list of what it follows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.db import make_engine
from tests.browser.conftest import LiveServer
from tests.browser.consultations.test_consultations import as_person
from tests.browser.kit.test_accessibility import serious
from tests.browser.notices.test_ballot_notice import own_server as notices_server
from volunteers.teams import create_team

pytestmark = pytest.mark.browser
own_server = notices_server


def test_following_a_team_at_phone_width(browser: Browser, own_server: LiveServer) -> None:
    engine = make_engine(own_server.db_url)
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        team_id = create_team(
            s, area=community, name="望江助老服务队", kind="featured", join_mode="open"
        ).id
    engine.dispose()

    page = as_person(browser, own_server.url, "resident")
    page.goto(f"{own_server.url}/volunteers/teams/{team_id}")
    page.get_by_role("button", name="关注").click()
    expect(page.get_by_role("button", name="已关注 · 取消")).to_be_visible()
    assert page.url.endswith(f"/volunteers/teams/{team_id}")  # still on the team page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"
    assert serious(page) == []
    page.goto(f"{own_server.url}/account/following")
    expect(page.get_by_role("link", name="望江助老服务队")).to_be_visible()
