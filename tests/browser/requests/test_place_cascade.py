"""Filing a request on a 375 px phone in a city with many grids: the place is chosen
district → street → community → grid, step by step without JavaScript and in place
with htmx. Its own live server: the extra grids must not change the other journeys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area, create_area
from participation.db import make_engine
from participation.requests import routing
from participation.requests.models import ResidentRequest
from participation.rules.areas import AreaKind
from tests.browser.conftest import LiveServer, serve_live, sign_in

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    directory: Path = tmp_path_factory.mktemp("cascade")
    with serve_live(directory) as server:
        engine = make_engine(server.db_url)
        with Session(engine) as s, s.begin():
            district = s.scalars(select(Area).where(Area.code == "D1")).one()
            routing.add_rule(
                s, routing.NewRule("environment", district.id, "any", "community", None), None
            )
            for i in range(3):
                street = create_area(
                    s, code=f"XS{i}", name=f"新街道{i}", kind=AreaKind.STREET, parent=district
                )
                for j in range(3):
                    community = create_area(
                        s,
                        code=f"XC{i}{j}",
                        name=f"新社区{i}{j}",
                        kind=AreaKind.COMMUNITY,
                        parent=street,
                    )
                    for k in range(8):
                        create_area(
                            s,
                            code=f"XG{i}{j}{k}",
                            name=f"新网格{i}{j}-{k}",
                            kind=AreaKind.GRID,
                            parent=community,
                        )
            names = {"district": district.name}
        engine.dispose()
        yield server, names


def _file(page: Page, base: str, description: str, grid: str) -> None:
    page.select_option("#f-area_id", label=f"新社区21 · {grid}")
    page.select_option("#f-category", "environment")
    page.fill("#f-description", description)
    page.click("#request-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("诉求已提交")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def _stored(server: LiveServer, description: str) -> str:
    engine = make_engine(server.db_url)
    with Session(engine) as s:
        found = s.execute(
            select(Area.name)
            .join(ResidentRequest, ResidentRequest.area_id == Area.id)
            .where(ResidentRequest.description == description)
        ).scalar_one()
    engine.dispose()
    return str(found)


def test_without_javascript_each_step_is_a_page(
    browser: Browser, city: tuple[LiveServer, dict[str, str]]
) -> None:
    server, names = city
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server.url, "resident")
    # The resident's home community is the seed's small one: start from the top.
    page.goto(f"{server.url}/requests/new?place=")
    for choice in (names["district"], "新街道2", "新社区21"):
        page.select_option("#f-place", label=choice)
        page.click("#place-step button[type=submit]")
        # The next step's page has loaded once the chain names the choice (the click
        # returns when the navigation starts, before the new document has a body).
        expect(page.locator("#place-chain")).to_contain_text(choice)
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    expect(page.locator("#place-chain")).to_contain_text("新街道2")
    _file(page, server.url, "新社区21的路灯不亮", "新网格21-5")
    assert _stored(server, "新社区21的路灯不亮") == "新网格21-5"
    context.close()


def test_with_htmx_the_cascade_changes_in_place(
    browser: Browser, city: tuple[LiveServer, dict[str, str]]
) -> None:
    server, names = city
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    sign_in(page, server.url, "resident")
    page.goto(f"{server.url}/requests/new?place=")
    page.fill("#f-description", "新网格的井盖松动")  # typed first: kept, no page load
    for choice in (names["district"], "新街道2", "新社区21"):
        page.select_option("#f-place", label=choice)
        expect(page.locator("#place-chain")).to_contain_text(choice)
        # htmx binds the swapped-in form's change trigger when the swap settles (it
        # drops the class htmx-added just before): choosing earlier would be lost.
        expect(page.locator(".htmx-added")).to_have_count(0)
    expect(page.locator("#f-description")).to_have_value("新网格的井盖松动")
    page.select_option("#f-area_id", label="新社区21 · 新网格21-2")
    page.select_option("#f-category", "environment")
    page.click("#request-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("诉求已提交")
    assert _stored(server, "新网格的井盖松动") == "新网格21-2"
    context.close()
