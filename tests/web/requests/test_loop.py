"""The loop: a hotspot becomes a governance plan item in one step, linked both ways,
and every requester of the matter is told."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.notices import Notice
from participation.plan.models import PlanItem
from participation.requests.loop import HotspotAction
from tests.support.client import FormClient
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import World


def _hotspot(engine: Engine, world: World) -> None:
    with Session(engine) as s, s.begin():
        route_to_community(s, world, "roads")
        for i, who in enumerate(["resident", "resident", "nobody", None]):
            file(
                s,
                world,
                f"路灯坏了{i}",
                category="roads",
                requester=who,
                now=NOW - timedelta(days=i),
            )


def test_staff_put_a_hotspot_on_the_plan_and_its_requesters_are_told(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _hotspot(engine, world)
    client.sign_in("staff")
    page = client.get("/requests/hotspots")
    assert "/admin/requests/hotspots/plan" in page.text
    fields = {"area_id": str(world["grid"].id), "category": "roads"}
    response = client.submit("/admin/requests/hotspots/plan", fields, page="/requests/hotspots")
    assert response.status_code == 303, response.text
    again = client.submit("/admin/requests/hotspots/plan", fields, page="/requests/hotspots")
    assert again.headers["location"] == response.headers["location"]  # one item, not two
    with Session(engine) as s:
        action = s.scalars(select(HotspotAction)).one()
        item = s.get(PlanItem, action.plan_item_id)
        assert item is not None and item.source_kind == "resident_requests"
        assert item.source_id == action.id
        assert item.title == f"{world['grid'].name}：道路交通"
        told = s.scalars(
            select(Notice.account_id).where(Notice.kind == "requests.hotspot_planned")
        ).all()
        assert sorted(told) == sorted(
            {world["people"]["resident"].id, world["people"]["nobody"].id}
        )
    assert response.headers["location"] == f"/requests/hotspots/{action.id}"
    shown = client.get(response.headers["location"])
    assert f'href="/plan/items/{item.id}"' in shown.text and "<strong>4</strong>" in shown.text
    assert f"/requests/hotspots/{action.id}" in client.get("/requests/hotspots").text
    assert f"/requests/hotspots/{action.id}" in client.get(f"/plan/items/{item.id}").text


def test_a_bad_hotspot_is_refused_and_nothing_is_stored(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("staff")
    for fields in (
        {"area_id": str(world["grid"].id), "category": "nonsense"},
        {"category": "roads"},
    ):
        response = client.submit("/admin/requests/hotspots/plan", fields, page="/requests/hotspots")
        assert response.status_code == 422
    response = client.submit(
        "/admin/requests/hotspots/plan",
        {"area_id": "999999", "category": "roads"},
        page="/requests/hotspots",
    )
    assert response.status_code == 404
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(HotspotAction)) == 0
        assert s.scalar(select(func.count()).select_from(PlanItem)) == 0


def test_a_hotspot_outside_the_workers_areas_is_refused(
    client: FormClient, engine: Engine, world: World
) -> None:
    from participation.accounts import grant_role
    from participation.areas import create_area
    from participation.rules.areas import AreaKind
    from participation.rules.permissions import Role

    with Session(engine) as s, s.begin():
        street = s.get(type(world["community"]), world["community"].parent_id)
        other = create_area(
            s, code="OTHER", name="别的社区", kind=AreaKind.COMMUNITY, parent=street
        )
        account = s.get(type(world["people"]["nobody"]), world["people"]["nobody"].id)
        assert account is not None
        grant_role(s, account, Role.COMMUNITY_WORKER, other)
    client.sign_in("nobody")
    fields = {"area_id": str(world["grid"].id), "category": "roads"}
    response = client.submit("/admin/requests/hotspots/plan", fields, page="/requests/hotspots")
    assert response.status_code == 403
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(HotspotAction)) == 0
