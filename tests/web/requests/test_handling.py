"""The unit's side in the back office and the requester's answers: accept, return,
transfer, records and the reply, closure, rejection, confirmation, return visit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.notices import Notice
from participation.requests.models import RequestStep, ResidentRequest
from tests.support.client import FormClient
from tests.support.requests import NOW, file, route_to_community, verify_resident
from tests.support.world import MakeClient, World


def _filed(engine: Engine, world: World) -> tuple[ResidentRequest, str]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
        request, secret = file(s, world)
    return request, secret


def _get(engine: Engine, request_id: int) -> ResidentRequest:
    with Session(engine, expire_on_commit=False) as s:
        found = s.get(ResidentRequest, request_id)
        assert found is not None
        return found


def _steps(engine: Engine, request_id: int) -> list[str]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(RequestStep.kind)
                .where(RequestStep.request_id == request_id)
                .order_by(RequestStep.id)
            )
        )


def test_the_whole_handling_from_acceptance_to_a_dissatisfied_visit(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request, secret = _filed(engine, world)
    base = f"/admin/requests/{request.id}"
    client.sign_in("unitstaff")
    assert request.number in client.get("/admin/requests").text
    assert client.submit(f"{base}/accept", page=base).status_code == 303
    assert (
        client.submit(
            f"{base}/record",
            {"note": "已派保洁员清理", "minutes": "４５", "kind": "action"},
            page=base,
        ).status_code
        == 303
    )
    assert (
        client.submit(
            f"{base}/record", {"note": "垃圾已清运", "kind": "reply"}, page=base
        ).status_code
        == 303
    )
    assert client.submit(f"{base}/propose", {"result": "已清理完毕"}, page=base).status_code == 303
    assert _get(engine, request.id).status == "proposed"

    resident = make_client()
    resident.sign_in("resident")
    mine = f"/requests/mine/{request.id}"
    no_reason = resident.submit(f"{mine}/answer", {"answer": "reject"}, page=mine)
    assert no_reason.status_code == 422 and "f-reason-error" in no_reason.text
    assert _get(engine, request.id).status == "proposed"
    assert (
        resident.submit(
            f"{mine}/answer", {"answer": "reject", "reason": "还有一堆没清"}, page=mine
        ).status_code
        == 303
    )
    assert _get(engine, request.id).status == "accepted"  # the first rejection reopens it

    assert client.submit(f"{base}/propose", {"result": "全部清理"}, page=base).status_code == 303
    # Anyone with the number and secret may answer, signed in or not.
    stranger = make_client()
    answered = stranger.submit(
        "/requests/track/answer",
        {"answer": "confirm", "number": request.number, "secret": secret},
        page="/requests/track",
    )
    assert answered.status_code == 200  # the page itself: the secret goes in no link
    assert "location" not in answered.headers
    closed = _get(engine, request.id)
    assert closed.status == "closed" and closed.closure == "confirmed"

    visit = resident.submit(
        f"{mine}/visit", {"rating": "dissatisfied", "comment": "味道还在"}, page=mine
    )
    assert visit.status_code == 303
    reopened = _get(engine, request.id)
    assert reopened.status == "accepted" and reopened.supervised
    assert _steps(engine, request.id) == [
        "filed",
        "routed",
        "accepted",
        "action",
        "reply",
        "proposed",
        "rejected",
        "reopened",
        "proposed",
        "confirmed",
        "visit_dissatisfied",
        "supervised",
    ]
    with Session(engine) as s:
        kinds = s.scalars(
            select(Notice.message).where(Notice.account_id == world["people"]["resident"].id)
        ).all()
    assert len(kinds) >= 3


def test_returning_needs_a_reason_and_the_handoff_past_the_cap_escalates(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request, _ = _filed(engine, world)
    base = f"/admin/requests/{request.id}"
    client.sign_in("staff")  # handles and routes in the district
    refused = client.submit(f"{base}/return", {"reason": " "}, page=base)
    assert refused.status_code == 422 and _get(engine, request.id).status == "routed"
    assert "请填写理由" in refused.text and "returned" not in _steps(engine, request.id)
    target = f"a:{world['other'].id}"
    for n in range(3):
        back = f"a:{world['community'].id}" if n % 2 else target
        assert (
            client.submit(
                f"{base}/transfer", {"unit": back, "reason": f"不归我们管{n}"}, page=base
            ).status_code
            == 303
        )
    assert _get(engine, request.id).handoffs == 3
    home = f"a:{world['community'].id}"
    assert (
        client.submit(
            f"{base}/transfer", {"unit": home, "reason": "还是不归我们"}, page=base
        ).status_code
        == 303
    )
    escalated = _get(engine, request.id)
    assert escalated.escalations == 1 and escalated.supervised and escalated.status == "routed"
    with Session(engine) as s:
        from participation.requests.models import HandlingUnit

        unit = s.get(HandlingUnit, escalated.unit_id)
        assert unit is not None and unit.area_id == world["street"].id  # the level above 一社区


def test_closing_someone_elses_request_is_refused_as_if_it_did_not_exist(
    client: FormClient, engine: Engine, world: World
) -> None:
    request, _ = _filed(engine, world)
    client.sign_in("volunteer")
    page = f"/requests/mine/{request.id}"
    assert client.get(page).status_code == 404
    answer = client.submit(f"{page}/answer", {"answer": "confirm"}, page="/requests")
    assert answer.status_code == 404
    wrong = client.submit(
        "/requests/track/answer",
        {"answer": "confirm", "number": request.number, "secret": "ZZZZZZZZ"},
        page="/requests",
    )
    assert wrong.status_code == 404
    assert _get(engine, request.id).status == "routed"


def test_a_unit_of_another_area_cannot_act(
    client: FormClient, engine: Engine, world: World
) -> None:
    request, _ = _filed(engine, world)
    with Session(engine) as s, s.begin():
        from participation import accounts
        from participation.rules.permissions import Role

        other = accounts.sign_up(
            s, login="otherunit", password="correct horse", display_name="别处"
        )
        accounts.grant_role(s, other, Role.UNIT_STAFF, world["other"])
    client.sign_in("otherunit")
    assert client.get(f"/admin/requests/{request.id}").status_code == 403
    assert (
        client.submit(f"/admin/requests/{request.id}/accept", page="/requests").status_code == 403
    )
    assert _get(engine, request.id).status == "routed"
