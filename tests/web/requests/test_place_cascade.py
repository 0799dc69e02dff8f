"""Choosing the place of a request in a city with many grids: a cascade district →
street → community → grid, one GET per step without JavaScript; a small scope keeps
one list. Each step reads the same few statements however many grids there are."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.areas import Area, create_area
from participation.requests import places
from participation.requests.models import ResidentRequest
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import World


def _city(engine: Engine, world: World, grids: int) -> dict[str, int]:
    """Two more streets of the world's district, 4 communities each, ``grids`` grids
    in each community: more places than one list should hold."""
    with Session(engine) as s, s.begin():
        district = s.get(Area, world["district"].id)
        route_to_community(s, world)
        ids: dict[str, int] = {}
        for i in range(2):
            street = create_area(
                s, code=f"XS{i}", name=f"新街道{i}", kind=AreaKind.STREET, parent=district
            )
            for j in range(4):
                community = create_area(
                    s,
                    code=f"XC{i}{j}",
                    name=f"新社区{i}{j}",
                    kind=AreaKind.COMMUNITY,
                    parent=street,
                )
                for k in range(grids):
                    grid = create_area(
                        s,
                        code=f"XG{i}{j}.{k}",
                        name=f"新网格{i}{j}.{k}",
                        kind=AreaKind.GRID,
                        parent=community,
                    )
                ids.update(street=street.id, community=community.id, grid=grid.id)
    return ids


def _options(text: str, select_id: str) -> list[str]:
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', text, re.S)
    return re.findall(r'<option value="(\d+)"', found.group(1)) if found else []


def test_a_small_scope_keeps_one_list(client: FormClient, world: World) -> None:
    client.sign_in("resident")
    page = client.get("/requests/new").text
    assert str(world["grid"].id) in _options(page, "f-area_id")
    assert 'id="f-place"' not in page


def test_the_cascade_leads_step_by_step_to_a_grid_and_files_there(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    ids = _city(engine, world, 10)
    client.sign_in("resident")
    first = client.get("/requests/new").text
    assert _options(first, "f-area_id") == [] and _options(first, "f-place") == [
        str(world["district"].id)
    ]
    streets = client.get(f"/requests/new?place={world['district'].id}").text
    assert str(ids["street"]) in _options(streets, "f-place")
    communities = client.get(f"/requests/new?place={ids['street']}").text
    assert str(ids["community"]) in _options(communities, "f-place")
    assert 'id="place-chain"' in communities
    grids = client.get(f"/requests/new?place={ids['community']}").text
    assert _options(grids, "f-area_id")[0] == str(ids["community"])
    assert (
        str(ids["grid"]) in _options(grids, "f-area_id") and len(_options(grids, "f-area_id")) == 11
    )
    assert 'form="request-form"' in grids
    filed = client.submit(
        "/requests/new",
        {"category": "environment", "description": "新网格路灯坏了", "area_id": str(ids["grid"])},
        page=f"/requests/new?place={ids['community']}",
    )
    assert filed.status_code == 303
    with Session(engine) as s:
        assert s.scalar(select(ResidentRequest.area_id)) == ids["grid"]
    # Nothing chosen yet: the form refuses with the message beside the place.
    refused = client.submit(
        "/requests/new", {"category": "environment", "description": "x"}, page="/requests/new"
    )
    assert refused.status_code == 422 and "f-area_id-error" in refused.text
    assert client.get("/requests/new?place=abc").status_code == 200
    assert client.get("/requests/new?place=²").status_code == 200  # a digit, not ASCII


def test_each_step_costs_the_same_statements_at_few_and_many_grids(
    client: FormClient, engine: Engine, world: World
) -> None:
    few = _city(engine, world, 8)
    client.sign_in("resident")
    steps = [f"/requests/new?place={few['street']}", f"/requests/new?place={few['community']}"]
    counted = [page_selects(engine, client, p)[0] for p in steps]
    with Session(engine) as s, s.begin():
        community = s.get(Area, few["community"])
        for k in range(40):
            create_area(s, code=f"YG{k}", name=f"加网格{k}", kind=AreaKind.GRID, parent=community)
    assert [page_selects(engine, client, p)[0] for p in steps] == counted


def test_a_worker_s_cascade_stays_within_the_areas_they_cover(engine: Engine, world: World) -> None:
    ids = _city(engine, world, 10)
    with Session(engine) as s:
        street = s.get(Area, ids["street"])
        district = world["district"]
        assert street is not None
        one_street = places.choose(s, None, [street.path])  # 44 places: one list
        assert one_street.flat and len(one_street.places) == 44
        whole = places.choose(s, None, [district.path])  # starts where the scope does
        assert not whole.flat and whole.chain[-1].id == district.id
        streets = [a.path for a in whole.options if a.code.startswith("XS")]
        outside = places.choose(s, world["community"].id, streets)  # not theirs: ignored
        assert outside.places == [] and [a.id for a in outside.options] == [district.id]
        inside = places.choose(s, ids["grid"], streets)
        assert inside.chosen == ids["grid"] and len(inside.places) == 11


def test_staff_choose_the_unit_to_send_to_area_by_area(
    client: FormClient, engine: Engine, world: World
) -> None:
    """In a city the redirect list holds the chain above the request's community and
    its grids, not every area; a GET step lists another street's communities."""
    ids = _city(engine, world, 10)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, _ = file(s, world, "路口井盖缺失", category="roads")
    base = f"/admin/requests/{request.id}"
    client.sign_in("communityworker")
    page = client.get(base).text
    near = _options_keys(page, "f-unit-redirect")
    assert f"a:{world['community'].id}" in near and f"a:{world['grid'].id}" in near
    areas = [k for k in near if k.startswith("a:")]  # district, street, community, its grid
    assert f"a:{ids['grid']}" not in near and len(areas) == 4
    assert 'id="unit-area-step"' in page
    step = client.get(f"{base}?unit_area={ids['street']}").text
    assert f"a:{ids['community']}" in _options_keys(step, "f-unit-redirect")
    sent = client.submit(
        f"{base}/redirect",
        {"unit": f"a:{ids['community']}", "reason": "属新社区职责"},
        page=f"{base}?unit_area={ids['street']}",
    )
    assert sent.status_code == 303
    with Session(engine) as s:
        stored = s.get(ResidentRequest, request.id)
        assert stored is not None and stored.status == "routed"
    assert client.get(f"{base}?unit_area=zz").status_code == 200


def _options_keys(text: str, select_id: str) -> list[str]:
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', text, re.S)
    return re.findall(r'<option value="([^"]+)"', found.group(1)) if found else []
