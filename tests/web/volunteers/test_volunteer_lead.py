"""The team leader's pages: the team page reads in a fixed number of queries, and
times typed on the leader's forms are read by the one form reader."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import RENDER_ANEW, page_selects, statements
from tests.support.volunteering import make_person, make_shift
from volunteers import attendance, ledger, signups, teams
from volunteers.models import Shift, SignUp, Team
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def team_id(app: Any, engine: Engine, world: dict[str, Any]) -> int:
    """A team of the community led by 'teamleader'."""
    app.state.fixed_now = NOW
    leader = world["people"]["team_leader"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        team = teams.create_team(
            s, area=world["community"], name="队长页测试队", kind="featured", join_mode="open"
        )
        teams.invite(s, team, leader, leader.id)
        teams.join(s, team, leader.id)
        teams.set_role(s, team, leader.id, "leader", leader.id)
    return team.id


def _add_members(engine: Engine, world: dict[str, Any], team_id: int, count: int) -> None:
    """``count`` new members, each with a profile, one missed shift and one
    request for back-filled hours on a shift that took place."""
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        assert team is not None
        team.no_show_lock = 1  # one missed shift locks, so that every member is checked
        for _ in range(count):
            person = make_person(s, f"队员{s.scalar(select(func.count()).select_from(SignUp))}")
            teams.join(s, team, person)
            missed = make_shift(s, world["community"], NOW - timedelta(days=9), team=team)
            signups.sign_up(s, missed.id, person, missed.starts_at - timedelta(days=1))
            served = make_shift(s, world["community"], NOW - timedelta(days=3), team=team)
            signup = signups.sign_up(s, served.id, person, served.starts_at - timedelta(days=1))
            attendance.mark(
                s,
                missed.id,
                person,
                checked_in=None,
                checked_out=None,
                no_show=True,
                actor_id=person,
                now=NOW,
            )
            ledger.request_backfill(s, signup, 30, "忘记签到", person, NOW)


def _selects(engine: Engine, client: FormClient, url: str) -> int:
    return page_selects(engine, client, url)[0]


def test_the_team_page_reads_in_a_fixed_number_of_queries(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Fails on the old code: it ran two queries per member (profile, no-shows)
    and two per request for hours (its sign-up, twice)."""
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/teams/{team_id}"
    _add_members(engine, world, team_id, 2)
    few = _selects(app.state.engine, client, page)
    _add_members(engine, world, team_id, 6)
    html = client.get(page).text
    assert html.count("因多次未到被限制报名") == 8 and html.count('id="backfill-') == 8
    assert _selects(app.state.engine, client, page) == few


@pytest.fixture
def shift_id(app: Any, engine: Engine, world: dict[str, Any], team_id: int) -> int:
    """A shift of the team that took place yesterday, 'volunteer' signed up."""
    volunteer = world["people"]["volunteer"].id
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        assert team is not None
        shift = make_shift(s, world["community"], NOW - timedelta(days=1), team=team)
        signups.sign_up(s, shift.id, volunteer, shift.starts_at - timedelta(days=1))
        shift_id = shift.id
    return shift_id


def test_an_unreadable_attendance_time_is_a_field_message_and_changes_nothing(
    client: FormClient, engine: Engine, world: dict[str, Any], shift_id: int
) -> None:
    """Fails on the old code: an unreadable check-out time was read as no time at
    all, and the check-in alone was saved, leaving the person checked in."""
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/shifts/{shift_id}"
    with Session(engine) as s:
        shift = s.get(Shift, shift_id)
        assert shift is not None
        started = shift.starts_at.astimezone(LOCAL_TZ)
    r = client.submit(
        f"{page}/attendance",
        {
            "account_id": str(world["people"]["volunteer"].id),
            "checked_in": started.strftime("%Y-%m-%dT%H:%M"),
            "checked_out": "下午五点",
        },
        page=page,
    )
    assert r.status_code == 422, r.text
    assert f'id="out-{world["people"]["volunteer"].id}-error"' in r.text
    assert "请按 YYYY-MM-DD HH:MM 格式填写日期和时间。" in r.text
    with Session(engine) as s:
        row = s.scalar(select(SignUp).where(SignUp.shift_id == shift_id))
        assert row is not None and row.checked_in_at is None and row.checked_out_at is None


def test_an_unreadable_shift_time_is_a_field_message_and_changes_nothing(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/teams/{team_id}"
    r = client.submit(
        f"{page}/shifts",
        {
            "title": "读不懂的时间",
            "starts_at": "2026-13-45T25:00",
            "ends_at": "2026-12-05T12:00",
            "capacity": "3",
            "area_id": str(world["community"].id),
        },
        page=page,
    )
    assert r.status_code == 422 and 'id="f-starts_at-error"' in r.text
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Shift)) == 0


WAITING_PAGE = 50  # people waiting shown a page (web.volunteers.lead.WAITING_PAGE)


def _waiting(engine: Engine, world: dict[str, Any], team_id: int, people: int) -> int:
    """A coming shift of two places with ``people`` signed up: two confirmed, the
    rest waiting, in order of arrival."""
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        assert team is not None
        shift = make_shift(s, world["community"], NOW + timedelta(days=3), team=team, capacity=2)
        for n in range(people):
            person = make_person(s, f"候补{shift.id}-{n:03d}")
            signups.sign_up(s, shift.id, person, NOW)
        return shift.id


def test_the_waiting_list_is_paged_and_the_page_costs_as_much_for_3n(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Fails on the old code: every sign-up of the shift was a row of the page (a
    city shift had 2,785, 2,685 of them waiting: 1 MB). Those who come (bounded by
    the places) are all listed; the waiting list is paged in arrival order."""
    client.sign_in("teamleader", PASSWORD)
    few = _waiting(engine, world, team_id, 2 + 20)
    many = _waiting(engine, world, team_id, 2 + 3 * 20 + WAITING_PAGE)
    assert _selects(engine, client, f"/lead/shifts/{few}") == _selects(
        engine, client, f"/lead/shifts/{many}"
    )
    seen: list[str] = []
    url: str | None = f"/lead/shifts/{many}"
    while url:
        html = client.get(url).text
        rows = re.findall(r'class="card-title"[^>]*>候补\d+-(\d{3})<', html)
        assert rows[:2] == ["000", "001"]  # the confirmed, on every page
        seen += rows[2:]
        assert len(rows) <= 2 + WAITING_PAGE
        nav = re.search(r'<nav class="pager" aria-label="候补名单分页">(.*?)</nav>', html, re.S)
        following = nav and re.search(r'<a href="([^"]+)" rel="next">', nav.group(1))
        url = markup.unescape(following.group(1)) if following else None
    waiting = 3 * 20 + WAITING_PAGE
    assert seen == [f"{n:03d}" for n in range(2, 2 + waiting)]
    assert f"{waiting} 人候补" in client.get(f"/lead/shifts/{many}").text


def test_requests_for_hours_are_paged_and_counted(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Fails on the old code: every request waiting in the team was listed on the
    team page (a city team's requests pile up while its leader is away)."""
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/teams/{team_id}"
    _add_members(engine, world, team_id, 22)
    first = client.get(page).text
    assert first.count('id="backfill-') == 20
    assert "待审批的时长 (22)" in first
    assert f'href="{page}?backfills=2"' in first
    second = client.get(f"{page}?backfills=2&activities=1").text
    assert second.count('id="backfill-') == 2
    ids = set(re.findall(r'id="backfill-(\d+)"', first)) | set(
        re.findall(r'id="backfill-(\d+)"', second)
    )
    assert len(ids) == 22  # the two pages together, each request once
    for odd in ("abc", "-1", "0", "99", "9" * 40):  # unreadable or past the end: a page
        r = client.get(f"{page}?backfills={odd}")
        assert r.status_code == 200 and r.text.count('id="backfill-') in (20, 2)


def test_with_no_request_waiting_the_team_page_does_not_look_for_them(
    app: Any, client: FormClient, team_id: int
) -> None:
    """The usual case: the figures say none wait (their count), so the list of
    requests (three tables joined, read as objects) is not asked for."""
    client.sign_in("teamleader", PASSWORD)
    with statements() as seen:
        assert client.get(f"/lead/teams/{team_id}", headers=RENDER_ANEW).status_code == 200
    assert not [sql for sql in seen if sql.lstrip().startswith("SELECT vol_backfills.id")]
    assert [sql for sql in seen if "vol_backfills.status" in sql]  # counted in the figures
