"""Following a request by number and secret without leaking the secret, and without
letting anyone guess it; who sees a request's files."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.accounts import SignInFailure
from participation.requests import handling
from participation.requests.models import RequestFile, ResidentRequest
from tests.support.client import FormClient
from tests.support.images import png
from tests.support.requests import NOW, file, route_to_community, verify_resident
from tests.support.world import MakeClient, World


def _follow(client: FormClient, number: str, secret: str) -> Any:
    return client.submit(
        "/requests/track", {"number": number, "secret": secret}, page="/requests/track"
    )


def _urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action|hx-get|hx-post)="([^"]*)"', html)


def test_following_posts_the_secret_and_no_link_or_cache_keeps_it(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
    client.sign_in("resident")
    filed = client.submit(
        "/requests/new",
        {
            "category": "environment",
            "description": "楼下垃圾桶满了",
            "area_id": str(world["grid"].id),
        },
        page="/requests/new",
        files=[("photos", ("a.png", png(4, 4), "image/png"))],
    )
    assert filed.status_code == 303
    shown = client.get("/requests/filed")
    number = re.search(r'id="tracking-number">(\w+)<', shown.text).group(1)  # type: ignore[union-attr]
    secret = re.search(r'id="tracking-secret">(\w+)<', shown.text).group(1)  # type: ignore[union-attr]
    assert shown.headers["cache-control"] == "no-store"
    assert not any(secret in url or number in url for url in _urls(shown.text))
    # The page that shows the secret follows the request by a posted form, not a link.
    assert 'action="/requests/track"' in shown.text and 'method="post"' in shown.text

    # A secret in the query string opens nothing (and old links are not honoured).
    stranger = make_client()
    in_url = stranger.get("/requests/track", params={"number": number, "secret": secret})
    assert in_url.status_code == 200 and "楼下垃圾桶满了" not in in_url.text
    assert 'method="post"' in in_url.text

    page = _follow(stranger, number, secret)
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    assert "楼下垃圾桶满了" in page.text
    urls = _urls(page.text)
    assert urls and not any(secret in url for url in urls)
    assert secret not in page.text  # nothing to answer yet: the secret is not repeated
    photo = next(u for u in urls if "/files/" in u)
    got = stranger.get(photo)
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert "no-store" in got.headers["cache-control"]
    # Another browser, even with the secret in the link, gets nothing.
    assert make_client().get(photo).status_code == 404
    assert make_client().get(photo, params={"secret": secret}).status_code == 404


def test_answering_by_number_keeps_the_secret_out_of_the_address(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, secret = file(s, world)
        found = s.get(ResidentRequest, request.id)
        assert found is not None
        handling.accept(s, found, found.unit_id or 0, NOW, world["people"]["unit_staff"].id)
        handling.propose_closure(
            s, found, found.unit_id or 0, "清理完毕", NOW, world["people"]["unit_staff"].id
        )
    stranger = make_client()
    page = _follow(stranger, request.number, secret)
    assert page.status_code == 200
    # The answer form is the one place that carries the secret, posted.
    form = re.search(
        r'<form method="post" action="/requests/track/answer".*?</form>', page.text, re.S
    )
    assert form and secret in form.group(0)
    answered = stranger.submit(
        "/requests/track/answer",
        {"answer": "confirm", "number": request.number, "secret": secret},
        page="/requests/track",
    )
    assert answered.status_code == 200, answered.text
    assert "location" not in answered.headers and "hx-redirect" not in answered.headers
    assert answered.headers["cache-control"] == "no-store"
    with Session(engine) as s:
        assert s.get(ResidentRequest, request.id).status == "closed"  # type: ignore[union-attr]


def _strip(text: str, *numbers: str) -> str:
    text = re.sub(r'value="[^"]*"|csrf[^>]*', "", text)
    for n in numbers:
        text = text.replace(n, "")
    return text


def test_guessing_a_secret_is_slowed_per_number_with_the_same_words_for_unknown_numbers(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, secret = file(s, world)
    unknown = "20990101000000"
    answers: dict[str, list[int]] = {request.number: [], unknown: []}
    last = {}
    for number in (request.number, unknown):
        for _ in range(6):
            r = _follow(client, number, "AAAAAAAA")
            answers[number].append(r.status_code)
            last[number] = r
    assert answers[request.number] == answers[unknown] == [404] * 5 + [429]
    real, fake = last[request.number], last[unknown]
    assert real.headers["retry-after"] == fake.headers["retry-after"]
    assert _strip(real.text, request.number) == _strip(fake.text, unknown)
    assert "请" in real.text and "分钟" in real.text
    # While held, even the right secret is not checked, from any address.
    held = _follow(make_client(), request.number, secret)
    assert held.status_code == 429
    # Answering by number is held the same way (it is a lookup too).
    answer = make_client().submit(
        "/requests/track/answer",
        {"answer": "confirm", "number": request.number, "secret": secret},
        page="/requests/track",
    )
    assert answer.status_code == 429
    # Once the wait has passed, the right secret works.
    app.state.fixed_now = NOW + timedelta(hours=7)
    assert _follow(make_client(), request.number, secret).status_code == 200


def test_walking_through_numbers_is_slowed_per_address(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    statuses = [_follow(client, f"20260513{i:06d}", "AAAAAAAA").status_code for i in range(11)]
    assert statuses == [404] * 10 + [429]
    with Session(engine) as s:
        keys = s.scalars(select(SignInFailure.key)).all()
    assert keys and not any("AAAAAAAA" in k for k in keys)  # no secrets kept


def test_handling_attachments_only_to_the_requests_people_and_its_staff(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
        request, secret = file(s, world)
        found = s.get(ResidentRequest, request.id)
        assert found is not None
        staff = world["people"]["unit_staff"].id
        handling.accept(s, found, found.unit_id or 0, NOW, staff)
        handling.record(
            s, found, found.unit_id or 0, NOW, staff, note="已清理", minutes=30, images=[png(3, 3)]
        )
        from participation import accounts
        from participation.rules.permissions import Role

        other = accounts.sign_up(
            s, login="otherunit", password="correct horse", display_name="别处"
        )
        accounts.grant_role(s, other, Role.UNIT_STAFF, world["other"])
        neighbour = accounts.sign_up(
            s, login="neighbour", password="correct horse", display_name="邻居"
        )
        accounts.grant_role(s, neighbour, Role.RESIDENT, world["community"])
    with Session(engine) as s:
        file_id = s.scalar(select(RequestFile.id).where(RequestFile.request_id == request.id))
        assert s.scalar(select(func.count()).select_from(RequestFile)) == 1
    url = f"/requests/{request.id}/files/{file_id}"

    def who(login: str | None) -> int:
        c = make_client()
        if login:
            c.sign_in(login)
        return c.get(url).status_code

    assert who("resident") == 200  # the requester
    assert who("unitstaff") == 200  # the unit handling it
    assert who(None) == 404
    assert who("neighbour") == 404  # another resident of the same community
    assert who("otherunit") == 404  # a unit of another area
    follower = make_client()
    assert _follow(follower, request.number, secret).status_code == 200
    assert follower.get(url).status_code == 200
