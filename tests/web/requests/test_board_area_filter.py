"""The public board and hotspot page narrow to an area a level at a time: the filter
offers the chain reached and the next level above the grids, never every area of a
city in one <select> (issue 17); as many statements for 3N areas as for N."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import create_area, get_area
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.queries import statements_of_page


def _streets(engine: Engine, world: dict[str, Any], n: int, tag: str) -> None:
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


def _options(html: str) -> list[str]:
    found = re.search(r'<select id="area"[^>]*>(.*?)</select>', html, re.S)
    assert found
    return re.findall(r"<option [^>]*>([^<]*)</option>", found.group(1))


@pytest.mark.parametrize("page", ["/requests/board", "/requests/hotspots"])
def test_the_area_filter_goes_a_level_at_a_time(
    client: FormClient, engine: Engine, world: dict[str, Any], page: str
) -> None:
    """Fails on the old code: every street and community was an <option>."""
    _streets(engine, world, 30, "a")
    first = len(statements_of_page(client, page))
    top = _options(client.get(page).text)
    assert len(top) <= 4 and not any("街a" in o for o in top)
    _streets(engine, world, 60, "b")  # 3N
    assert len(statements_of_page(client, page)) == first
    district = world["district"].id
    stepped = _options(client.get(f"{page}?area={district}").text)
    assert any("街a0" in o for o in stepped) and any("街b59" in o for o in stepped)
    assert not any("社a0" in o for o in stepped)
    assert any(world["district"].name in o for o in stepped)  # the chain stays
    street = re.search(
        r'<option value="(\d+)"[^>]*>[^<]*街a0</option>', client.get(f"{page}?area={district}").text
    )
    assert street
    down = _options(client.get(f"{page}?area={street.group(1)}").text)
    assert any("社a0" in o for o in down)
    assert not any("格a0" in o for o in down) and not any("街b0" in o for o in down)
