"""Mediation through the pages: staff open the case, the mediator records a session
and the agreement and a desk confirmation, the requester confirms signed in; the
tracking page shows each step and nobody's details; bad input is refused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.requests.mediation import MediationCase, MediationSession
from participation.requests.models import ResidentRequest
from tests.support.client import FormClient
from tests.support.mediation import body_routing_disputes
from tests.support.requests import NOW, file, verify_resident
from tests.support.world import MakeClient, World


def _dispute(engine: Engine, world: World) -> tuple[ResidentRequest, str]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        body_routing_disputes(s, world)
        verify_resident(s, world)
        return file(s, world, "楼上邻居装修噪音扰民，多次沟通无果", category="dispute")


def _case(engine: Engine, request_id: int) -> MediationCase:
    with Session(engine, expire_on_commit=False) as s:
        found = s.scalar(select(MediationCase).where(MediationCase.request_id == request_id))
        assert found is not None
        return found


def _open(client: FormClient, world: World, request: ResidentRequest) -> str:
    base = f"/admin/requests/{request.id}"
    response = client.submit(
        f"{base}/mediation/open",
        {
            "body": "1",
            "requester_name": "王小明",
            "requester_contact": "13800000001",
            "other_name": "李大华",
            "other_contact": "13800000002",
            "mediator_id": str(world["people"]["unit_staff"].id),
        },
        page=base,
    )
    assert response.status_code == 303, response.text
    return f"{base}/mediation"


def test_a_dispute_settled_by_both_parties(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request, secret = _dispute(engine, world)
    client.sign_in("unitstaff")
    page = _open(client, world, request)
    shown = client.get(page).text
    assert "李大华" in shown and "一社区人民调解委员会" in shown
    assert (
        client.submit(
            f"{page}/sessions",
            {
                "held_on": "2026-05-12",
                "held": "1",
                "place": "一社区调解室",
                "requester_present": "1",
                "other_present": "1",
                "notes": "双方陈述",
            },
            page=page,
        ).status_code
        == 303
    )
    assert (
        client.submit(f"{page}/agreement", {"agreement": "晚八点后不施工。"}, page=page).status_code
        == 303
    )
    assert (
        client.submit(
            f"{page}/confirm", {"side": "other", "way": "fingerprint"}, page=page
        ).status_code
        == 303
    )
    case = _case(engine, request.id)
    resident = make_client()
    resident.sign_in("resident")
    party = f"/requests/mediation/{case.id}"
    assert "晚八点后不施工" in resident.get(party).text
    # Confirming for the other party is refused, and changes nothing.
    refused = resident.submit(f"{party}/confirm", {"side": "other"}, page=party)
    assert refused.status_code == 403
    assert resident.submit(f"{party}/confirm", {"side": "requester"}, page=party).status_code == 303
    with Session(engine) as s:
        stored = s.get(ResidentRequest, request.id)
        assert stored is not None and stored.status == "closed" and stored.closure == "mediated"
    # The tracking page (no sign-in) shows each step and no one's details.
    anonymous = make_client()
    followed = anonymous.submit(
        "/requests/track",
        {"number": request.number, "secret": secret},
        page="/requests/track",
    ).text
    assert "调解" in followed and "双方均已确认" in followed
    for private in ("王小明", "李大华", "13800000002", "晚八点后不施工"):
        assert private not in followed


def test_bad_input_is_refused_in_chinese_and_changes_nothing(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request, _ = _dispute(engine, world)
    client.sign_in("unitstaff")
    page = _open(client, world, request)
    base = f"/admin/requests/{request.id}"
    assert "正在调解" in client.get(base).text  # the request page links to its case
    unknown = client.submit(
        f"{base}/mediation/open", {"body": "999", "other_name": "李"}, page=base
    )
    assert unknown.status_code == 422 and "请选择调解组织" in unknown.text
    future = client.submit(
        f"{page}/sessions",
        {"held_on": "2026-05-20", "held": "1", "place": "调解室"},
        page=page,
    )
    assert future.status_code == 422
    empty = client.submit(f"{page}/agreement", {"agreement": "  "}, page=page)
    assert empty.status_code == 422
    with Session(engine) as s:
        assert s.scalars(select(MediationSession)).first() is None
        case = s.scalar(select(MediationCase))
        assert case is not None and case.status == "open" and case.agreement == ""


def test_only_the_mediator_records_the_agreement(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request, _ = _dispute(engine, world)
    client.sign_in("unitstaff")
    page = _open(client, world, request)
    colleague = make_client()
    colleague.sign_in("communityworker")
    assert colleague.get(page).status_code == 200  # staff of the body see the case
    refused = colleague.submit(f"{page}/agreement", {"agreement": "协议"}, page=page)
    assert refused.status_code == 403
    outsider = make_client()
    outsider.sign_in("volunteer")  # not a party
    assert outsider.get(f"/requests/mediation/{_case(engine, request.id).id}").status_code == 404
    assert _case(engine, request.id).agreement == ""
