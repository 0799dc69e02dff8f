"""Office forms choose an area a level at a time in a city (web.kit.area_choice):
no page lists every area of the tree in one <select>; each answers in as many
statements for 3N areas as for N, and a step down (?area=ID) offers the next level.
Up to 60 areas the one <select> of the whole tree stays."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import get_area
from participation.organizations.registry import decide_organization, register_organization
from tests.support.areas import more_streets
from tests.support.client import FormClient
from tests.support.queries import statements_of_page
from volunteers import teams

PAGES = {  # page: the id of its area <select>
    "/admin/accounts/{staff}": "g-area",
    "/admin/departments": "n-area",
    "/admin/ballots": "f-area_id",
    "/admin/budgets": "f-area_id",
    "/admin/plan": "f-area_id",
    "/admin/volunteers/stars": "f-area_id",
    "/organizations/new": "f-area_id",
    "/admin/requests/routing": "f-body_area_id",
    "/admin/requests/visits": "f-rule_area_id",
    "/evaluations/manage": "f-area_id",
    "/evaluations/manage#panel": "f-panel_area_id",
    "/admin/areas": "a-parent",
    "/lead/teams/{team}/shifts/new": "f-area_id",  # a team's subtree (the team is the city's)
}


def _options(html: str, select_id: str) -> int:
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, select_id
    return len(re.findall(r"<option ", found.group(1)))


def _path(page: str, world: dict[str, Any]) -> str:
    return page.format(staff=world["people"]["staff"].id, team=world.get("team")).split("#")[0]


def _prepare(engine: Engine, world: dict[str, Any], page: str) -> None:
    """The evaluation forms are shown to a member of a verified organization; a
    leader's page needs a team (the city's, so that its subtree is the whole tree)."""
    if page.startswith("/lead/teams"):
        with Session(engine) as s, s.begin():
            team = teams.create_team(
                s,
                area=get_area(s, world["city"].id),
                name="全市队",
                kind="featured",
                join_mode="open",
            )
            world["team"] = team.id
        return
    if not page.startswith("/evaluations"):
        return
    with Session(engine) as s, s.begin():
        org = register_organization(
            s,
            name="第一评估中心",
            credit_code="52440400MJ0000011X",
            area_id=world["district"].id,
            description="",
            account_id=world["people"]["admin"].id,
        )
        decide_organization(
            s, org, verified=True, staff_id=world["people"]["admin"].id, now=datetime.now(UTC)
        )


@pytest.mark.parametrize("page", PAGES)
def test_small_trees_keep_one_select(
    client: FormClient, engine: Engine, world: dict[str, Any], page: str
) -> None:
    _prepare(engine, world, page)
    client.sign_in("admin")
    html = client.get(_path(page, world)).text
    assert _options(html, PAGES[page]) >= 6  # the whole tree (and "none" where offered)
    assert "Narrow down" not in html and "缩小范围" not in html


@pytest.mark.parametrize("page", PAGES)
def test_city_trees_are_chosen_a_level_at_a_time(
    client: FormClient, engine: Engine, world: dict[str, Any], page: str
) -> None:
    """Fails on the old code: every area of the city was an <option>."""
    _prepare(engine, world, page)
    client.sign_in("admin")
    path = _path(page, world)
    more_streets(engine, world["district"].id, 30, "a", communities=2)  # 96 areas
    first = len(statements_of_page(client, path))
    html = client.get(path).text
    assert _options(html, PAGES[page]) <= 3  # the top: the city (and "none")
    more_streets(engine, world["district"].id, 60, "b", communities=2)  # 3N
    assert len(statements_of_page(client, path)) == first
    district = world["district"].id
    stepped = client.get(f"{path}?area={district}").text
    # The chain (city, district) and the district's 91 streets to narrow to, one level.
    assert "街a0" in stepped and "社a0-0" not in stepped
    street = re.search(r'<option value="(\d+)">街a0</option>', stepped)
    assert street
    down = client.get(f"{path}?area={street.group(1)}").text
    assert "社a0-0" in down and "社a0-1" in down and "街b0" not in down
