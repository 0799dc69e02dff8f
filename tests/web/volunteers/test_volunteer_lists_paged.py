"""/volunteers and a team's public page at a seeded size: the coming shifts and
the teams each paged in SQL (20 a page, what a phone shows), in as many SQL
statements for 3N shifts, teams and members as for N, signed in or not; each pager
reaches the last row and keeps the other list's page; the figures stay right."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import statements
from tests.support.volunteering import make_person, make_shift
from volunteers import signups, teams
from volunteers.models import Shift, Team

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
PER_PAGE = 20  # shifts and teams a page (web.volunteers.public)


def _shifts(engine: Engine, world: dict[str, Any], count: int, first: int) -> list[int]:
    """``count`` coming public shifts, each of a new team, a day apart from day ``first``."""
    with Session(engine) as s, s.begin():
        made = [
            make_shift(s, world["community"], NOW + timedelta(days=1 + k), capacity=1)
            for k in range(first, first + count)
        ]
        return [shift.id for shift in made]


def _next(html: str, label: str) -> str | None:
    nav = re.search(rf'<nav class="pager" aria-label="{label}">(.*?)</nav>', html, re.S)
    link = nav and re.search(r'<a href="([^"]+)" rel="next">', nav.group(1))
    return markup.unescape(link.group(1)) if link else None


def _count(client: FormClient, url: str) -> tuple[int, str]:
    with statements() as seen:
        page = client.get(url)
    assert page.status_code == 200
    return len(seen), page.text


def test_volunteers_costs_as_many_statements_for_3n_shifts_and_teams_as_for_n(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: 30 coming shifts on one page (and 50 teams), no pager
    for the shifts."""
    app.state.fixed_now = NOW
    _shifts(engine, world, PER_PAGE, 0)  # N shifts, and N teams with them
    anonymous, _ = _count(client, "/volunteers")
    client.sign_in("volunteer", PASSWORD)
    signed_in, _ = _count(client, "/volunteers")
    _shifts(engine, world, 2 * PER_PAGE, PER_PAGE)  # 3N
    many, html = _count(client, "/volunteers")
    assert many == signed_in
    assert html.count('href="/volunteers/shifts/') == PER_PAGE
    assert html.count('href="/volunteers/teams/') == PER_PAGE
    assert 'href="/volunteers?shifts=2"' in html and 'href="/volunteers?page=2"' in html
    client.post("/logout", data={"csrf_token": client.csrf("/volunteers")})
    assert _count(client, "/volunteers")[0] == anonymous


def test_the_shifts_pager_reaches_the_last_shift_and_keeps_the_teams_page(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    app.state.fixed_now = NOW
    made = _shifts(engine, world, 2 * PER_PAGE + 5, 0)
    # The last one is full, with one person waiting: the page says so.
    with Session(engine) as s, s.begin():
        shift = s.get(Shift, made[-1])
        assert shift is not None
        for name in ("甲", "乙"):
            at = shift.starts_at - timedelta(hours=2)
            signups.sign_up(s, shift.id, make_person(s, f"报名{name}"), at)
    seen: list[str] = []
    url: str | None = "/volunteers?page=2"
    while url:
        assert url.startswith("/volunteers?page=2&") or url == "/volunteers?page=2"
        html = client.get(url).text
        seen += re.findall(r'href="/volunteers/shifts/(\d+)"', html)
        last, url = html, _next(html, "班次分页")
    assert [int(i) for i in seen] == made
    assert "<strong>已满</strong> · 1 人候补" in last
    # The teams' pager on the shifts' last page keeps it.
    assert 'href="/volunteers?shifts=3&amp;page=1" rel="prev"' in last
    assert 'href="/volunteers?shifts=3&amp;page=3" rel="next"' in last


def test_a_team_page_costs_as_many_statements_for_3n_members_and_shifts_as_for_n(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: the page loaded every active member to count them and
    pick the leaders, and listed up to 200 coming shifts."""
    app.state.fixed_now = NOW
    leader = world["people"]["team_leader"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        team = teams.create_team(
            s, area=world["community"], name="公开页队", kind="featured", join_mode="open"
        )
        teams.invite(s, team, leader, leader.id)
        teams.join(s, team, leader.id)
        teams.set_role(s, team, leader.id, "leader", leader.id)

    def grow(count: int, tag: str) -> None:
        with Session(engine) as s, s.begin():
            t = s.get(Team, team.id)
            assert t is not None
            for k in range(count):
                teams.join(s, t, make_person(s, f"公开{tag}{k:03d}"))
                make_shift(s, world["community"], NOW + timedelta(hours=k + 1), team=t)

    url = f"/volunteers/teams/{team.id}"
    grow(PER_PAGE, "a")
    few, _ = _count(client, url)
    grow(2 * PER_PAGE, "b")
    many, html = _count(client, url)
    assert many == few
    assert "<dt>队员</dt><dd>61</dd>" in html
    assert f"<dd>{leader.display_name}</dd>" in html
    assert html.count('href="/volunteers/shifts/') == PER_PAGE
    following = _next(html, "班次分页")
    assert following == f"{url}?shifts=2"
    client.sign_in("teamleader", PASSWORD)
    assert f'href="/lead/teams/{team.id}"' in client.get(url).text
