"""The personal home (我的社区): what is open for me, here, now; the to-do list;
the visitor's community chooser; a bounded number of statements."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.home import fill
from tests.support.people import enrol
from tests.support.queries import statements_of_page
from tests.support.world import MakeClient, World

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return any_db_url


@pytest.fixture
def town(app: Starlette, world: World, engine: Engine) -> World:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        enrol(s, world, ["resident", "household_rep"])
        fill(s, world, 2, NOW)
    return world


def test_a_resident_sees_what_is_open_for_them(client: FormClient, town: World) -> None:
    client.sign_in("resident", PASSWORD)
    page = client.get("/")
    assert page.status_code == 200
    text = page.text
    for expected in ("表决0", "协商1", "微实事0", "评议0", "实事1", "进展1b", "活动0", "Q00000001"):
        assert expected in text, expected
    assert "进展1a" not in text  # only the latest update of an item
    assert "已投票" in text  # voted, never what
    assert "您已填写" in text  # responded to the evaluation
    assert "/me/activity" in text
    assert "待您跟进" not in text  # a resident runs nothing


def test_an_unverified_person_is_told_to_verify(client: FormClient, town: World) -> None:
    client.sign_in("nobody", PASSWORD)
    text = client.get("/").text
    assert 'href="/verify"' in text and "选择您的社区" in text


def test_staff_see_what_waits_for_them(
    client: FormClient, make_client: MakeClient, town: World
) -> None:
    client.sign_in("communityworker", PASSWORD)
    text = client.get("/").text
    assert "待您跟进" in text
    assert 'href="/admin/budgets"' in text and 'href="/admin/consultations"' in text
    assert 'href="/admin/requests?status=unrouted"' in text
    leader = make_client()
    leader.sign_in("teamleader", PASSWORD)
    text = leader.get("/").text
    assert "/lead/teams/" in text and 'href="/admin/budgets"' not in text
    org = make_client()
    org.sign_in("orgmember", PASSWORD)
    assert 'href="/evaluations/manage"' in org.get("/").text
    deputy = make_client()
    deputy.sign_in("deputy", PASSWORD)
    text = deputy.get("/").text
    assert "待督查的逾期计划事项：2" in text and 'href="/admin/' not in text
    volunteer = make_client()
    volunteer.sign_in("volunteer", PASSWORD)
    assert "待您跟进" not in volunteer.get("/").text  # runs nothing: no list at all


def test_the_page_runs_as_many_statements_at_3n_as_at_n(
    client: FormClient, town: World, engine: Engine
) -> None:
    client.sign_in("communityworker", PASSWORD)
    worker = len(statements_of_page(client, "/"))
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    client.sign_in("resident", PASSWORD)
    resident = len(statements_of_page(client, "/"))
    with Session(engine) as s, s.begin():
        fill(s, town, 4, NOW, start=2)
    assert len(statements_of_page(client, "/")) == resident
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    client.sign_in("communityworker", PASSWORD)
    assert len(statements_of_page(client, "/")) == worker


def test_a_visitor_picks_a_community_level_by_level(
    client: FormClient, town: World, make_client: MakeClient
) -> None:
    page = client.get("/")
    assert "选择您的社区" in page.text and f"/?at={town['city'].id}" not in page.text
    assert f'<option value="{town["city"].id}">' in page.text
    street = client.get(f"/?at={town['street'].id}")
    assert f'<option value="{town["community"].id}">' in street.text
    assert "community" not in street.cookies  # a street is not a community
    chosen = client.get(f"/?at={town['community'].id}")
    assert chosen.cookies.get("community") == str(town["community"].id)
    assert "表决0" in chosen.text and "实事1" in chosen.text
    assert "您已投票" not in chosen.text and "/me/activity" not in chosen.text  # nothing personal
    again = client.get("/")  # remembered
    assert "表决0" in again.text and "选择您的社区" not in again.text
    assert "表决0" not in make_client().get("/").text  # another visitor has chosen nothing


@pytest.mark.parametrize("at", ["abc", "-1", "99999999999999999999", "0", "", "1e3"])
def test_an_unreadable_choice_shows_the_top_level(client: FormClient, town: World, at: str) -> None:
    page = client.get("/", params={"at": at})
    assert page.status_code == 200 and "选择您的社区" in page.text
    assert "community" not in page.cookies


def test_my_activity_lists_what_i_did_paged(client: FormClient, town: World) -> None:
    client.sign_in("resident", PASSWORD)
    for kind, expected in [
        ("topics", "议题1"),
        ("proposals", "项目1"),
        ("posts", "意见1"),
        ("comments", "项目0"),
        ("ballots", "表决1"),
        ("surveys", "评议1"),
        ("signups", "活动0"),
        ("requests", "Q00000001"),
    ]:
        page = client.get(f"/me/activity?show={kind}")
        assert page.status_code == 200 and expected in page.text, kind
    assert "累计记入时长：2小时0分钟" in client.get("/me/activity?show=signups").text
    ballots = client.get("/me/activity?show=ballots").text
    assert "凭证码只在投票时显示一次" in ballots
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    client.sign_in("householdrep", PASSWORD)
    assert "议题0" in client.get("/me/activity?show=cosignatures").text
    assert client.get("/me/activity?show=nonsense&page=x").status_code == 200


def test_my_activity_pages(client: FormClient, town: World, engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        fill(s, town, 21, NOW, start=2)  # 23 requests: two pages of 20
    client.sign_in("resident", PASSWORD)
    first = client.get("/me/activity?show=requests").text
    assert "Q00000022" in first and "Q00000002" not in first and "page=2" in first
    second = client.get("/me/activity?show=requests&page=2").text
    assert "Q00000002" in second and "Q00000022" not in second


def test_a_visitor_page_runs_as_many_statements_at_3n_as_at_n(
    client: FormClient, town: World, engine: Engine
) -> None:
    client.get(f"/?at={town['community'].id}")  # chosen, remembered
    few = len(statements_of_page(client, "/"))
    with Session(engine) as s, s.begin():
        fill(s, town, 4, NOW, start=2)
    assert len(statements_of_page(client, "/")) == few


def test_the_home_speaks_english_too(client: FormClient, town: World) -> None:
    client.cookies.set("lang", "en")
    client.sign_in("communityworker", PASSWORD)
    text = client.get("/").text
    assert "Waiting for you" in text and "Topics awaiting triage: 2" in text
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    client.sign_in("resident", PASSWORD)
    text = client.get("/").text
    assert "Ballots open now" in text and "You have voted" in text
    assert "Latest update" in text and "(20%)" in text
    assert "Ballots I voted in" in client.get("/me/activity?show=ballots").text
