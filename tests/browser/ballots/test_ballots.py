"""Voting in the browser: the form, the receipt, the published results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser


def test_a_resident_casts_and_gets_a_receipt(
    page: Page, live_server: LiveServer, problems: list[str]
) -> None:
    base = live_server.url
    sign_in(page, base, "resident")
    page.goto(f"{base}/ballots/1")
    expect(page.get_by_role("heading", name="望江社区微实事投票")).to_be_visible()
    page.get_by_label(re.compile("长者饭堂")).check()
    page.get_by_label(re.compile("路灯改造")).check()
    page.get_by_role("button", name="投出我的选票").click()
    expect(page.get_by_role("heading", name="您的选票已投出")).to_be_visible()
    code = page.locator(".receipt code").inner_text()
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", code)
    page.goto(f"{base}/ballots/1")
    expect(page.get_by_text("您的选票已计入")).to_be_visible()
    assert problems == []


def test_an_ineligible_person_is_told_why(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    sign_in(page, base, "worker")  # a community worker who is not on the roll
    page.goto(f"{base}/ballots/1")
    expect(page.get_by_text("只有已核验身份的居民可以参加本次投票")).to_be_visible()


def test_published_results_and_receipt_check(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    page.goto(f"{base}/ballots/2")
    table = page.get_by_role("table", name="各选项结果")
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="增设快递柜")).to_be_visible()
    page.get_by_label("查询您的回执码").fill("0000-0000-0000-0000")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("status")).to_contain_text("没有与此回执码对应的选票")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载投票公告（JSON）").click()
    assert download.value.suggested_filename == "bulletin-2.json"
