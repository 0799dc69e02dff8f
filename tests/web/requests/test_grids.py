"""Grid work through the pages: the grid worker files only in their grids, their own
page (in a fixed number of queries), assignments and visits in the back office."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.areas import Area, create_area
from participation.db import Base
from participation.requests import grids, intake
from participation.requests.models import ResidentRequest
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.requests import NOW, route_to_community
from tests.support.world import World

TODAY = date(2026, 5, 13)  # NOW's local day


def _count(engine: Engine, model: type[Base]) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _second_grid(engine: Engine, world: World, parent: str = "community", code: str = "G2") -> Area:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        return create_area(s, code=code, name="二网格", kind=AreaKind.GRID, parent=world[parent])  # type: ignore[literal-required]


def _assign(engine: Engine, world: World, grid_id: int, start: date = TODAY) -> None:
    with Session(engine) as s, s.begin():
        grids.assign(s, grid_id, world["people"]["grid_worker"].id, start, None, None, None)


def _assist(client: FormClient, area_id: int) -> object:
    return client.submit(
        "/requests/assist",
        {
            "channel": "patrol",
            "category": "roads",
            "description": "井盖缺失",
            "area_id": str(area_id),
        },
        page="/requests/assist",
    )


def test_an_assigned_worker_files_only_in_their_grids(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    grid2 = _second_grid(engine, world)
    _assign(engine, world, world["grid"].id)
    client.sign_in("gridworker")
    form = client.get("/requests/assist").text
    assert f'value="{world["grid"].id}"' in form and f'value="{grid2.id}"' not in form
    # Grid 2 lies in the community their role covers, but nobody assigned them to it.
    outside = _assist(client, grid2.id)
    assert outside.status_code == 422 and "f-area_id-error" in outside.text  # type: ignore[attr-defined]
    assert "只能在您负责的区域内提交诉求" in outside.text  # type: ignore[attr-defined]
    assert _count(engine, ResidentRequest) == 0
    assert _assist(client, world["grid"].id).status_code == 303  # type: ignore[attr-defined]
    assert _count(engine, ResidentRequest) == 1


def test_a_worker_whose_assignment_ended_files_nowhere(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        row = grids.assign(
            s,
            world["grid"].id,
            world["people"]["grid_worker"].id,
            TODAY - timedelta(days=60),
            None,
            None,
            None,
        )
        grids.end_assignment(s, row.id, TODAY - timedelta(days=1), None, None)
    client.sign_in("gridworker")
    assert _assist(client, world["grid"].id).status_code == 422  # type: ignore[attr-defined]
    assert _count(engine, ResidentRequest) == 0


def test_the_worker_page_shows_their_grids_requests_and_due_dates(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW + timedelta(days=14)  # the time to accept has run out
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        intake.file_request(
            s,
            intake.NewRequest("environment", "楼道堆放杂物", world["grid"].id, channel="patrol"),
            NOW,
            filer_id=world["people"]["grid_worker"].id,
            requester_id=None,
        )
    _assign(engine, world, world["grid"].id, TODAY)
    client.sign_in("gridworker")
    page = client.get("/requests/grid")
    assert page.status_code == 200
    assert "一社区 · 一网格" in page.text and "楼道堆放杂物" in page.text
    assert "已超期" in page.text or "超期" in page.text


def test_the_worker_page_runs_a_fixed_number_of_queries(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
    _assign(engine, world, world["grid"].id)
    client.sign_in("gridworker")

    def add(n: int, grid_id: int) -> None:
        with Session(engine) as s, s.begin():
            for i in range(n):
                intake.file_request(
                    s,
                    intake.NewRequest("environment", f"第{i}件事", grid_id, channel="patrol"),
                    NOW,
                    filer_id=world["people"]["grid_worker"].id,
                    requester_id=None,
                )

    add(1, world["grid"].id)
    few, _ = page_selects(engine, client, "/requests/grid")
    grid2 = _second_grid(engine, world)
    _assign(engine, world, grid2.id)
    add(8, world["grid"].id)
    add(8, grid2.id)
    many, text = page_selects(engine, client, "/requests/grid")
    assert "一社区 · 二网格" in text and text.count("第7件事") >= 4  # both grids, both lists
    assert many == few


def test_staff_assign_workers_only_to_grids_in_their_area(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    outside = _second_grid(engine, world, "other", "G9")
    client.sign_in("communityworker")
    page = client.get("/admin/requests/grids")
    assert page.status_code == 200 and f'value="{outside.id}"' not in page.text
    data = {
        "grid_id": str(outside.id),
        "worker_id": str(world["people"]["grid_worker"].id),
        "starts_on": "2026-05-13",
    }
    refused = client.submit("/admin/requests/grids", data, page="/admin/requests/grids")
    assert refused.status_code == 422 and "f-grid_id-error" in refused.text
    assert "这个网格不在您负责的区域内" in refused.text
    bad_dates = client.submit(
        "/admin/requests/grids",
        data | {"grid_id": str(world["grid"].id), "ends_on": "2026-05-01"},
        page="/admin/requests/grids",
    )
    assert bad_dates.status_code == 422
    assert _count(engine, grids.GridAssignment) == 0
    done = client.submit(
        "/admin/requests/grids",
        data | {"grid_id": str(world["grid"].id)},
        page="/admin/requests/grids",
    )
    assert done.status_code == 303
    with Session(engine) as s:
        row = s.scalar(select(grids.GridAssignment))
        assert row is not None and row.ends_on is None
        row_id = row.id
    ended = client.submit(
        f"/admin/requests/grids/{row_id}/end",
        {"ends_on": "2026-05-20"},
        page="/admin/requests/grids",
    )
    assert ended.status_code == 303
    with Session(engine) as s:
        assert s.get(grids.GridAssignment, row_id).ends_on == date(2026, 5, 20)  # type: ignore[union-attr]
    client.sign_in("staff")  # district staff may end it too, but not before it began
    early = client.submit(
        f"/admin/requests/grids/{row_id}/end",
        {"ends_on": "2020-01-01"},
        page="/admin/requests/grids",
    )
    assert early.status_code == 422


def test_a_visit_is_recorded_never_in_the_future_and_its_finding_filed(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
    client.sign_in("communityworker")
    rule = client.submit(
        "/admin/requests/visits/rules",
        {"rule_area_id": str(world["community"].id), "digits": "5 0"},
        page="/admin/requests/visits",
    )
    assert rule.status_code == 303
    no_digits = client.submit(
        "/admin/requests/visits/rules",
        {"rule_area_id": str(world["community"].id), "digits": "逢五"},
        page="/admin/requests/visits",
    )
    assert no_digits.status_code == 422
    visit = {"grid_id": str(world["grid"].id), "cadre": "张书记", "findings": "垃圾桶满溢"}
    future = client.submit(
        "/admin/requests/visits",
        visit | {"visited_on": "2026-05-14"},
        page="/admin/requests/visits",
    )
    assert future.status_code == 422 and "走访还没发生" in future.text
    assert _count(engine, grids.GridVisit) == 0
    done = client.submit(
        "/admin/requests/visits",
        visit | {"visited_on": "2026-05-10"},
        page="/admin/requests/visits",
    )
    assert done.status_code == 303
    with Session(engine) as s:
        visit_id = s.scalar(select(grids.GridVisit.id))
    listed = client.get("/admin/requests/visits").text
    assert "垃圾桶满溢" in listed and "张书记" in listed
    filed = client.submit(
        f"/admin/requests/visits/{visit_id}/file",
        {"category": "environment"},
        page="/admin/requests/visits",
    )
    assert filed.status_code == 303
    with Session(engine) as s:
        request = s.scalar(select(ResidentRequest))
        assert request is not None and request.channel == "visit" and request.status == "routed"
        assert filed.headers["location"] == f"/admin/requests/{request.id}"
    again = client.submit(
        f"/admin/requests/visits/{visit_id}/file",
        {"category": "environment"},
        page="/admin/requests/visits",
    )
    assert again.status_code == 409 and _count(engine, ResidentRequest) == 1


def test_visits_elsewhere_are_neither_listed_nor_filed(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    outside = _second_grid(engine, world, "other", "G9")
    with Session(engine) as s, s.begin():
        visit = grids.record_visit(s, outside.id, "李主任", TODAY, "井盖松动", None, TODAY, None)
        visit_id = visit.id
    client.sign_in("communityworker")
    assert "井盖松动" not in client.get("/admin/requests/visits").text
    refused = client.submit(
        f"/admin/requests/visits/{visit_id}/file",
        {"category": "roads"},
        page="/admin/requests/visits",
    )
    assert refused.status_code == 404 and _count(engine, ResidentRequest) == 0
    outside_visit = client.submit(
        "/admin/requests/visits",
        {
            "grid_id": str(outside.id),
            "cadre": "李主任",
            "findings": "x",
            "visited_on": "2026-05-10",
        },
        page="/admin/requests/visits",
    )
    assert outside_visit.status_code == 422 and _count(engine, grids.GridVisit) == 1


def test_the_pages_are_linked_from_the_requests_home_and_queue(
    client: FormClient, world: World
) -> None:
    client.sign_in("gridworker")
    assert 'href="/requests/grid"' in client.get("/requests").text
    client.sign_in("communityworker")
    queue = client.get("/admin/requests").text
    assert 'href="/admin/requests/grids"' in queue and 'href="/admin/requests/visits"' in queue
