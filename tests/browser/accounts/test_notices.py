"""The notices inbox in a real browser at phone width: the menu's unread count,
marking one read in place (htmx), the count going down."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from participation import notices
from participation.accounts import find_by_login
from participation.db import make_engine
from tests.browser.conftest import LiveServer
from tests.browser.consultations.test_consultations import as_person
from tests.browser.consultations.test_consultations import own_server as consultation_server
from tests.browser.kit.test_accessibility import serious

pytestmark = pytest.mark.browser
own_server = consultation_server  # a server of this module's own: the badge stays here


def test_reading_a_notice_at_phone_width(browser: Browser, own_server: LiveServer) -> None:
    engine = make_engine(own_server.db_url)
    with Session(engine) as s, s.begin():
        resident = find_by_login(s, "resident")
        assert resident is not None
        for title in ("长者饭堂", "儿童乐园"):
            notices.notify(
                s,
                resident.id,
                "budget.proposal",
                "Your proposal “%(title)s” was funded.",
                link="/budgets",
                params={"title": title},
                now=datetime.now(UTC),
            )
    engine.dispose()

    page = as_person(browser, own_server.url, "resident")
    badge = page.locator("nav a[href='/account/notices'] .badge")
    expect(badge).to_have_text("2")
    badge.click()
    expect(page.get_by_role("heading", name="我的通知")).to_be_visible()
    expect(page.get_by_role("link", name="您的提案“长者饭堂”已获资助。")).to_be_visible()
    first = page.locator("li.notice.unread").first
    first.get_by_role("button", name="标为已读").click()
    expect(page.locator("li.notice.unread")).to_have_count(1)  # swapped in place
    expect(page.get_by_text("1 条未读通知")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"
    assert serious(page) == []
    page.reload()
    expect(badge).to_have_text("1")
