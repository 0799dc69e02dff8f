"""Routing staff edit the routing table, redirect with a reason and merge the same
matter; a lead unit adds a helping unit; unanswered proposals close by the sweep."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.notices import Notice
from participation.requests import closing, handling
from participation.requests.models import HandlingUnit, RequestHelper, ResidentRequest, RoutingRule
from tests.support.client import FormClient
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import MakeClient, World


def _get(engine: Engine, request_id: int) -> ResidentRequest:
    with Session(engine, expire_on_commit=False) as s:
        found = s.get(ResidentRequest, request_id)
        assert found is not None
        return found


def test_the_routing_table_routes_new_requests_and_refuses_bad_rows(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("staff")
    page = "/admin/requests/routing"
    assert client.get(page).status_code == 200
    bad = client.submit(
        page,
        {
            "category": "roads",
            "area_id": str(world["district"].id),
            "scale": "any",
            "target": "d:999999",
        },
        page=page,
    )
    assert bad.status_code == 422
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(RoutingRule)) == 0
        department = s.scalar(select(func.min(HandlingUnit.id)))
    added = client.submit(
        page,
        {
            "category": "roads",
            "area_id": str(world["district"].id),
            "scale": "any",
            "target": "grid",
        },
        page=page,
    )
    assert added.status_code == 303
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, _ = file(s, world, "路口井盖缺失", category="roads")
    assert request.status == "routed"
    with Session(engine) as s:
        unit = s.get(HandlingUnit, request.unit_id)
        assert unit is not None and unit.area_id == world["grid"].id and department is None


def test_redirect_needs_a_reason_and_tells_the_timeline(
    client: FormClient, engine: Engine, world: World
) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, _ = file(s, world, "路口井盖缺失", category="roads")
    assert request.status == "unrouted"
    base = f"/admin/requests/{request.id}"
    client.sign_in("communityworker")
    assert request.number in client.get("/admin/requests").text
    no_reason = client.submit(f"{base}/redirect", {"unit": f"a:{world['community'].id}"}, page=base)
    assert no_reason.status_code == 422 and _get(engine, request.id).status == "unrouted"
    sent = client.submit(
        f"{base}/redirect",
        {"unit": f"a:{world['community'].id}", "reason": "属社区职责"},
        page=base,
    )
    assert sent.status_code == 303
    assert _get(engine, request.id).status == "routed"
    unit_staff = client.get(base)
    assert "属社区职责" in unit_staff.text


def test_similar_requests_are_suggested_and_merged_with_every_requester_told(
    client: FormClient, engine: Engine, world: World
) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        first, _ = file(s, world, "小区东门垃圾堆积三天没人清理")
        second, _ = file(s, world, "小区东门垃圾堆积了三天没有人清理", requester="volunteer")
        file(s, world, "楼上装修噪音太大", requester="deputy", category="environment")
    client.sign_in("staff")
    base = f"/admin/requests/{second.id}"
    page = client.get(base)
    assert f"/admin/requests/{first.id}" in page.text  # suggested as the same matter
    merged = client.submit(f"{base}/merge", {"into": str(first.id)}, page=base)
    assert merged.status_code == 303
    closed = _get(engine, second.id)
    assert (
        closed.status == "closed"
        and closed.closure == "merged"
        and closed.merged_into_id == first.id
    )
    with Session(engine) as s:
        told = set(
            s.scalars(
                select(Notice.account_id).where(
                    Notice.message.like("Request %(number)s is handled together%")
                )
            )
        )
    assert told == {world["people"]["resident"].id, world["people"]["volunteer"].id}
    assert "2 人" in client.get(f"/admin/requests/{first.id}").text  # raised by two people
    again = client.submit(f"{base}/merge", {"into": str(first.id)}, page=base)
    assert again.status_code == 409


def test_the_lead_unit_adds_a_helper_whose_staff_add_records(
    client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, _ = file(s, world)
        handling.accept(s, request, request.unit_id or 0, NOW, world["people"]["unit_staff"].id)
    base = f"/admin/requests/{request.id}"
    client.sign_in("unitstaff")
    joined = client.submit(f"{base}/join", {"helper": f"a:{world['other'].id}"}, page=base)
    assert joined.status_code == 303
    twice = client.submit(f"{base}/join", {"helper": f"a:{world['other'].id}"}, page=base)
    assert twice.status_code == 422
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(RequestHelper)) == 1
    with Session(engine) as s, s.begin():
        from participation import accounts
        from participation.rules.permissions import Role

        helper = accounts.sign_up(
            s, login="helperunit", password="correct horse", display_name="协办"
        )
        accounts.grant_role(s, helper, Role.UNIT_STAFF, world["other"])
    other = make_client()
    other.sign_in("helperunit")
    assert (
        other.submit(
            f"{base}/record", {"note": "协助清运", "minutes": "20", "kind": "action"}, page=base
        ).status_code
        == 303
    )
    assert other.submit(f"{base}/propose", {"result": "已完成"}, page=base).status_code == 403
    assert "协助清运" in client.get(base).text


def test_unanswered_proposals_close_as_not_confirmed(session: Session, world: World) -> None:
    route_to_community(session, world)
    request, _ = file(session, world)
    handling.accept(session, request, request.unit_id or 0, NOW, None)  # type: ignore[arg-type]
    handling.propose_closure(session, request, request.unit_id or 0, "已办", NOW, None)  # type: ignore[arg-type]
    assert closing.close_unconfirmed(session, NOW + timedelta(days=6)) == 0
    assert closing.close_unconfirmed(session, NOW + timedelta(days=7)) == 1
    assert request.status == "closed" and request.closure == "not_confirmed"
