"""The age-friendly mode (大字版): one form on every page switches it, without
JavaScript; it comes back to the same page, is remembered in a cookie for anonymous
visitors and on the account for signed-in people, and never leads off the site."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import Account
from tests.support.client import FormClient
from tests.support.world import MakeClient, World

ON = re.compile(r'<html [^>]*class="age-friendly"')
SHEET = "/static/css/age-friendly.css"


def switch(client: FormClient, mode: str, next_path: str, page: str = "/") -> str:
    response = client.submit("/display", {"mode": mode, "next": next_path}, page=page)
    assert response.status_code == 303
    return str(response.headers["location"])


def is_on(client: FormClient, path: str = "/") -> bool:
    html = client.get(path).text
    return bool(ON.search(html)) and SHEET in html


@pytest.mark.parametrize("path", ["/", "/login", "/ballots", "/plan", "/no-such-page"])
def test_every_page_carries_the_switch_as_a_plain_form(client: FormClient, path: str) -> None:
    html = client.get(path).text
    form = re.search(r'<form method="post" action="/display"[^>]*>(.*?)</form>', html, re.S)
    assert form, path
    assert 'name="csrf_token"' in form.group(1)
    assert 'name="mode" value="age-friendly"' in form.group(1)
    assert not ON.search(html) and SHEET not in html


def test_the_switch_returns_to_the_same_page_and_a_cookie_remembers_it(
    client: FormClient,
) -> None:
    assert switch(client, "age-friendly", "/plan?year=2026", page="/plan") == "/plan?year=2026"
    assert client.cookies.get("display") == "age-friendly"
    assert is_on(client, "/plan") and is_on(client, "/login")
    page = client.get("/ballots").text
    # Simpler navigation: a clear way home, and the switch now offers the standard view.
    assert 'class="back-home"' in page
    assert 'name="mode" value="standard"' in page
    assert switch(client, "standard", "/ballots") == "/ballots"
    assert not is_on(client, "/ballots")


def test_the_page_says_which_mode_is_on_in_both_languages(client: FormClient) -> None:
    switch(client, "age-friendly", "/")
    assert "标准版" in client.get("/").text
    client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": client.csrf("/")})
    assert "Standard view" in client.get("/").text


def test_a_signed_in_person_keeps_the_mode_on_their_account(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    client.sign_in("resident")
    switch(client, "age-friendly", "/account", page="/account")
    resident = world["people"]["resident"]
    with Session(engine) as s:
        account = s.get(Account, resident.id)
        assert account is not None and account.age_friendly is True
    # Another browser, no cookie: signing in brings the mode back.
    elsewhere = make_client()
    assert not is_on(elsewhere)
    elsewhere.sign_in("resident")
    assert is_on(elsewhere, "/account")
    # Switched off there, it is off on the account too.
    switch(elsewhere, "standard", "/account", page="/account")
    with Session(engine) as s:
        account = s.get(Account, resident.id)
        assert account is not None and account.age_friendly is False
    elsewhere.cookies.clear()
    elsewhere.sign_in("resident")
    assert not is_on(elsewhere, "/account")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/%2F/evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_the_return_path_never_leaves_the_site(client: FormClient, target: str) -> None:
    assert switch(client, "age-friendly", target) == "/"


def test_a_query_that_could_lead_off_site_is_not_echoed_into_the_switch(
    client: FormClient,
) -> None:
    page = client.get("/login?next=%2F%09%2Fevil.example").text
    assert "evil.example" not in page
    assert 'name="next" value="/login"' in page
    page = client.get("/ballots?page=2").text
    assert 'name="next" value="/ballots?page=2"' in page


def test_an_unknown_mode_changes_nothing(client: FormClient) -> None:
    response = client.submit("/display", {"mode": "huge", "next": "/ballots"}, page="/")
    assert response.status_code == 303 and response.headers["location"] == "/ballots"
    assert "display" not in client.cookies
    assert not is_on(client)
    client.cookies.set("display", "nonsense")
    assert not is_on(client)


def test_the_switch_needs_the_csrf_token(client: FormClient) -> None:
    client.get("/")
    response = client.post("/display", data={"mode": "age-friendly", "next": "/"})
    assert response.status_code == 403
    assert "display" not in client.cookies
