"""A unit's queue is paged in SQL (keyset by id): every open request shows exactly once
across the pages, the links lead on and back, and a page costs the same statements at
N requests and at 3N. The board and the hotspot page likewise, once the worker stored
their counts."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import World


def _seed(engine: Engine, world: World, n: int) -> list[str]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        return [
            file(s, world, f"楼道灯坏了第{i}次", now=NOW - timedelta(hours=i))[0].number
            for i in range(n)
        ]


def _numbers(text: str) -> list[str]:
    queue = text.split('id="queue"')[1].split("</ul>")[0]
    return re.findall(r'/admin/requests/\d+">([^<]+)</a>', queue)


def test_the_pages_of_the_queue_show_every_open_request_once(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    numbers = _seed(engine, world, 65)
    client.sign_in("unitstaff")
    seen: list[str] = []
    url = "/admin/requests"
    pages = []
    while url:
        page = client.get(url).text
        pages.append(url)
        seen += _numbers(page)
        found = re.search(r'href="(/admin/requests\?[^"]*after=\d+)" rel="next"', page)
        url = found.group(1).replace("&amp;", "&") if found else ""
    assert len(pages) == 3 and sorted(seen) == sorted(numbers) and len(seen) == 65
    last = client.get(pages[-1]).text
    back = re.search(r'href="(/admin/requests\?[^"]*before=\d+)" rel="prev"', last)
    assert back is not None
    assert _numbers(client.get(back.group(1).replace("&amp;", "&")).text) == _numbers(
        client.get(pages[1]).text
    )
    assert client.get("/admin/requests?after=x&before=-1").status_code == 200
    assert client.get("/admin/requests?after=²").status_code == 200


def test_queue_board_and_hotspots_cost_the_same_statements_at_n_and_3n(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    from web.ops.jobs import requests_figures

    app.state.fixed_now = NOW
    paths = ["/admin/requests", "/admin/requests?due=soon", "/requests/board", "/requests/hotspots"]
    _seed(engine, world, 40)
    with Session(engine) as s, s.begin():
        requests_figures(s, NOW, app.state.settings)
    client.sign_in("unitstaff")
    few = {p: page_selects(engine, client, p)[0] for p in paths}
    _seed(engine, world, 80)
    with Session(engine) as s, s.begin():
        requests_figures(s, NOW, app.state.settings)
    many = {p: page_selects(engine, client, p)[0] for p in paths}
    assert few == many
    assert max(many.values()) <= 12, many
