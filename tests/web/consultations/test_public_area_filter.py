"""The area filter of /consultations at a city's size (~500 communities): a level of
the tree at a time (the chain to the area chosen and its children), never every
community, in as many statements for 3N areas as for N; any level filters the lists,
without JavaScript, and htmx's swap of the list brings the next level along."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import get_area
from tests.support.areas import more_streets
from tests.support.client import FormClient
from tests.support.queries import RENDER_ANEW, statements_of_page
from tests.web.consultations.test_public_list_paged import (  # noqa: F401 (fixture)
    URL,
    _consultations,
    _grow,
    _topics,
    place,
)


def _options(html: str) -> list[str]:
    field = html.split('id="consultation_area"')[1].split("</select>")[0]
    names = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", field)
    return [name.lstrip("— ").strip() for name in names]  # without the depth's dashes


def _district(engine: Engine, place: dict[str, Any]) -> tuple[int, int]:  # noqa: F811
    """The ids of the community's district and street."""
    with Session(engine) as s:
        street = get_area(s, place["area"].parent_id)
        return int(street.parent_id or 0), street.id


def test_the_area_filter_runs_as_many_statements_for_3n_communities_as_for_n(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    """Fails on the old code: the <select> listed every community of the city."""
    district, _street = _district(engine, place)
    more_streets(engine, district, 40, "a")  # past areas.FLAT_AREAS: a level at a time
    few = statements_of_page(client, URL)
    small = client.get(URL, headers=RENDER_ANEW).text
    more_streets(engine, district, 80, "b")  # 3N
    many = statements_of_page(client, URL)
    big = client.get(URL, headers=RENDER_ANEW).text
    assert len(few) == len(many)
    assert _options(small) == _options(big) == ["市"]  # the top level only
    assert abs(len(big.encode()) - len(small.encode())) < 200
    # A district offers its streets (at most areas.STEP_LIMIT), never the communities
    # below them.
    at_district = client.get(f"{URL}?area={district}", headers=RENDER_ANEW).text
    assert not any("社" in name for name in _options(at_district))
    assert len(_options(at_district)) == 2 + 121  # the chain and its streets


def test_any_level_of_the_tree_filters_the_lists(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    district, street = _district(engine, place)
    more_streets(engine, district, 40, "a")
    _grow(engine, place, 3, "a")
    for area in (district, street, place["area"].id):
        page = client.get(f"{URL}?area={area}", headers=RENDER_ANEW).text
        assert _consultations(page) == ["协商a002", "协商a001", "协商a000"]
        assert _topics(page)[0] == "议题a002"
        assert f'<option value="{area}" selected>' in page
    # Another street's community has none of them; the street chosen offers its two.
    elsewhere = client.get(f"{URL}?area={place['other'].id}", headers=RENDER_ANEW).text
    assert not _consultations(elsewhere) and not _topics(elsewhere)
    at_street = _options(client.get(f"{URL}?area={street}", headers=RENDER_ANEW).text)
    assert at_street[-2:] == ["望江社区", "春晖社区"]
    # htmx swaps the list and the area field (out of band) with the next level.
    fragment = client.get(
        f"{URL}?area={street}", headers={"HX-Request": "true", "HX-Target": "consultation_list"}
    ).text
    assert fragment.lstrip().startswith('<section id="consultation_list"')
    assert 'id="consultation_area" hx-swap-oob="true"' in fragment
    assert _options(fragment) == at_street


def test_an_unreadable_area_lists_everything_and_an_unknown_one_is_not_found(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    _grow(engine, place, 2, "a")
    for query in ("area=abc", "area=", "area=-1", "area=99999999999999999999"):
        page = client.get(f"{URL}?{query}", headers=RENDER_ANEW)
        assert page.status_code == 200 and len(_consultations(page.text)) == 2
    assert client.get(f"{URL}?area=99999999", headers=RENDER_ANEW).status_code == 404
