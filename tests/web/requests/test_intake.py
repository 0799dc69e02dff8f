"""Filing a request online, for a resident, at the desk; following it by number."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.db import Base
from participation.requests.models import RequestFile, RequestStep, ResidentRequest
from tests.support.client import FormClient
from tests.support.images import png
from tests.support.requests import NOW, route_to_community, verify_resident
from tests.support.world import MakeClient, World


def _count(engine: Engine, model: type[Base]) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _filed(client: FormClient) -> tuple[str, str]:
    page = client.get("/requests/filed")
    assert page.status_code == 200
    number = re.search(r'id="tracking-number">(\w+)<', page.text).group(1)  # type: ignore[union-attr]
    secret = re.search(r'id="tracking-secret">(\w+)<', page.text).group(1)  # type: ignore[union-attr]
    return number, secret


def test_a_verified_resident_files_and_anyone_follows_it_by_number(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
    client.sign_in("resident")
    response = client.submit(
        "/requests/new",
        {
            "category": "environment",
            "description": "楼下垃圾桶满了没人清",
            "area_id": str(world["grid"].id),
            "public": "1",
        },
        page="/requests/new",
        files=[("photos", ("a.png", png(4, 4), "image/png"))],
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/requests/filed"
    number, secret = _filed(client)
    assert client.get("/requests/filed", follow_redirects=False).status_code == 303  # shown once
    with Session(engine) as s:
        stored = s.scalar(select(ResidentRequest))
        assert stored is not None and stored.verified and stored.requester_name == "王小明"
        assert stored.status == "routed" and stored.public
        assert stored.accept_due is not None and stored.resolve_due is not None
    stranger = make_client()
    page = stranger.submit(
        "/requests/track", {"number": number, "secret": secret}, page="/requests/track"
    )
    assert page.status_code == 200
    assert "王小明" not in page.text  # the name is never shown to whoever follows it
    assert "一社区" in page.text and "楼下垃圾桶满了没人清" in page.text
    photo = re.search(r'href="(/requests/\d+/files/\d+)"', page.text)
    assert photo and stranger.get(photo.group(1)).headers["content-type"] == "image/png"
    assert make_client().get(photo.group(1)).status_code == 404


def test_a_wrong_secret_and_an_unknown_number_look_the_same(
    client: FormClient, engine: Engine, world: World
) -> None:
    from tests.support.requests import file

    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, secret = file(s, world)
    wrong = client.submit(
        "/requests/track",
        {"number": request.number, "secret": "AAAAAAAA"},
        page="/requests/track",
    )
    unknown = client.submit(
        "/requests/track",
        {"number": "20990101000000", "secret": secret},
        page="/requests/track",
    )
    assert wrong.status_code == unknown.status_code == 404

    def strip(text: str) -> str:
        return re.sub(r'value="[^"]*"|csrf[^>]*', "", text)

    assert strip(wrong.text).replace(request.number, "") == strip(unknown.text).replace(
        "20990101000000", ""
    )
    assert "核对" in wrong.text or "No request matches" in wrong.text


def test_missing_category_or_place_and_bad_photos_store_nothing(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("resident")
    before = (
        _count(engine, ResidentRequest),
        _count(engine, RequestStep),
        _count(engine, RequestFile),
    )
    missing = client.submit("/requests/new", {"description": "路灯坏了"}, page="/requests/new")
    assert missing.status_code == 422
    assert 'aria-describedby="f-category-error"' in missing.text
    assert 'aria-describedby="f-area_id-error"' in missing.text
    assert "请选择诉求类别" in missing.text and "请选择诉求所在的社区或网格" in missing.text
    assert "路灯坏了" in missing.text  # what was typed is kept
    not_image = client.submit(
        "/requests/new",
        {"category": "roads", "description": "路灯坏了", "area_id": str(world["grid"].id)},
        page="/requests/new",
        files=[("photos", ("a.png", b"GIF89a not really", "image/png"))],
    )
    assert not_image.status_code == 422 and "f-photos-error" in not_image.text
    too_big = client.submit(
        "/requests/new",
        {"category": "roads", "description": "路灯坏了", "area_id": str(world["grid"].id)},
        page="/requests/new",
        files=[("photos", ("a.png", png(4, 4) + b"\0" * (2 * 1024 * 1024), "image/png"))],
    )
    assert too_big.status_code == 422 and "f-photos-error" in too_big.text
    bomb = client.submit(
        "/requests/new",
        {"category": "roads", "description": "路灯坏了", "area_id": str(world["grid"].id)},
        page="/requests/new",
        files=[("photos", ("a.png", png(2, 2, declared=(60000, 60000)), "image/png"))],
    )
    assert bomb.status_code == 422
    after = (
        _count(engine, ResidentRequest),
        _count(engine, RequestStep),
        _count(engine, RequestFile),
    )
    assert after == before


def test_a_grid_worker_files_for_a_resident_only_in_the_grids_they_cover(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("gridworker")
    page = client.get("/requests/assist")
    assert page.status_code == 200
    outside = client.submit(
        "/requests/assist",
        {
            "channel": "assisted",
            "category": "roads",
            "description": "井盖缺失",
            "area_id": str(world["other"].id),
        },
        page="/requests/assist",
    )
    assert outside.status_code == 422 and "f-area_id-error" in outside.text
    assert "只能在您负责的区域内提交诉求" in outside.text
    assert _count(engine, ResidentRequest) == 0
    done = client.submit(
        "/requests/assist",
        {
            "channel": "assisted",
            "category": "roads",
            "description": "井盖缺失",
            "area_id": str(world["grid"].id),
            "requester_name": "李阿姨",
        },
        page="/requests/assist",
    )
    assert done.status_code == 303
    with Session(engine) as s:
        stored = s.scalar(select(ResidentRequest))
        assert (
            stored is not None
            and stored.channel == "assisted"
            and stored.requester_name == "李阿姨"
        )
        assert (
            stored.filed_by_id == world["people"]["grid_worker"].id and stored.requester_id is None
        )
        assert stored.status == "unrouted"  # no rule for roads: it waits for routing staff


def test_a_desk_worker_records_a_hotline_call(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("communityworker")
    done = client.submit(
        "/requests/assist",
        {
            "channel": "hotline",
            "category": "utilities",
            "description": "停水两天",
            "area_id": str(world["community"].id),
            "requester_phone": "13900000000",
        },
        page="/requests/assist",
    )
    assert done.status_code == 303
    with Session(engine) as s:
        stored = s.scalar(select(ResidentRequest))
        assert stored is not None and stored.channel == "hotline"
    forged = client.submit(
        "/requests/assist",
        {
            "channel": "online",
            "category": "utilities",
            "description": "停水",
            "area_id": str(world["community"].id),
        },
        page="/requests/assist",
    )
    assert forged.status_code == 422


def test_residents_are_sent_to_sign_in_and_others_cannot_file_for_residents(
    client: FormClient, world: World
) -> None:
    assert (
        client.get("/requests/new", follow_redirects=False).headers["location"].startswith("/login")
    )
    client.sign_in("resident")
    assert client.get("/requests/assist").status_code == 403


def test_several_photos_of_up_to_2_mb_each_are_taken(
    client: FormClient, engine: Engine, world: World
) -> None:
    """The body limit fits four 2 MB photos (the ordinary 1 MB refused two of 1.5 MB)."""
    client.sign_in("resident")
    photo = png(4, 4) + b"\0" * (1536 * 1024)
    done = client.submit(
        "/requests/new",
        {"category": "roads", "description": "路灯坏了", "area_id": str(world["grid"].id)},
        page="/requests/new",
        files=[
            ("photos", ("a.png", photo, "image/png")),
            ("photos", ("b.png", photo, "image/png")),
        ],
    )
    assert done.status_code == 303
    assert _count(engine, RequestFile) == 2


def test_photos_are_shown_to_the_request_s_people_only(
    client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    from participation import accounts
    from participation.requests import intake
    from participation.rules.permissions import Role
    from tests.support.requests import NOW

    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        filed = intake.file_request(
            s,
            intake.NewRequest("environment", "垃圾", world["grid"].id),
            NOW,
            filer_id=world["people"]["resident"].id,
            requester_id=world["people"]["resident"].id,
            images=[png(4, 4)],
        )
        elsewhere = accounts.sign_up(
            s, login="farunit", password="correct horse", display_name="远"
        )
        accounts.grant_role(s, elsewhere, Role.UNIT_STAFF, world["other"])
    with Session(engine) as s:
        file_id = s.scalar(select(RequestFile.id))
    url = f"/requests/{filed.request.id}/files/{file_id}"
    client.sign_in("unitstaff")
    assert client.get(url).status_code == 200
    other = make_client()
    other.sign_in("farunit")  # handles requests, but not this one's
    assert other.get(url).status_code == 404
