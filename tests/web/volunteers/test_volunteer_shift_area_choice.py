"""The leader's new-shift form chooses the shift's place within the team's area:
in a city-sized subtree a level at a time, starting at the team's area, never
offering an area outside it (even when ?area= names one)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import create_area, get_area
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from volunteers import teams


def _choice(html: str) -> str:
    found = re.search(r'<select id="f-area_id"[^>]*>(.*?)</select>', html, re.S)
    assert found
    return found.group(1)


def test_a_district_team_chooses_within_its_district(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    with Session(engine) as s, s.begin():
        district = get_area(s, world["district"].id)
        for k in range(40):
            street = create_area(
                s, code=f"SX{k}", name=f"街x{k}", kind=AreaKind.STREET, parent=district
            )
            create_area(s, code=f"MX{k}", name=f"社x{k}", kind=AreaKind.COMMUNITY, parent=street)
        team = teams.create_team(s, area=district, name="一区队", kind="featured", join_mode="open")
        team_id = team.id
    client.sign_in("admin")
    page = f"/lead/teams/{team_id}/shifts/new"
    top = client.get(page).text
    assert "测试市" not in _choice(top)  # the city is above the team's area
    assert re.search(r'<option value="\d+" selected>\s*一区</option>', _choice(top))
    assert "街x0" in top and "社x0" not in top
    # A step outside the team's area is the team's area.
    outside = client.get(f"{page}?area={world['city'].id}").text
    assert _choice(outside) == _choice(top)
