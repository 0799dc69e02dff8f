"""Supervision in the browser-less web: the worker's sweep issues supervision notices the
unit reads and the requester sees (督办中, each notice on the timeline); extensions asked
by the unit and decided by the level above, with their refusals; the deputies' liaison
station. The clock is fixed across the 2025 National Day holiday and its make-up
working Saturday (11 October)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation import accounts
from participation.requests import handling, supervision
from participation.requests.models import ResidentRequest
from participation.rules.permissions import Role
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.requests import deputy_on_roll, file, route_to_community, verify_resident
from tests.support.world import MakeClient, World
from web.ops import jobs

FILED = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)  # accept by Thursday 9 October


def at(day: int) -> datetime:
    return datetime(2025, 10, day, 2, 0, tzinfo=UTC)


def _filed(engine: Engine, world: World, *, accept: bool = False) -> tuple[ResidentRequest, str]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
        request, secret = file(s, world, now=FILED)
        if accept:
            assert request.unit_id is not None
            handling.accept(s, request, request.unit_id, at(9), world["people"]["unit_staff"].id)
    return request, secret


def _sweep(app: Starlette, engine: Engine, day: int) -> str:
    with Session(engine) as s, s.begin():
        return jobs.requests_supervise(s, at(day), app.state.settings)


def _get(engine: Engine, request_id: int) -> ResidentRequest:
    with Session(engine, expire_on_commit=False) as s:
        found = s.get(ResidentRequest, request_id)
        assert found is not None
        return found


def test_the_sweep_issues_notices_the_unit_reads_and_the_requester_sees(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    request, secret = _filed(engine, world)
    assert _sweep(app, engine, 10).startswith("0 due reminders, 1 supervision notices")
    assert _sweep(app, engine, 10).startswith("0 due reminders, 0 supervision notices")
    assert "1 supervision notices (1 to a level above)" in _sweep(app, engine, 13)
    app.state.fixed_now = at(13)
    follower = make_client()
    page = follower.submit(
        "/requests/track",
        {"number": request.number, "secret": secret},
        page="/requests/track",
    )
    assert "督办中" in page.text
    assert "已向承办单位发出督办单" in page.text and "督办已升级至上级" in page.text
    client.sign_in("unitstaff")
    notices = client.get("/admin/requests/supervision")
    assert notices.status_code == 200 and request.number in notices.text
    assert "已超期 1 个工作日" in notices.text
    inbox = client.get("/account/notices").text
    assert f"督办单：诉求 {request.number} 已超期（一社区）" in inbox
    detail = client.get(f"/admin/requests/{request.id}").text
    assert 'id="supervision"' in detail and "已升级至上级" in detail
    resident = make_client()
    resident.sign_in("resident")
    assert f"您的诉求 {request.number} 已超期" in resident.get("/account/notices").text


def test_an_extension_asked_by_the_unit_and_granted_by_the_district(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    request, _ = _filed(engine, world, accept=True)
    base = f"/admin/requests/{request.id}"
    app.state.fixed_now = at(10)
    client.sign_in("unitstaff")
    assert "申请延期" in client.get(base).text
    # Without a reason: the field says so, nothing is stored.
    refused = client.submit(f"{base}/extension", {"days": "3", "reason": " "}, page=base)
    assert refused.status_code == 422 and "请填写理由" in refused.text
    # Past the cap (environment: 7 working days to resolve).
    refused = client.submit(f"{base}/extension", {"days": "8", "reason": "需协调"}, page=base)
    assert refused.status_code == 422 and "延期天数不能超过该类诉求的办理时限" in refused.text
    refused = client.submit(f"{base}/extension", {"days": "三", "reason": "需协调"}, page=base)
    assert refused.status_code == 422
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(supervision.Extension)) == 0
    asked = client.submit(f"{base}/extension", {"days": "3", "reason": "需协调物业"}, page=base)
    assert asked.status_code == 303
    again = client.submit(f"{base}/extension", {"days": "1", "reason": "再申请"}, page=base)
    assert again.status_code == 409 and "该诉求已申请过一次延期" in again.text
    # The unit's own level cannot decide it.
    own = client.submit(f"{base}/extension/decide", {"decision": "grant"}, page=base)
    assert own.status_code == 403 and "延期申请只能由承办单位的上级审批" in own.text
    district = make_client()
    district.sign_in("staff")
    assert "批准延期" in district.get(base).text
    blank = district.submit(f"{base}/extension/decide", {"decision": "refuse"}, page=base)
    assert blank.status_code == 422 and "请说明不予延期的理由" in blank.text
    granted = district.submit(f"{base}/extension/decide", {"decision": "grant"}, page=base)
    assert granted.status_code == 303
    assert _get(engine, request.id).resolve_due == date(2025, 10, 21)
    assert "已批准：须于 2025-10-21 前办结" in district.get(base).text
    twice = district.submit(
        f"{base}/extension/decide", {"decision": "refuse", "answer": "x"}, page=base
    )
    assert twice.status_code == 409 and "没有待审批的延期申请" in twice.text


def test_someone_elses_request_gets_no_extension(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    request, _ = _filed(engine, world, accept=True)
    with Session(engine) as s, s.begin():
        other = accounts.sign_up(s, login="otherunit", password=PASSWORD, display_name="二社区承办")
        accounts.grant_role(s, other, Role.UNIT_STAFF, s.merge(world["other"]))
    app.state.fixed_now = at(10)
    client.sign_in("otherunit")
    refused = client.post(
        f"/admin/requests/{request.id}/extension",
        data={"days": "2", "reason": "x", "csrf_token": client.csrf("/admin/requests")},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(supervision.Extension)) == 0


def test_a_deputy_sees_their_constituency_and_adds_a_supervision_note(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    request, secret = _filed(engine, world)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        elsewhere = ResidentRequest(
            number="R-OTHER-1",
            secret_hash="x" * 64,
            category="roads",
            channel="online",
            description="二社区路面坑洼",
            area_id=world["other"].id,
        )
        s.add(elsewhere)
    app.state.fixed_now = at(13)
    client.sign_in("deputy")
    assert client.get("/requests/deputy").status_code == 403  # not on a roll yet
    deputy_on_roll(engine, world, "一社区")
    station = client.get("/requests/deputy")
    assert station.status_code == 200 and "代表联络站" in station.text
    assert request.number in station.text and "R-OTHER-1" not in station.text
    assert client.get(f"/requests/deputy/{elsewhere.id}").status_code == 404
    page = f"/requests/deputy/{request.id}"
    assert "王小明" not in client.get(page).text
    empty = client.submit(f"{page}/note", {"note": "  "}, page=page)
    assert empty.status_code == 422 and "请填写督办意见" in empty.text
    assert client.submit(f"{page}/note", {"note": "请尽快清理"}, page=page).status_code == 303
    follower = make_client()
    followed = follower.submit(
        "/requests/track",
        {"number": request.number, "secret": secret},
        page="/requests/track",
    )
    assert "人大代表督办意见" in followed.text and "请尽快清理" in followed.text
    unit = make_client()
    unit.sign_in("unitstaff")
    assert f"人大代表对诉求 {request.number} 提出了督办意见" in unit.get("/account/notices").text


def test_a_constituency_that_names_no_area_is_the_congress_area(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    request, _ = _filed(engine, world)
    deputy_on_roll(engine, world, "第1选区")
    client.sign_in("deputy")
    station = client.get("/requests/deputy").text
    assert "一街道" in station and request.number in station
