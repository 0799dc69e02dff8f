"""The public board, its open data and feed, and the hotspot page: counts only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.requests import intake
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import World

NAME, PHONE = "李秘密", "13912345678"


def _seed(engine: Engine, world: World, n: int = 4) -> None:
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        route_to_community(s, world, "roads")
        for i in range(n):
            file(s, world, f"路灯坏了第{i}次", category="roads", now=NOW - timedelta(days=i))
        intake.file_request(
            s,
            intake.NewRequest(
                category="environment",
                description="门口污水横流，电话联系我",
                area_id=world["grid"].id,
                channel="hotline",
                requester_name=NAME,
                requester_phone=PHONE,
                public=True,
            ),
            NOW,
            filer_id=world["people"]["staff"].id,
            requester_id=None,
        )


def test_the_board_counts_by_category_channel_status_and_place(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _seed(engine, world)
    page = client.get("/requests/board")
    assert page.status_code == 200
    assert 'id="board-total"' in page.text and "<strong>5</strong>" in page.text
    assert "<svg" in page.text and world["grid"].name in page.text
    data = client.get("/api/v1/requests").json()
    assert data["total"] == 5
    assert data["by_category"] == {"environment": 1, "roads": 4}
    assert data["by_channel"] == {"hotline": 1, "online": 4}
    narrowed = client.get(f"/api/v1/requests?area={world['community'].id}").json()
    assert narrowed["total"] == 5 and narrowed["area_id"] == world["community"].id
    csv = client.get("/api/v1/requests.csv")
    assert csv.status_code == 200 and csv.text.startswith("\ufeffcategory,channel,status,count")
    assert client.get("/api/v1/requests?area=999999").status_code == 404
    assert client.get("/api/v1/requests?area=x").status_code == 400
    assert client.get("/requests/board?area=x").status_code == 400


def test_the_feed_of_an_area_lists_its_latest_requests(
    client: FormClient, engine: Engine, world: World
) -> None:
    _seed(engine, world, 1)
    feed = client.get(f"/requests/board/{world['district'].id}/feed.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.text.count("<entry>") == 2
    assert client.get("/requests/board/999999/feed.atom").status_code == 404


def test_the_hotspot_page_shows_recurring_matters_and_the_ranking(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _seed(engine, world)
    page = client.get("/requests/hotspots")
    assert page.status_code == 200
    recurring = page.text.split('id="recurring"')[1].split("</table>")[0]
    assert world["grid"].name in recurring and '<td data-label="诉求数">4</td>' in recurring
    ranking = page.text.split('id="ranking"')[1].split("</table>")[0]
    assert '<td class="card-title">1</td>' in ranking  # one unit ranked first
    assert page.text.count("<svg") == 2


def test_no_public_page_or_export_shows_a_requester(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _seed(engine, world)
    area = world["district"].id
    for path in (
        "/requests/board",
        f"/requests/board?area={area}",
        "/requests/hotspots",
        f"/requests/hotspots?area={area}",
        f"/requests/board/{area}/feed.atom",
        "/api/v1/requests",
        "/api/v1/requests.csv",
        f"/api/v1/requests.csv?area={area}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        for secret in (NAME, PHONE, "污水横流", "路灯坏了", "王小明"):
            assert secret not in response.text, (path, secret)


def test_the_board_runs_the_same_few_statements_whatever_the_number_of_requests(
    client: FormClient, engine: Engine, world: World
) -> None:
    _seed(engine, world, 2)
    few, _ = page_selects(engine, client, "/requests/board")
    _seed(engine, world, 30)
    many, _ = page_selects(engine, client, "/requests/board")
    assert few == many <= 6
    spots_few, _ = page_selects(engine, client, "/requests/hotspots")
    _seed(engine, world, 5)
    assert page_selects(engine, client, "/requests/hotspots")[0] == spots_few <= 10


def test_the_ranking_reads_the_units_figures_the_worker_stored(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    from participation.requests import board
    from participation.requests.rules.calendar import local_day
    from web.ops.jobs import requests_figures

    app.state.fixed_now = NOW
    _seed(engine, world)
    with Session(engine) as s, s.begin():
        assert requests_figures(s, NOW, app.state.settings) == "1 units, 2 board counts"
        assert board.unit_board(s, local_day(NOW)).ranking[0].rates.received == 5
    _seed(engine, world, 2)  # filed after the worker ran: the ranking waits for its next run
    ranking = client.get("/requests/hotspots").text.split('id="ranking"')[1].split("</table>")[0]
    assert '<td data-label="受理总数">5</td>' in ranking
    assert '<td data-label="受理总数">7</td>' not in ranking


def test_after_the_worker_ran_the_pages_and_open_data_read_its_counts_as_of_then(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    from web.ops.jobs import requests_figures

    app.state.fixed_now = NOW
    _seed(engine, world)
    area = world["district"].id
    paths = [
        "/api/v1/requests",
        f"/api/v1/requests?area={area}",
        "/api/v1/requests.csv",
        f"/api/v1/requests.csv?area={area}",
    ]
    live = {p: client.get(p).text for p in paths}
    live_spots = client.get("/requests/hotspots").text
    assert 'id="as-of"' not in client.get("/requests/board").text
    with Session(engine) as s, s.begin():
        requests_figures(s, NOW, app.state.settings)
    for path in paths:  # the same numbers, now from the summary tables
        answer = client.get(path).text
        assert answer.replace('"as_of":"2026-05-13T02:00:00+00:00"', '"as_of":null') == live[path]
    spots = client.get("/requests/hotspots").text
    assert 'id="as-of"' in spots
    for table in ("hotspot-cells", "recurring", "rising", "ranking"):
        part = f'id="{table}"'
        assert (
            spots.split(part)[1].split("</table>")[0]
            == live_spots.split(part)[1].split("</table>")[0]
        )
    _seed(engine, world, 2)  # filed after the run: the board waits for the next one
    page = client.get("/requests/board")
    assert 'id="as-of"' in page.text and "<strong>5</strong>" in page.text
