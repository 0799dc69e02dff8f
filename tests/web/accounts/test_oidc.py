"""OpenID Connect sign-in end to end against a real provider on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import Account, Identity
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, Provider, running_provider, walk_provider
from tests.support.pg import free_port
from tests.support.world import World
from web.app import create_app
from web.settings import OIDCProvider, Settings

pytestmark = pytest.mark.oidc
CALLBACK = "http://testserver/auth/oidc/testprov/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider(CALLBACK) as running:
        yield running


def oidc_settings(settings: Settings, discovery_url: str) -> Settings:
    return replace(
        settings,
        oidc_providers=(
            OIDCProvider("testprov", "测试身份", discovery_url, CLIENT_ID, CLIENT_SECRET),
        ),
    )


@pytest.fixture
def oidc_client(settings: Settings, provider: Provider) -> Iterator[FormClient]:
    app = create_app(oidc_settings(settings, provider.discovery_url))
    with FormClient(app, base_url="http://testserver") as client:
        yield client
    app.state.engine.dispose()


def start(client: FormClient, path: str = "/auth/oidc/testprov/login?next=/areas") -> str:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]
    return location


def come_back(client: FormClient, callback_url: str) -> Response:
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(f"{parts.path}?{parts.query}", follow_redirects=False)


def identities(engine: Engine) -> list[tuple[int, str]]:
    with Session(engine) as s:
        return [(i.account_id, i.subject) for i in s.scalars(select(Identity))]


def account_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Account)) or 0)


def test_first_sign_in_creates_a_linked_account_and_second_reuses_it(
    oidc_client: FormClient, engine: Engine
) -> None:
    done = come_back(oidc_client, walk_provider(start(oidc_client), "alice"))
    assert done.status_code == 303 and done.headers["location"] == "/areas"
    # A new account made by the provider has agreed to no privacy notice yet: asked first.
    asked = oidc_client.get("/areas", follow_redirects=False)
    assert asked.headers["location"] == "/account/privacy?next=/areas"
    agreed = oidc_client.submit(
        "/account/privacy/agree", {"agree": "yes", "next": "/areas"}, page="/account/privacy"
    )
    assert agreed.headers["location"] == "/areas"
    page = oidc_client.get("/account").text
    assert "测试用户 alice" in page
    [(account_id, subject)] = identities(engine)
    assert subject == "alice"
    oidc_client.post("/logout", data={"csrf_token": oidc_client.csrf("/")})
    again = come_back(oidc_client, walk_provider(start(oidc_client), "alice"))
    assert again.status_code == 303
    assert identities(engine) == [(account_id, "alice")]
    assert account_count(engine) == 1


def test_linking_to_an_existing_account(
    oidc_client: FormClient, world: World, engine: Engine
) -> None:
    oidc_client.sign_in("resident", PASSWORD)
    response = oidc_client.post(
        "/auth/oidc/testprov/link",
        data={"csrf_token": oidc_client.csrf("/account")},
        follow_redirects=False,
    )
    assert response.status_code == 302
    done = come_back(oidc_client, walk_provider(response.headers["location"], "bob"))
    assert done.status_code == 303
    assert identities(engine) == [(world["people"]["resident"].id, "bob")]
    # The same provider identity cannot be linked to a second account.
    oidc_client.post("/logout", data={"csrf_token": oidc_client.csrf("/")})
    oidc_client.sign_in("volunteer", PASSWORD)
    response = oidc_client.post(
        "/auth/oidc/testprov/link",
        data={"csrf_token": oidc_client.csrf("/account")},
        follow_redirects=False,
    )
    refused = come_back(oidc_client, walk_provider(response.headers["location"], "bob"))
    assert refused.status_code == 409 and "已关联到其他账户" in refused.text
    assert identities(engine) == [(world["people"]["resident"].id, "bob")]


def test_a_refused_login_writes_nothing(oidc_client: FormClient, engine: Engine) -> None:
    before = account_count(engine)
    refused = come_back(oidc_client, walk_provider(start(oidc_client), None, abort=True))
    assert refused.status_code == 403 and "已被取消" in refused.text
    assert account_count(engine) == before and identities(engine) == []
    assert oidc_client.get("/account", follow_redirects=False).status_code == 303


def test_tampered_state_is_refused(oidc_client: FormClient, engine: Engine) -> None:
    callback = walk_provider(start(oidc_client), "mallory")
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "forged" + query["state"]
    response = come_back(oidc_client, f"{CALLBACK}?{urlencode(query)}")
    assert response.status_code == 400 and "篡改" in response.text
    assert account_count(engine) == 0


def test_a_provider_that_is_down(settings: Settings, engine: Engine) -> None:
    dead = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    app = create_app(oidc_settings(settings, dead))
    with FormClient(app, base_url="http://testserver") as client:
        response = client.get("/auth/oidc/testprov/login", follow_redirects=False)
        assert response.status_code == 502 and "无法连接" in response.text
        assert client.get("/auth/oidc/nope/login").status_code == 404
    app.state.engine.dispose()
    assert account_count(engine) == 0
