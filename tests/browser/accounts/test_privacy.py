"""Personal-information rights in a real browser at phone width: downloading one's
data, and closing one's account after voting while the ballot still counts."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.casting import cast_ballot
from participation.ballots.closing import publish
from participation.ballots.models import BallotBox
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from participation.rolls import RollEntry
from tests.browser.conftest import PASSWORD, LiveServer, serve_live
from tests.browser.consultations.test_consultations import as_person
from tests.browser.kit.test_accessibility import serious

pytestmark = pytest.mark.browser
PHONE, NAME = "13766660000", "注销测试人"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: an account is closed here."""
    with serve_live(tmp_path_factory.mktemp("privacy")) as server:
        yield server


def narrow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than a phone: {width}px"


def test_download_my_data_at_phone_width(browser: Browser, own_server: LiveServer) -> None:
    page = as_person(browser, own_server.url, "resident")
    page.get_by_role("link", name="下载我的数据").click()
    expect(page.get_by_role("heading", name="下载我的数据")).to_be_visible()
    narrow(page)
    assert serious(page) == []
    with page.expect_download() as download:
        page.get_by_role("button", name="下载我的数据（ZIP）").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        data = json.loads(archive.read("data.json"))
        page_html = archive.read("index.html").decode()
    assert data["tables"]["accounts"][0]["display_name"] == "王居民"
    assert data["tables"]["roll_entries"][0]["name"] == "王居民"
    assert {b["title"] for b in data["tables"]["participations"]} == {"已结束的表决"}
    assert "王居民" in page_html


def test_closing_my_account_after_voting_keeps_the_ballot_counted(
    browser: Browser, own_server: LiveServer
) -> None:
    engine = make_engine(own_server.db_url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        closer = accounts.sign_up(s, login=PHONE, password=PASSWORD, display_name=NAME)
        other = accounts.sign_up(s, login="13766660001", password=PASSWORD, display_name="邻居乙")
        for n, account in enumerate((closer, other)):
            s.add(
                RollEntry(
                    community_id=community.id,
                    name=account.display_name,
                    id_hash=f"{n:x}" * 64,
                    birth_date=date(1965, 3, 3),
                    household_code=f"HC{n}",
                    account_id=account.id,
                    verified_at=now,
                )
            )
        box = create_box(
            s,
            NewBox(
                title="楼道照明表决",
                area=community,
                roll=Roll.RESIDENTS,
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=3),
                form=BallotForm(FormKind.CHOOSE, 1, 1),
                rule={"rule": "approval"},
                items=[NewItem("声控灯"), NewItem("长明灯")],
            ),
            None,
        )
        cast_ballot(s, box, other.id, {"approved": ["2"]}, now)
        box_id, closer_id = box.id, closer.id

    page = as_person(browser, own_server.url, PHONE)
    page.goto(f"{own_server.url}/ballots/{box_id}")
    page.get_by_label("声控灯").check()
    page.get_by_role("button", name="投出我的选票").click()
    expect(page.get_by_role("heading", name="您的选票已投出")).to_be_visible()

    # While the ballot is open, closing is refused (the person could vote again).
    page.goto(f"{own_server.url}/account")
    page.get_by_role("link", name="注销账号").click()
    narrow(page)
    page.get_by_label("您的密码").fill(PASSWORD)
    page.get_by_label("我已了解，注销我的账号").check()
    page.locator("#close").click()
    expect(page.get_by_role("alert")).to_contain_text("投票结束后才能注销账号")
    assert serious(page) == []

    with Session(engine) as s, s.begin():  # the ballot closes
        s.get_one(BallotBox, box_id).closes_at = datetime.now(UTC) - timedelta(minutes=1)
    page.get_by_label("您的密码").fill("不是我的密码")
    page.get_by_label("我已了解，注销我的账号").check()
    page.locator("#close").click()
    expect(page.locator("#f-password-error")).to_have_text("密码不正确。")
    page.get_by_label("您的密码").fill(PASSWORD)
    page.get_by_label("我已了解，注销我的账号").check()
    page.locator("#close").click()
    expect(page.get_by_text("您的账号已注销，个人信息已删除。")).to_be_visible()
    narrow(page)

    with Session(engine) as s, s.begin():
        assert s.get_one(accounts.Account, closer_id).display_name == f"已注销用户 #{closer_id}"
        bulletin = publish(s, s.get_one(BallotBox, box_id), datetime.now(UTC))
    contents = sorted(json.dumps(b["content"]) for b in bulletin["ballots"])
    assert contents == ['{"approved": ["1"]}', '{"approved": ["2"]}']  # still counted
    page.goto(f"{own_server.url}/ballots/{box_id}")
    results = page.get_by_role("table", name="各选项结果")
    expect(results.get_by_role("row", name="声控灯")).to_contain_text("1")

    # The closed account cannot sign in.
    page.goto(f"{own_server.url}/login")
    page.fill("#f-login", PHONE)
    page.fill("#f-password", PASSWORD)
    page.click("form#login_form button[type=submit]")
    expect(page.get_by_role("alert")).to_be_visible()
    engine.dispose()
