"""The leader's roster at a seeded size: paged in SQL (a city team has ~100
members, a district's federation team thousands), in as many statements for 3N
members as for N, and the area choice for a new shift reads only the team's part
of the tree."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import create_area, get_area
from participation.rules.areas import AreaKind
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.volunteering import make_person
from volunteers import teams
from volunteers.models import Team


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
    _members(engine, team_id, 70, "c")
    first = client.get(f"/lead/teams/{team_id}").text
    assert _rows(first) == 50
    assert "测试team_leader" in first  # the leader comes first
    assert f'href="/lead/teams/{team_id}?page=2"' in first
    second = client.get(f"/lead/teams/{team_id}?page=2").text
    assert _rows(second) == 21 and "队员c069" in second and "队员c000" not in second


def test_the_shift_area_choice_holds_only_the_team_part_of_the_tree(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    with Session(engine) as s, s.begin():
        street = get_area(s, world["street"].id)
        create_area(s, code="MX", name="别处社区", kind=AreaKind.COMMUNITY, parent=street)
    client.sign_in("teamleader", PASSWORD)
    html = client.get(f"/lead/teams/{team_id}").text
    choice = html.split('id="f-area_id"', 1)[1].split("</select>", 1)[0]
    assert "一社区" in choice and "一网格" in choice
    assert "别处社区" not in choice and "二社区" not in choice
