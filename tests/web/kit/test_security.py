from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from participation.accounts import Account
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.world import World
from web.app import create_app
from web.settings import Settings


def test_post_without_csrf_token_is_refused_and_changes_nothing(
    client: FormClient, engine: Engine
) -> None:
    client.get("/signup")
    response = client.post(
        "/signup", data={"login": "bob123", "password": "long enough", "display_name": "Bob"}
    )
    assert response.status_code == 403
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0


def test_wrong_token_and_cross_origin_are_refused(client: FormClient) -> None:
    token = client.csrf("/signup")
    data = {"login": "bob123", "password": "long enough", "display_name": "Bob"}
    assert client.post("/signup", data=data | {"csrf_token": "x" + token}).status_code == 403
    cross = client.post(
        "/signup", data=data | {"csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    site = client.post(
        "/signup", data=data | {"csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert site.status_code == 403


def test_htmx_requests_use_the_header(client: FormClient) -> None:
    token = client.csrf("/signup")
    data = {"login": "bob123", "password": "long enough", "display_name": "Bob", "agree": "yes"}
    response = client.post(
        "/signup", data=data, headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/verify"


def test_security_headers(client: FormClient) -> None:
    headers = client.get("/").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_error_pages_in_both_languages(client: FormClient) -> None:
    zh = client.get("/no-such-page")
    assert zh.status_code == 404
    assert 'lang="zh-CN"' in zh.text
    assert "页面不存在" in zh.text
    client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": client.csrf("/")})
    en = client.get("/no-such-page")
    assert 'lang="en"' in en.text
    assert "Page not found" in en.text


def test_api_errors_are_json(client: FormClient) -> None:
    response = client.get("/api/v1/areas/999999")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_forbidden_page(client: FormClient, world: World) -> None:
    client.sign_in("resident", PASSWORD)
    response = client.get("/admin")
    assert response.status_code == 403
    assert "无权" in response.text or "不能" in response.text


def test_server_error_page(settings: Settings) -> None:
    from starlette.routing import Route
    from starlette.testclient import TestClient

    app = create_app(settings)

    async def boom(request: Request) -> Response:
        raise RuntimeError("kaboom")

    app.router.routes.append(Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    assert response.status_code == 500
    assert "kaboom" not in response.text
    assert 'lang="zh-CN"' in response.text


def test_https_base_url_sets_secure_cookie(settings: Settings) -> None:
    from dataclasses import replace

    from starlette.testclient import TestClient

    app = create_app(replace(settings, base_url="https://gongzhi.example"))
    with TestClient(app, base_url="https://gongzhi.example") as c:
        response = c.get("/login")
    assert "secure" in response.headers["set-cookie"].lower()
    assert "strict-transport-security" in response.headers


def test_settings_refuse_default_secrets_in_production() -> None:

    from web.settings import SettingsError

    with pytest.raises(SettingsError):
        Settings.from_env({"GONGZHI_ENV": "production"})
    ok = Settings.from_env(
        {
            "GONGZHI_ENV": "production",
            "GONGZHI_SECRET_KEY": "s" * 40,
            "GONGZHI_ID_HASH_KEY": "i" * 40,
        }
    )
    assert ok.environment == "production"
