"""The requests back office at city scale (issue 17): the unit, grid and area choices
go a level at a time, the lists are paged in SQL, and each page runs as many
statements for 3N areas (grids, assignments, visits) as for N."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import create_area, get_area
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.queries import statements_of_page


def _streets(engine: Engine, world: dict[str, Any], n: int, tag: str) -> None:
    """``n`` streets in the district, each with a community and a grid."""
    with Session(engine) as s, s.begin():
        district = get_area(s, world["district"].id)
        for k in range(n):
            street = create_area(
                s, code=f"S{tag}{k}", name=f"街{tag}{k}", kind=AreaKind.STREET, parent=district
            )
            community = create_area(
                s, code=f"M{tag}{k}", name=f"社{tag}{k}", kind=AreaKind.COMMUNITY, parent=street
            )
            create_area(
                s, code=f"G{tag}{k}", name=f"格{tag}{k}", kind=AreaKind.GRID, parent=community
            )


def _options(html: str, select_id: str) -> list[str]:
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, select_id
    return re.findall(r"<option [^>]*>([^<]*)</option>", found.group(1))


def test_the_members_page_lists_units_a_level_at_a_time_in_few_statements(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: every area office of the city was an <option>, and
    each one's area was read on its own (5,648 statements for a city)."""
    page = "/admin/requests/members"
    client.sign_in("admin")
    _streets(engine, world, 30, "a")
    first = len(statements_of_page(client, page))
    top = _options(client.get(page).text, "f-unit-show")
    assert not any("街a" in o or "社a" in o for o in top)
    assert any("一区" in o for o in top)
    _streets(engine, world, 90, "b")  # 3N more
    assert len(statements_of_page(client, page)) == first
    stepped = client.get(f"{page}?unit_area={world['district'].id}").text
    options = _options(stepped, "f-unit-show")
    assert any("街a0" in o for o in options) and any("街b89" in o for o in options)
    assert not any("社a0" in o for o in options)
    # A chosen area office is shown (and selected) wherever it is in the tree.
    community = world["community"].id
    chosen = client.get(f"{page}?unit=a:{community}")
    assert chosen.status_code == 200
    assert f'<option value="a:{community}" selected>' in chosen.text
    assert len(statements_of_page(client, f"{page}?unit=a:{community}")) <= first + 3
