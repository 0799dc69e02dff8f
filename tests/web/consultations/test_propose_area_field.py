"""Proposing a topic at a city's size (~500 communities): the community is chosen a
level of the tree at a time, never from a list of every community, in as many
statements for 3N areas as for N; a resident on the roll finds their own
community chosen, and can step elsewhere without JavaScript."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.models import Topic
from participation.areas import get_area
from tests.support.areas import more_streets
from tests.support.client import FormClient
from tests.support.queries import statements_of_page
from tests.web.consultations.test_public_list_paged import place  # noqa: F401 (fixture)

URL = "/consultations/topics/new"
PASSWORD = "correct horse"


def _chosen(html: str) -> list[tuple[str, bool]]:
    """The community field's options: (name, selected)."""
    field = html.split('id="f-area_id"')[1].split("</select>")[0]
    found = re.findall(r"<option value=\"\d+\"( selected)?>([^<]+)</option>", field)
    return [(name.lstrip("— ").strip(), bool(on)) for on, name in found]


def test_the_community_field_never_lists_the_whole_city(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    """Fails on the old code: the <select> listed every community of the city."""
    with Session(engine) as s:
        community = get_area(s, place["area"].id)
        street = get_area(s, int(community.parent_id or 0))
        district = int(street.parent_id or 0)
    client.sign_in("res1", PASSWORD)
    more_streets(engine, district, 40, "a")  # past areas.FLAT_AREAS: a level at a time
    few = statements_of_page(client, URL)
    small = client.get(URL).text
    more_streets(engine, district, 80, "b")  # 3N
    many = statements_of_page(client, URL)
    big = client.get(URL).text
    assert len(few) == len(many)
    # Their own community is offered and chosen; nobody else's is listed.
    assert _chosen(small) == _chosen(big) == [(community.name, True)]
    assert f'href="{URL}?area={district}#propose-area"' in big  # a step back up
    # Stepping to the district offers its streets to narrow down, no community.
    at_district = client.get(f"{URL}?area={district}").text
    assert _chosen(at_district) == []
    narrow = at_district.split('id="propose-area-narrow"')[1].split("</select>")[0]
    assert "街b79" in narrow and "社" not in narrow
    made = client.submit(
        URL,
        {"area_id": community.id, "title": "楼道照明", "body": "灯坏了", "source": "resident"},
        page=URL,
    )
    assert made.status_code == 303
    with Session(engine) as s:
        topic = s.scalars(select(Topic).where(Topic.title == "楼道照明")).one()
        assert topic.area_id == community.id


def test_a_refused_proposal_keeps_the_community_chosen(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    client.sign_in("res1", PASSWORD)
    other = place["other"]
    refused = client.submit(URL, {"area_id": other.id, "title": "", "source": "resident"}, page=URL)
    assert refused.status_code == 422
    assert (other.name, True) in _chosen(refused.text)
    empty = client.submit(URL, {"area_id": "", "title": "路灯", "source": "resident"}, page=URL)
    assert empty.status_code == 422 and "请选择社区" in empty.text
