"""Every requests form has bounds: over-long texts, too many photos, odd Unicode and
huge values in tracking numbers get a clear message in Chinese, never a 500, and
store nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.accounts import SignInFailure
from participation.db import Base
from participation.requests.models import RequestFile, RequestStep, ResidentRequest
from tests.support.client import FormClient
from tests.support.images import png
from tests.support.requests import NOW, file, route_to_community, verify_resident
from tests.support.world import MakeClient, World

TOO_LONG = "内容过长"


def _counts(engine: Engine) -> tuple[int, ...]:
    models: list[type[Base]] = [ResidentRequest, RequestStep, RequestFile]
    with Session(engine) as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0) for m in models)


def test_over_long_fields_and_too_many_photos_are_refused_in_chinese(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
    client.sign_in("resident")
    base = {"category": "environment", "description": "路灯坏了", "area_id": str(world["grid"].id)}
    before = _counts(engine)
    for field, value in (("description", "长" * 2001), ("address", "路" * 201)):
        r = client.submit("/requests/new", base | {field: value}, page="/requests/new")
        assert r.status_code == 422, (field, r.status_code)
        assert TOO_LONG in r.text and f"f-{field}-error" in r.text
    # A field over 1 MB is refused before the form is read, with its own message.
    huge = client.submit(
        "/requests/new", base | {"description": "长" * 200_000}, page="/requests/new"
    )
    assert huge.status_code == 400, huge.status_code
    assert "每个字段最多 1 MB" in huge.text
    many = client.submit(
        "/requests/new",
        base,
        page="/requests/new",
        files=[("photos", (f"{i}.png", png(2, 2), "image/png")) for i in range(5)],
    )
    assert many.status_code == 422 and "最多上传 4 张照片" in many.text
    client.sign_in("gridworker")
    assisted = client.submit(
        "/requests/assist",
        base | {"channel": "assisted", "requester_name": "李" * 61, "requester_phone": "1" * 21},
        page="/requests/assist",
    )
    assert assisted.status_code == 422 and assisted.text.count(TOO_LONG) >= 2
    assert _counts(engine) == before


def test_over_long_reasons_results_and_comments_are_refused(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
        request, _ = file(s, world)
    client.sign_in("unitstaff")
    page = f"/admin/requests/{request.id}"
    before = _counts(engine)
    for action, data in (
        ("return", {"reason": "因" * 1001}),
        ("record", {"note": "做" * 2001, "minutes": "30"}),
        ("record", {"note": "做", "minutes": "9" * 40}),
        ("propose", {"result": "完" * 2001}),
    ):
        r = client.submit(f"{page}/{action}", data, page=page)
        assert 400 <= r.status_code < 500, (action, r.status_code)
        assert "error" in r.text
    with Session(engine) as s:
        assert s.get(ResidentRequest, request.id).status == "routed"  # type: ignore[union-attr]
    assert _counts(engine) == before


def test_odd_and_huge_tracking_input_is_a_clear_refusal_not_a_crash(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, secret = file(s, world)
    # Full-width digits and letters, spaces and dashes, lower case: still found.
    wide = request.number.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    spaced = f" {wide[:8]}-{wide[8:]} "
    found = client.submit(
        "/requests/track",
        {"number": spaced, "secret": secret.lower()},
        page="/requests/track",
    )
    assert found.status_code == 200 and request.number in found.text
    for number, typed in (
        ("\u202e" + request.number + "\u200b", "AAAAAAAA"),
        ("😀\x00\x1b" * 50, "秘密"),
        ("9" * 100_000, "A" * 100_000),
        (request.number, "\x00" * 40),
    ):
        r = client.submit(
            "/requests/track", {"number": number, "secret": typed}, page="/requests/track"
        )
        assert r.status_code in (400, 404, 429), r.status_code
        assert r.status_code == 400 or "请核对" in r.text or "分钟后再试" in r.text
    with Session(engine) as s:
        keys = s.scalars(select(SignInFailure.key)).all()
    assert all(len(k) <= 300 for k in keys)
    assert _counts(engine)[0] == 1


def test_a_unit_or_resident_acting_on_a_request_not_theirs_changes_nothing(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    from participation import accounts
    from participation.requests import handling
    from participation.rules.permissions import Role

    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
        request, _ = file(s, world)
        other_request, _ = file(s, world, "另一件事：路灯不亮", requester=None)
        found = s.get(ResidentRequest, request.id)
        assert found is not None
        handling.accept(s, found, found.unit_id or 0, NOW, world["people"]["unit_staff"].id)
        other = accounts.sign_up(
            s, login="otherunit", password="correct horse", display_name="别处"
        )
        accounts.grant_role(s, other, Role.UNIT_STAFF, world["other"])
        accounts.grant_role(s, other, Role.COMMUNITY_WORKER, world["other"])
        neighbour = accounts.sign_up(
            s, login="neighbour", password="correct horse", display_name="邻居"
        )
        accounts.grant_role(s, neighbour, Role.RESIDENT, world["community"])
    before = _counts(engine)
    page = f"/admin/requests/{request.id}"
    unit = make_client()
    unit.sign_in("otherunit")
    for action, data in (
        ("return", {"reason": "不归我们管"}),
        ("transfer", {"unit": f"a:{world['other'].id}", "reason": "转走"}),
        ("join", {"helper": f"a:{world['other'].id}"}),
        ("record", {"note": "已处理", "minutes": "10", "kind": "reply"}),
        ("propose", {"result": "已完成"}),
        ("visit", {"rating": "satisfied"}),
        ("redirect", {"unit": f"a:{world['other'].id}", "reason": "改派"}),
        ("merge", {"into": str(other_request.id)}),
    ):
        r = unit.submit(f"{page}/{action}", data, page="/requests")
        assert r.status_code == 403, (action, r.status_code)
    resident = make_client()
    resident.sign_in("neighbour")
    mine = f"/requests/mine/{request.id}"
    for action, data in (
        ("answer", {"answer": "confirm"}),
        ("visit", {"rating": "dissatisfied", "comment": "不满意"}),
    ):
        r = resident.submit(f"{mine}/{action}", data, page="/requests")
        assert r.status_code == 404, (action, r.status_code)
        assert "没有这条诉求" in r.text or "诉求" in r.text
    assert _counts(engine) == before
    with Session(engine) as s:
        again = s.get(ResidentRequest, request.id)
        assert again is not None and again.status == "accepted" and not again.rating
