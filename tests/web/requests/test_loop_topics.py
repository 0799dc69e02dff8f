"""The loop, second part: a hotspot or a merged recurring matter becomes a consultation
topic (and a plan item) in one step, linked both ways; its requesters are told and
see both from their request's page; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from consultations.models import Topic
from participation.audit import AuditEntry
from participation.notices import Notice
from participation.plan.models import PlanItem
from participation.requests import merging
from participation.requests.loop import HotspotAction, MatterLink
from participation.requests.models import ResidentRequest
from tests.support.client import FormClient
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import MakeClient, World

TOPIC = "/admin/requests/hotspots/topic"
PLAN = "/admin/requests/hotspots/plan"


def _hotspot(engine: Engine, world: World) -> list[tuple[int, str]]:
    """Four roads requests in the world's grid: two by one resident, one anonymous."""
    filed = []
    with Session(engine) as s, s.begin():
        route_to_community(s, world, "roads")
        for i, who in enumerate(["resident", "resident", "nobody", None]):
            request, secret = file(
                s,
                world,
                f"路灯坏了{i}",
                category="roads",
                requester=who,
                now=NOW - timedelta(days=i),
            )
            filed.append((request.id, secret))
    return filed


def _counts(engine: Engine) -> tuple[int, int, int, int]:
    with Session(engine) as s:
        return tuple(  # type: ignore[return-value]
            int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in (HotspotAction, Topic, PlanItem, MatterLink)
        )


def _told(engine: Engine, kind: str) -> list[int]:
    with Session(engine) as s:
        return sorted(s.scalars(select(Notice.account_id).where(Notice.kind == kind)))


def test_staff_make_a_hotspot_a_topic_of_its_community_linked_both_ways(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _hotspot(engine, world)
    client.sign_in("staff")
    page = client.get("/requests/hotspots")
    assert f'action="{TOPIC}"' in page.text
    fields = {"area_id": str(world["grid"].id), "category": "roads"}
    response = client.submit(TOPIC, fields, page="/requests/hotspots")
    assert response.status_code == 303, response.text
    again = client.submit(TOPIC, fields, page="/requests/hotspots")
    assert again.headers["location"] == response.headers["location"]  # one topic, not two
    with Session(engine) as s:
        action = s.scalars(select(HotspotAction)).one()
        topic = s.scalars(select(Topic)).one()
        assert action.topic_id == topic.id and action.plan_item_id is None
        assert topic.area_id == world["community"].id  # the community the grid is in
        assert topic.source == "community_worker"
        assert topic.proposer_id == world["people"]["staff"].id
        assert topic.title == f"{world['grid'].name}：道路交通"
        audited = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "requests.hotspot_topic")
        ).all()
        assert len(audited) == 1
    people = world["people"]
    assert _told(engine, "requests.hotspot_topic") == sorted(
        {people["resident"].id, people["nobody"].id}
    )
    assert response.headers["location"] == f"/requests/hotspots/{action.id}"
    hotspot = client.get(response.headers["location"]).text
    assert f'href="/consultations/topics/{topic.id}"' in hotspot
    assert 'id="hotspot-to-plan"' in hotspot  # the plan item is still to make
    origin = client.get(f"/consultations/topics/{topic.id}").text
    assert 'id="topic-origin"' in origin
    assert f'href="/requests/hotspots/{action.id}"' in origin
    assert world["grid"].name in origin and "道路交通" in origin
    assert "4 条诉求" in origin and "2 位诉求人" in origin
    listed = client.get("/requests/hotspots").text
    assert f'href="/requests/hotspots/{action.id}"' in listed


def test_requesters_see_the_topic_and_the_plan_item_from_their_request(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    filed = _hotspot(engine, world)
    client.sign_in("staff")
    fields = {"area_id": str(world["grid"].id), "category": "roads"}
    assert client.submit(TOPIC, fields, page="/requests/hotspots").status_code == 303
    assert client.submit(PLAN, fields, page="/requests/hotspots").status_code == 303
    assert _counts(engine)[:3] == (1, 1, 1)  # one hotspot record names both
    with Session(engine) as s:
        action = s.scalars(select(HotspotAction)).one()
        number = s.get(ResidentRequest, filed[3][0]).number  # type: ignore[union-attr]
    anonymous = make_client()
    followed = anonymous.submit(
        "/requests/track", {"number": number, "secret": filed[3][1]}, page="/requests/track"
    )
    assert followed.status_code == 200
    assert f'href="/plan/items/{action.plan_item_id}"' in followed.text
    assert f'href="/consultations/topics/{action.topic_id}"' in followed.text
    resident = make_client()
    resident.sign_in("resident")
    mine = resident.get(f"/requests/mine/{filed[0][0]}").text
    assert 'id="loop-item"' in mine and 'id="loop-topic"' in mine
    office = client.get(f"/admin/requests/{filed[0][0]}").text
    assert 'id="loop-item"' in office and 'id="loop-topic"' in office
    item = client.get(f"/plan/items/{action.plan_item_id}").text
    assert f'href="/requests/hotspots/{action.id}" id="source-link"' in item
    assert "群众诉求热点" in item


def test_a_bad_topic_request_is_refused_and_nothing_is_stored(
    client: FormClient, engine: Engine, world: World
) -> None:
    _hotspot(engine, world)
    client.sign_in("staff")
    before = _counts(engine)
    for fields, status, words in (
        ({"area_id": str(world["grid"].id), "category": "nonsense"}, 422, "请选择"),
        ({"category": "roads"}, 422, ""),
        ({"area_id": "999999", "category": "roads"}, 404, "没有这个热点"),
        # A district is above every community: no community to propose the topic to.
        ({"area_id": str(world["district"].id), "category": "roads"}, 422, "社区"),
    ):
        response = client.submit(TOPIC, fields, page="/requests/hotspots")
        assert response.status_code == status, fields
        assert words in response.text
    assert _counts(engine) == before == (0, 0, 0, 0)
    assert _told(engine, "requests.hotspot_topic") == []


def test_only_routing_staff_of_the_place_make_a_topic(
    client: FormClient, engine: Engine, world: World
) -> None:
    from participation.accounts import grant_role
    from participation.rules.permissions import Role

    _hotspot(engine, world)
    with Session(engine) as s, s.begin():
        account = s.get(type(world["people"]["nobody"]), world["people"]["nobody"].id)
        assert account is not None
        grant_role(s, account, Role.COMMUNITY_WORKER, world["other"])
    fields = {"area_id": str(world["grid"].id), "category": "roads"}
    client.sign_in("nobody")  # a community worker of the other community
    response = client.submit(TOPIC, fields, page="/requests/hotspots")
    assert response.status_code == 403 and "不在您负责的区域内" in response.text
    for login in ("resident", "unitstaff", "gridworker"):
        client.sign_in(login)
        assert client.submit(TOPIC, fields, page="/requests/hotspots").status_code == 403
        assert 'id="hotspot-to-topic"' not in client.get("/requests/hotspots").text
    client.sign_in("communityworker")  # of the grid's own community
    assert client.submit(TOPIC, fields, page="/requests/hotspots").status_code == 303
    assert _counts(engine)[:2] == (1, 1)


def _merged_matter(engine: Engine, world: World) -> tuple[int, int, int]:
    """A request with one merged duplicate (other people), and a lone request."""
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        first, _ = file(s, world, "小区东门垃圾堆积三天没人清理")
        second, _ = file(s, world, "小区东门垃圾堆积了三天没有人清理", requester="volunteer")
        lone, _ = file(s, world, "楼道灯坏了", requester="deputy", category="roads")
        merging.merge(s, second, first, NOW, world["people"]["staff"].id)
        return first.id, second.id, lone.id


def test_a_merged_recurring_matter_becomes_a_plan_item_and_a_topic_in_the_office(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    first, second, _ = _merged_matter(engine, world)
    client.sign_in("staff")
    base = f"/admin/requests/{first}"
    page = client.get(base).text
    assert f'action="{base}/matter/plan"' in page and f'action="{base}/matter/topic"' in page
    assert "/matter/" not in client.get(f"/admin/requests/{second}").text
    planned = client.submit(f"{base}/matter/plan", {}, page=base)
    assert planned.status_code == 303 and planned.headers["location"] == base
    topic = client.submit(f"{base}/matter/topic", {}, page=base)
    assert topic.status_code == 303
    for path in ("plan", "topic"):  # a second click changes nothing
        assert client.submit(f"{base}/matter/{path}", {}, page=base).status_code == 303
    assert _counts(engine) == (1, 1, 1, 1)
    with Session(engine) as s:
        action = s.scalars(select(HotspotAction)).one()
        assert (action.area_id, action.category) == (world["grid"].id, "environment")
        assert s.get(MatterLink, first) is not None
        assert s.get(Topic, action.topic_id).area_id == world["community"].id  # type: ignore[union-attr]
    people = world["people"]
    both = sorted({people["resident"].id, people["volunteer"].id})
    assert _told(engine, "requests.hotspot_planned") == both
    assert _told(engine, "requests.hotspot_topic") == both
    shown = client.get(base).text
    assert f'href="/plan/items/{action.plan_item_id}"' in shown
    assert f'href="/consultations/topics/{action.topic_id}"' in shown
    assert f'action="{base}/matter/plan"' not in shown
    # The merged request's requester follows the matter through it too.
    assert 'id="loop-topic"' in client.get(f"/admin/requests/{second}").text
    hotspot = client.get(f"/requests/hotspots/{action.id}").text
    assert "1 件合并的重复事项" in hotspot


def test_a_request_without_merged_duplicates_is_no_recurring_matter(
    client: FormClient, engine: Engine, world: World
) -> None:
    first, second, lone = _merged_matter(engine, world)
    client.sign_in("staff")
    for request_id in (lone, second):
        base = f"/admin/requests/{request_id}"
        for path in ("plan", "topic"):
            response = client.submit(f"{base}/matter/{path}", {}, page=base)
            assert response.status_code == 422
            assert "其他诉求并入" in response.text
    response = client.submit("/admin/requests/999999/matter/topic", {}, page="/admin/requests")
    assert response.status_code == 404
    client.sign_in("gridworker")
    assert client.submit(f"/admin/requests/{first}/matter/plan", {}).status_code == 403
    assert _counts(engine) == (0, 0, 0, 0)
