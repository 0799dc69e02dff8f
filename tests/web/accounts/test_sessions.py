"""Sessions and sign-in (issue 13, item 10): sign-out ends the session on the server,
wrong passwords slow the guesser and not the owner, only the configured proxies'
X-Forwarded-For hop is believed, weak passwords are refused, and the CSRF token
changes on sign-in and sign-out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.accounts import Account
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.world import MakeClient, World
from web.app import create_app
from web.settings import Settings

COOKIE = "gongzhi_session"
START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(app: Starlette) -> None:
    """The app's clock stands still unless a test moves it: waits never depend on speed."""
    app.state.fixed_now = START


@pytest.fixture
def elsewhere(app: Starlette) -> Iterator[FormClient]:
    """A browser at another address (an attacker's, say)."""
    with FormClient(app, base_url="http://testserver", client=("203.0.113.9", 4000)) as c:
        yield c


def test_a_cookie_copied_before_sign_out_no_longer_works(
    client: FormClient, make_client: MakeClient, world: World
) -> None:
    client.sign_in("resident", PASSWORD)
    thief = make_client()
    thief.cookies.set(COOKIE, client.cookies[COOKIE])
    assert thief.get("/account", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    assert thief.get("/account", follow_redirects=False).status_code == 303
    # Other sessions of the same person go on.
    other = make_client()
    other.sign_in("resident", PASSWORD)
    assert other.get("/account", follow_redirects=False).status_code == 200


def test_csrf_token_changes_on_sign_in_and_sign_out(client: FormClient, world: World) -> None:
    before = client.csrf("/login")
    client.post("/login", data={"login": "resident", "password": PASSWORD, "csrf_token": before})
    signed_in = client.csrf("/account")
    assert signed_in != before
    client.post("/logout", data={"csrf_token": signed_in})
    assert client.csrf("/login") != signed_in
    # The old token is refused now.
    stale = client.post(
        "/login", data={"login": "resident", "password": PASSWORD, "csrf_token": signed_in}
    )
    assert stale.status_code == 403


def wrong(c: FormClient, login: str = "resident") -> Response:
    return c.submit("/login", {"login": login, "password": "not the password"})


def test_wrong_passwords_slow_the_guesser_not_the_owner(
    client: FormClient, elsewhere: FormClient, make_client: MakeClient, world: World
) -> None:
    client.sign_in("resident", PASSWORD)  # the owner's usual device
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    statuses = [wrong(elsewhere).status_code for _ in range(8)]
    assert statuses[:5] == [422] * 5 and statuses[-1] == 429
    refused = elsewhere.submit("/login", {"login": "resident", "password": PASSWORD})
    assert refused.status_code == 429
    assert re.search(r"\d+ ?分钟后", refused.text) and int(refused.headers["retry-after"]) > 0
    # The owner, from their own device, signs in at once ...
    client.sign_in("resident", PASSWORD)
    # ... and so does anyone from another address with another device.
    make_client().sign_in("resident", PASSWORD)


def test_the_delay_grows_with_each_failure(
    app: Starlette, elsewhere: FormClient, world: World
) -> None:
    def at(seconds: int) -> None:
        app.state.fixed_now = START + timedelta(seconds=seconds)

    for _ in range(4):
        wrong(elsewhere)
    assert wrong(elsewhere).status_code == 422  # five free tries
    right = {"login": "resident", "password": PASSWORD}
    assert elsewhere.submit("/login", right).status_code == 429
    at(59)
    assert elsewhere.submit("/login", right).status_code == 429
    at(61)  # a minute after the fifth: one more guess ...
    assert wrong(elsewhere).status_code == 422
    at(61 + 119)  # ... and the next wait is two minutes
    assert elsewhere.submit("/login", right).status_code == 429
    at(61 + 121)
    assert elsewhere.submit("/login", right).status_code == 303


def test_the_address_limit_counts_the_proxy_hop_not_a_forged_header(
    db_url: str, world: World
) -> None:
    settings = Settings(
        environment="test",
        database_url=db_url,
        base_url="http://testserver",
        cheap_hashing=True,
        trust_proxy=1,
    )
    app = create_app(settings)
    try:
        with FormClient(app, base_url="http://testserver") as c:
            for n in range(20):
                c.submit(
                    "/login",
                    {"login": f"user{n}", "password": "x"},
                    headers={"X-Forwarded-For": f"10.9.{n}.1, 198.51.100.7"},
                )
            blocked = c.submit(
                "/login",
                {"login": "admin", "password": PASSWORD},
                headers={"X-Forwarded-For": "10.99.99.99, 198.51.100.7"},
            )
            assert blocked.status_code == 429
    finally:
        app.state.engine.dispose()


@pytest.mark.parametrize(
    ("login", "password", "name"),
    [
        ("13912345678", "12345678", "张三"),
        ("13912345678", "password", "张三"),
        ("13912345678", "qwertyuiop", "张三"),
        ("13912345678", "woaini1314", "张三"),
        ("13912345678", "13912345678", "张三"),
        ("zhangsan88", "zhangsan88!", "张三"),
        ("13912345678", "张三张三张三张三", "张三"),
    ],
)
def test_weak_passwords_are_refused_at_sign_up(
    client: FormClient, engine: Engine, login: str, password: str, name: str
) -> None:
    response = client.submit(
        "/signup",
        {"login": login, "password": password, "display_name": name, "agree": "yes"},
        page="/signup",
    )
    assert response.status_code == 422
    assert 'id="f-password-error"' in response.text
    with Session(engine) as s:
        assert s.scalar(select(Account).where(Account.display_name == name)) is None


def test_a_weak_new_password_is_refused(client: FormClient, world: World) -> None:
    client.sign_in("resident", PASSWORD)
    response = client.submit(
        "/account/password",
        {"current": PASSWORD, "new": "password", "confirm": "password"},
        page="/account",
    )
    assert response.status_code == 422 and 'id="f-new-error"' in response.text
