"""A congress's level (city, district or street) on /admin/congresses is chosen a
level at a time in a city, in as many statements for 3N areas as for N; a small
tree keeps its one <select> of the three levels."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Engine

from tests.support.areas import more_streets
from tests.support.client import FormClient
from tests.support.queries import statements_of_page

PAGE = "/admin/congresses"


def _choice(html: str) -> str:
    found = re.search(r'<select id="c-area"[^>]*>(.*?)</select>', html, re.S)
    assert found
    return found.group(1)


def test_a_small_tree_offers_its_three_levels_in_one_select(
    client: FormClient, world: dict[str, Any]
) -> None:
    client.sign_in("admin")
    html = client.get(PAGE).text
    assert _choice(html).count("<option ") == 3  # the city, the district, the street
    assert "一社区" not in html and "缩小范围" not in html


def test_a_city_chooses_the_level_a_step_at_a_time(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: every city, district and street was an <option>."""
    client.sign_in("admin")
    more_streets(engine, world["district"].id, 30, "a", communities=2)  # 96 areas
    first = len(statements_of_page(client, PAGE))
    assert _choice(client.get(PAGE).text).count("<option ") <= 2
    more_streets(engine, world["district"].id, 60, "b", communities=2)
    assert len(statements_of_page(client, PAGE)) == first
    stepped = client.get(f"{PAGE}?area={world['district'].id}").text
    assert "街a0" in stepped and "街b59" in stepped
    street = re.search(r'<option value="(\d+)">街a0</option>', stepped)
    assert street
    # At a street the choice ends: its communities hold no congress.
    down = client.get(f"{PAGE}?area={street.group(1)}").text
    assert re.search(rf'<option value="{street.group(1)}" selected>', _choice(down))
    assert "社a0-0" not in down and 'id="congress-area-narrow"' not in down
