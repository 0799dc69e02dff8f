"""The public board and hotspot page narrow to an area a level at a time: the filter
offers the chain reached and the next level above the grids, never every area of a
city in one <select> (issue 17); as many statements for 3N areas as for N."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.support.areas import more_streets
from tests.support.client import FormClient
from tests.support.queries import statements_of_page


def _options(html: str) -> list[str]:
    found = re.search(r'<select id="area"[^>]*>(.*?)</select>', html, re.S)
    assert found
    return re.findall(r"<option [^>]*>([^<]*)</option>", found.group(1))


@pytest.mark.parametrize("page", ["/requests/board", "/requests/hotspots"])
def test_the_area_filter_goes_a_level_at_a_time(
    client: FormClient, engine: Engine, world: dict[str, Any], page: str
) -> None:
    """Fails on the old code: every street and community was an <option>."""
    more_streets(engine, world["district"].id, 30, "a", grid=True)
    first = len(statements_of_page(client, page))
    top = _options(client.get(page).text)
    assert len(top) <= 4 and not any("街a" in o for o in top)
    more_streets(engine, world["district"].id, 60, "b", grid=True)  # 3N
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
