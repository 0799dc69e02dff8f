"""The team's area on /admin/volunteers at a seeded size: a small tree is one
<select>, a city's (~5,500 areas) is chosen a level at a time, in as many
statements for 3N areas as for N."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import Area, create_area, get_area
from participation.rules.areas import AreaKind
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects
from volunteers import teams
from volunteers.models import Team


def _streets(engine: Engine, world: dict[str, Any], n: int, tag: str) -> None:
    """``n`` more streets under the district, each with two communities."""
    with Session(engine) as s, s.begin():
        district = get_area(s, world["district"].id)
        for k in range(n):
            street = create_area(
                s, code=f"S{tag}{k}", name=f"街{tag}{k}", kind=AreaKind.STREET, parent=district
            )
            for j in range(2):
                create_area(
                    s,
                    code=f"M{tag}{k}-{j}",
                    name=f"社{tag}{k}-{j}",
                    kind=AreaKind.COMMUNITY,
                    parent=street,
                )


def _choice(html: str) -> str:
    return html.split('id="f-area_id"', 1)[1].split("</select>", 1)[0]


def test_the_team_area_choice_reads_as_many_statements_for_3n_areas_as_for_n(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    client.sign_in("admin", PASSWORD)
    _streets(engine, world, 30, "a")
    few = page_selects(app.state.engine, client, "/admin/volunteers")[0]
    _streets(engine, world, 60, "b")
    count, html = page_selects(app.state.engine, client, "/admin/volunteers")
    assert count == few
    assert _choice(html).count("<option") < 20  # the top level, not all 280 areas


def test_a_city_chooses_the_team_area_a_level_at_a_time(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: every area of the tree was one option."""
    client.sign_in("admin", PASSWORD)
    _streets(engine, world, 40, "c")
    top = client.get("/admin/volunteers").text
    assert "测试市" in _choice(top) and "街c0" not in _choice(top)
    district = client.get(f"/admin/volunteers?area={world['district'].id}").text
    assert "街c39" in _choice(district) and "社c0-0" not in _choice(district)
    assert f'href="/admin/volunteers?area={world["city"].id}#team-area"' in district
    with Session(engine) as s:
        street = s.scalar(select(Area.id).where(Area.name == "街c7"))
    page = f"/admin/volunteers?area={street}"
    html = client.get(page).text
    assert re.search(r'<option value="\d+"[^>]*>—+ 社c7-1</option>', _choice(html))
    community = re.search(r'<option value="(\d+)"[^>]*>—+ 社c7-1', html)
    assert community is not None
    r = client.submit(
        "/admin/volunteers/teams",
        {
            "name": "分步选区域队",
            "area_id": community.group(1),
            "kind": "featured",
            "join_mode": "open",
        },
        page=page,
    )
    assert r.status_code in (200, 303), r.text
    with Session(engine) as s:
        team = s.scalar(select(Team).where(Team.name == "分步选区域队"))
        assert team is not None and team.area_id == int(community.group(1))


def test_the_office_lists_the_teams_a_page_at_a_time(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: /admin/volunteers listed every team (200 in a city)."""
    client.sign_in("admin", PASSWORD)

    def add(n: int, tag: str) -> None:
        with Session(engine) as s, s.begin():
            place = get_area(s, world["community"].id)
            for k in range(n):
                teams.create_team(
                    s, area=place, name=f"队{tag}{k:03d}", kind="featured", join_mode="open"
                )

    add(20, "a")
    few = page_selects(app.state.engine, client, "/admin/volunteers")[0]
    add(50, "b")
    count, html = page_selects(app.state.engine, client, "/admin/volunteers")
    assert count == few
    assert html.count('<li><a href="/lead/teams/') == 50
    assert 'href="/admin/volunteers?page=2"' in html
    second = client.get("/admin/volunteers?page=2").text
    assert second.count('<li><a href="/lead/teams/') == 20 and "队b049" in second
