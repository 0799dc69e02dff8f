"""The leader's roster at a seeded size: members and coming shifts each paged in
SQL (a city team has ~100 members, a district's federation team thousands), in as
many statements for 3N members and shifts as for N, each pager keeping the other
list's page and the filter, the totals from counts and the hours summary (never
the ledger), and the area choice for a new shift (on its own page) reads only the
team's part of the tree."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import create_area, get_area
from participation.rules.areas import AreaKind
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects, reading, statements
from tests.support.volunteering import make_person, make_shift
from volunteers import teams
from volunteers.models import HoursEntry, Team

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ROSTER_PAGE = 25  # members a page (web.volunteers.lead.ROSTER_PAGE)
SHIFTS_PAGE = 20  # coming shifts a page (web.volunteers.lead.SHIFTS_PAGE)
ACTIVITIES_PAGE = 20  # activities a page (web.volunteers.lead.ACTIVITIES_PAGE)


@pytest.fixture
def team_id(engine: Engine, world: dict[str, Any]) -> int:
    """A team of the community led by 'teamleader'."""
    leader = world["people"]["team_leader"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        team = teams.create_team(
            s, area=world["community"], name="名册分页队", kind="featured", join_mode="open"
        )
        teams.invite(s, team, leader, leader.id)
        teams.join(s, team, leader.id)
        teams.set_role(s, team, leader.id, "leader", leader.id)
    return team.id


def _members(engine: Engine, team_id: int, count: int, tag: str) -> None:
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        assert team is not None
        for k in range(count):
            teams.join(s, team, make_person(s, f"队员{tag}{k:03d}"))


def _rows(html: str) -> int:
    return len(re.findall(r'<tr id="member-\d+"', html))


def test_the_roster_runs_as_many_statements_for_3n_members_as_for_n(
    app: Any, client: FormClient, engine: Engine, team_id: int
) -> None:
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/teams/{team_id}"
    _members(engine, team_id, 20, "a")
    few = page_selects(app.state.engine, client, page)[0]
    _members(engine, team_id, 40, "b")
    assert page_selects(app.state.engine, client, page)[0] == few


def test_the_roster_is_paged(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Fails on the old code: the roster showed every member on one page."""
    client.sign_in("teamleader", PASSWORD)
    _members(engine, team_id, 45, "c")
    first = client.get(f"/lead/teams/{team_id}").text
    assert _rows(first) == 25
    assert "测试team_leader" in first  # the leader comes first
    assert f'href="/lead/teams/{team_id}?page=2"' in first
    second = client.get(f"/lead/teams/{team_id}?page=2").text
    assert _rows(second) == 21 and "队员c044" in second and "队员c000" not in second


def _shifts(engine: Engine, team_id: int, world: dict[str, Any], count: int, first: int) -> None:
    """``count`` coming shifts of the team, a day apart from day ``first``."""
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        for k in range(first, first + count):
            make_shift(s, world["community"], NOW + timedelta(days=1 + k), team=team)


def _ledger(engine: Engine, team_id: int, world: dict[str, Any], lines: int) -> None:
    """``lines`` hours of the team's ledger, an hour each (as the services add them)."""
    with Session(engine) as s, s.begin():
        person = make_person(s, f"记时{lines}-{datetime.now(UTC).timestamp()}")
        for n in range(lines):
            s.add(
                HoursEntry(
                    account_id=person,
                    team_id=team_id,
                    area_id=world["community"].id,
                    served_on=date(2026, 1 + n % 11, 1),
                    minutes=60,
                    kind="system",
                )
            )


def _next(html: str, label: str) -> str | None:
    """The href of the pager named ``label``'s next link, if any."""
    nav = re.search(rf'<nav class="pager" aria-label="{label}">(.*?)</nav>', html, re.S)
    link = nav and re.search(r'<a href="([^"]+)" rel="next">', nav.group(1))
    return markup.unescape(link.group(1)) if link else None


def test_members_and_shifts_cost_as_many_statements_for_3n_as_for_n(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Fails on the old code: every coming shift of the team was listed (and its
    waiting count read) on one page, with no pager."""
    app.state.fixed_now = NOW
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/teams/{team_id}"
    _members(engine, team_id, 20, "d")
    _shifts(engine, team_id, world, 20, 0)
    _ledger(engine, team_id, world, 20)
    with statements() as few:
        html = client.get(page).text
    assert html.count('href="/lead/shifts/') == SHIFTS_PAGE
    _members(engine, team_id, 40, "e")
    _shifts(engine, team_id, world, 40, 20)
    _ledger(engine, team_id, world, 40)
    with statements() as many:
        html = client.get(page).text
    assert len(many) == len(few)
    assert reading("vol_hours", many) == 0  # the totals come from the summary
    assert _rows(html) == ROSTER_PAGE
    assert html.count('href="/lead/shifts/') == SHIFTS_PAGE
    totals = html.split('id="roster-totals"', 1)[1].split("</dl>", 1)[0]
    assert "<dd>61</dd>" in totals  # the leader and 60 members
    assert '<dd id="team-hours">60 小时</dd>' in totals


def test_the_pager_reaches_the_last_member_and_the_last_shift(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Following "next" from the first page lists every member once, the last one
    on the last page; the shifts' pager does the same, and each keeps the other
    list's page."""
    app.state.fixed_now = NOW
    client.sign_in("teamleader", PASSWORD)
    _members(engine, team_id, 2 * ROSTER_PAGE + 3, "f")
    _shifts(engine, team_id, world, 2 * SHIFTS_PAGE + 1, 0)
    seen: list[str] = []
    url: str | None = f"/lead/teams/{team_id}"
    while url:
        html = client.get(url).text
        seen += re.findall(r'<tr id="(member-\d+)"', html)
        last, url = html, _next(html, "队员分页")
    assert len(seen) == len(set(seen)) == 2 * ROSTER_PAGE + 4  # with the leader
    assert f"队员f{2 * ROSTER_PAGE + 2:03d}" in last
    # On the members' third page, the shifts' pager keeps it and goes on to the end.
    url = _next(last, "班次分页")
    shifts: list[str] = []
    while url:
        assert "page=3" in url
        html = client.get(url).text
        shifts += re.findall(r'href="/lead/shifts/(\d+)"', html)
        assert _rows(html) == 4
        prev, url = html, _next(html, "班次分页")
    assert len(shifts) == len(set(shifts)) == 2 * SHIFTS_PAGE + 1 - SHIFTS_PAGE
    # ... and the members' pager there keeps the shifts' page.
    assert f'href="/lead/teams/{team_id}?shifts=3&amp;page=2" rel="prev"' in prev


def test_the_activities_are_paged_newest_first_and_keep_the_other_lists_pages(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Fails on the old code: every activity the team ever had was listed (a team
    adds them year after year). Following "next" lists each once, newest first,
    and keeps the members' and the shifts' pages and the filter."""
    app.state.fixed_now = NOW
    client.sign_in("teamleader", PASSWORD)
    _members(engine, team_id, ROSTER_PAGE + 1, "i")
    _shifts(engine, team_id, world, 2 * ACTIVITIES_PAGE + 1, 0)  # an activity each

    def activities(html: str) -> list[int]:
        listed = html.split('<ul id="activities">', 1)[1].split("</ul>", 1)[0]
        return [int(i) for i in re.findall(r'href="/lead/activities/(\d+)"', listed)]

    seen: list[int] = []
    url: str | None = f"/lead/teams/{team_id}?status=active&page=2&shifts=2"
    while url:
        html = client.get(url).text
        assert len(activities(html)) <= ACTIVITIES_PAGE
        seen += activities(html)
        assert _rows(html) == 2  # still the members' second page
        assert html.count('href="/lead/shifts/') == SHIFTS_PAGE  # of 41: the second page
        last, url = html, _next(html, "活动分页")
        assert url is None or url.startswith(
            f"/lead/teams/{team_id}?status=active&page=2&shifts=2&activities="
        )
    assert len(seen) == len(set(seen)) == 2 * ACTIVITIES_PAGE + 1
    assert seen == sorted(seen, reverse=True)
    # On the activities' last page, the members' pager keeps it.
    assert "?status=active&shifts=2&activities=3&page=1" in markup.unescape(last)
    # The filter form keeps the other lists' pages too.
    assert '<input type="hidden" name="activities" value="3">' in last


def test_the_roster_filter_finds_join_requests_and_the_pager_keeps_it(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Fails on the old code: no filter; a request to join could be pages away."""
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        assert team is not None
        team.join_mode = "approval"
    _members(engine, team_id, ROSTER_PAGE + 2, "g")  # they ask to join
    _members(engine, team_id, 0, "h")
    client.sign_in("teamleader", PASSWORD)
    everyone = client.get(f"/lead/teams/{team_id}").text
    assert f'<a href="/lead/teams/{team_id}?status=pending">{ROSTER_PAGE + 2}</a>' in everyone
    pending = client.get(f"/lead/teams/{team_id}?status=pending").text
    assert _rows(pending) == ROSTER_PAGE
    assert "测试team_leader" not in pending
    assert pending.count('value="approve"') == ROSTER_PAGE
    following = _next(pending, "队员分页")
    assert following == f"/lead/teams/{team_id}?status=pending&page=2"
    rest = client.get(following).text
    assert _rows(rest) == 2 and "队员g026" in rest
    assert '<option value="pending" selected>' in rest
    # An unknown filter lists everyone, as without one.
    assert _rows(client.get(f"/lead/teams/{team_id}?status=nobody").text) == ROSTER_PAGE


def test_the_shift_area_choice_holds_only_the_team_part_of_the_tree(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    with Session(engine) as s, s.begin():
        street = get_area(s, world["street"].id)
        create_area(s, code="MX", name="别处社区", kind=AreaKind.COMMUNITY, parent=street)
    client.sign_in("teamleader", PASSWORD)
    roster = client.get(f"/lead/teams/{team_id}").text
    assert 'id="f-area_id"' not in roster  # the new-shift form has its own page
    assert f'href="/lead/teams/{team_id}/shifts/new"' in roster
    html = client.get(f"/lead/teams/{team_id}/shifts/new").text
    choice = html.split('id="f-area_id"', 1)[1].split("</select>", 1)[0]
    assert "一社区" in choice and "一网格" in choice
    assert "别处社区" not in choice and "二社区" not in choice
