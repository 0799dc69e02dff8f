"""The requester's and the deputy's pages of a request (issue 17) show its newest
steps, as its office page does, with a way to see every one: the statements are as
many for a request with 3N steps as with N, and a long history is not all rendered."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.requests.models import RequestStep
from tests.support.client import FormClient
from tests.support.queries import RENDER_ANEW, statements, statements_of_page
from tests.support.requests import NOW, deputy_on_roll, file, route_to_community, verify_resident
from tests.support.world import MakeClient, World
from web.requests import history

#: More than a page of steps; three times as many must cost the same.
N = history.STEPS_SHOWN + 5


def _long(engine: Engine, world: World, n: int) -> tuple[int, str, str]:
    """A request of the world's resident with ``n`` reminders on its timeline: its
    id, number and secret."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, secret = file(s, world)
        for k in range(n):
            at = NOW + timedelta(minutes=k + 1)
            s.add(RequestStep(request_id=request.id, at=at, kind="due_reminder", note=f"催办{k}"))
    return request.id, request.number, secret


def _steps(engine: Engine, request_id: int) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).where(RequestStep.request_id == request_id)) or 0)


def _timeline(html: str) -> int:
    found = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', html, re.S)
    assert found
    return found.group(1).count('<li class="card">')


@pytest.fixture
def longs(app: Starlette, engine: Engine, world: World) -> tuple[int, int]:
    """Two requests of the resident, with N and 3N reminders."""
    app.state.fixed_now = NOW + timedelta(days=1)
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
    deputy_on_roll(engine, world, "一社区")
    return _long(engine, world, N)[0], _long(engine, world, 3 * N)[0]


@pytest.mark.parametrize(
    ("login", "base"), [("resident", "/requests/mine"), ("deputy", "/requests/deputy")]
)
def test_the_page_runs_as_many_statements_for_3n_steps_as_for_n_and_shows_the_newest(
    client: FormClient, engine: Engine, longs: tuple[int, int], login: str, base: str
) -> None:
    """Fails on the old code: every step of the history was a row of the page (in as
    many statements: the page grew in rows and bytes, not in statements)."""
    few, many = longs
    client.sign_in(login)
    fewer = statements_of_page(client, f"{base}/{few}")
    more = statements_of_page(client, f"{base}/{many}")
    assert len(more) == len(fewer), "\n".join(more)
    text = client.get(f"{base}/{many}").text
    assert _timeline(text) == history.STEPS_SHOWN and 'id="history-more"' in text
    assert "催办104" in text and "催办0<" not in text  # the newest, not the oldest
    assert f'href="{base}/{many}?history=all#timeline"' in text
    every = client.get(f"{base}/{many}?history=all").text
    assert _timeline(every) == _steps(engine, many) and "history-more" not in every
    assert len(statements_of_page(client, f"{base}/{many}?history=all")) == len(fewer)


@pytest.mark.parametrize(
    ("login", "base"), [("resident", "/requests/mine"), ("deputy", "/requests/deputy")]
)
def test_a_short_history_is_shown_whole_without_the_link(
    client: FormClient, engine: Engine, world: World, longs: tuple[int, int], login: str, base: str
) -> None:
    short = _long(engine, world, 2)[0]
    client.sign_in(login)
    text = client.get(f"{base}/{short}").text
    assert _timeline(text) == _steps(engine, short) and "history-more" not in text


def test_a_follower_by_number_sees_every_step_by_posting_the_credentials_again(
    make_client: MakeClient, engine: Engine, longs: tuple[int, int], world: World
) -> None:
    """The follower's page answers a post and the secret goes in no link: "show all"
    is a button posting the number and secret again, in as many statements."""
    request_id, number, secret = _long(engine, world, 3 * N)
    follower = make_client()
    token = follower.csrf("/requests/track")
    form = {"number": number, "secret": secret, "csrf_token": token}
    with statements() as capped:
        page = follower.post("/requests/track", data=form, headers=RENDER_ANEW)
    assert page.status_code == 200 and _timeline(page.text) == history.STEPS_SHOWN
    assert secret not in re.sub(r'<input type="hidden" name="secret" value="[^"]*">', "", page.text)
    assert 'name="history" value="all"' in page.text and "?history=all" not in page.text
    with statements() as whole:
        every = follower.post(
            "/requests/track", data=form | {"history": "all"}, headers=RENDER_ANEW
        )
    assert every.status_code == 200 and _timeline(every.text) == _steps(engine, request_id)
    assert len(whole) == len(capped)


@pytest.mark.parametrize(
    "query", ["history=abc", "history=", "history=all&history=x", "history=%00", "page=-1"]
)
@pytest.mark.parametrize(
    ("login", "base"), [("resident", "/requests/mine"), ("deputy", "/requests/deputy")]
)
def test_bad_history_input_gives_the_normal_page(
    client: FormClient, longs: tuple[int, int], login: str, base: str, query: str
) -> None:
    client.sign_in(login)
    answer = client.get(f"{base}/{longs[0]}?{query}")
    assert answer.status_code == 200 and "history-more" in answer.text


def test_who_sees_the_pages_is_unchanged(
    make_client: MakeClient, longs: tuple[int, int], world: World
) -> None:
    """The requester's page is the requester's, the deputy's the deputy's, with or
    without ``history=all``."""
    for login, base, code in (
        ("deputy", "/requests/mine", 404),
        ("unitstaff", "/requests/mine", 404),
        ("resident", "/requests/deputy", 403),
        ("unitstaff", "/requests/deputy", 403),
    ):
        client = make_client()
        client.sign_in(login)
        for query in ("", "?history=all"):
            assert client.get(f"{base}/{longs[0]}{query}").status_code == code, (login, base)
