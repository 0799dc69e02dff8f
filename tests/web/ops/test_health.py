"""/healthz, /readyz and /metrics; the request id in logs, headers and error pages."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from participation import job_runs, outbox
from participation.db import make_engine, utcnow
from tests.support.pg import free_port
from tests.support.world import World
from web.app import create_app
from web.migrate import upgrade
from web.ops.jobs import MINUTE
from web.ops.logs import JsonFormatter
from web.settings import Settings

LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture
def local(app: Starlette) -> Iterator[TestClient]:
    """A client on the loopback address (the test client's default is no address)."""
    with TestClient(app, base_url="http://testserver", client=LOOPBACK) as c:
        yield c


def test_healthz_and_readyz_when_all_is_well(local: TestClient) -> None:
    assert local.get("/healthz").json() == {"status": "ok"}
    response = local.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ready"}


def test_readyz_is_503_while_the_database_is_down_and_healthz_still_answers() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    app = create_app(Settings(environment="test", database_url=url))
    with TestClient(app, client=LOOPBACK) as c:
        assert c.get("/healthz").status_code == 200
        response = c.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "not ready"
        assert "database does not answer" in response.json()["reason"]
    app.state.engine.dispose()


def test_readyz_is_503_until_the_migrations_are_applied(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/behind.db"
    upgrade(url, "0015")
    app = create_app(Settings(environment="test", database_url=url))
    with TestClient(app, client=LOOPBACK) as c:
        response = c.get("/readyz")
        assert response.status_code == 503
        assert "gongzhi migrate" in response.json()["reason"]
        upgrade(url)
        assert c.get("/readyz").status_code == 200
    app.state.engine.dispose()


def _sample(text: str, name: str, **labels: str) -> float | None:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(name + " ")):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_count_requests_by_route_template_and_read_the_database(
    local: TestClient, db_url: str, world: World
) -> None:
    community = world["community"].id
    for _ in range(3):
        assert local.get(f"/areas/{community}").status_code == 200
    local.get("/no/such/page")
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        outbox.queue(s, to="a@example.cn", subject="s", body="b")
        run = job_runs.claim(
            s,
            job="send-mail",
            period_start=utcnow(),
            period=MINUTE,
            worker="w",
            now=utcnow(),
        )
        assert run is not None
        job_runs.finish(s, run, status=job_runs.FAILED, detail="boom", now=utcnow())
    engine.dispose()

    response = local.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    body = response.text
    route = "/areas/{area_id:int}"
    assert (
        _sample(body, "gongzhi_http_requests_total", method="GET", route=route, status="200") == 3
    )
    assert (
        _sample(body, "gongzhi_http_requests_total", method="GET", route="unmatched", status="404")
        == 1
    )
    assert (
        _sample(body, "gongzhi_http_request_duration_seconds_count", method="GET", route=route) == 3
    )
    assert str(community) not in re.findall(r'route="([^"]*)"', body)  # templates, not paths
    assert _sample(body, "gongzhi_outbox_messages", state="pending") == 1
    assert _sample(body, "gongzhi_outbox_messages", state="given_up") == 0
    assert _sample(body, "gongzhi_job_runs", job="send-mail", status="failed") == 1
    assert _sample(body, "gongzhi_database_up") == 1
    assert _sample(body, "gongzhi_db_pool_connections_in_use") is not None


@pytest.mark.parametrize(
    ("client", "headers"),
    [
        (("10.0.0.7", 1234), {}),  # not a configured address
        (("testclient", 1234), {}),  # not an address at all
        (LOOPBACK, {"X-Forwarded-For": "203.0.113.9"}),  # came through the proxy
        (LOOPBACK, {"X-Real-IP": "203.0.113.9"}),
    ],
)
def test_metrics_are_404_to_anyone_else(
    app: Starlette, client: tuple[str, int], headers: dict[str, str]
) -> None:
    with TestClient(app, client=client) as c:
        response = c.get("/metrics", headers=headers)
    assert response.status_code == 404
    assert "gongzhi_" not in response.text


def test_metrics_allow_is_a_setting(db_url: str) -> None:
    settings = Settings(environment="test", database_url=db_url, metrics_allow="10.0.0.0/8")
    app = create_app(settings)
    with TestClient(app, client=("10.1.2.3", 1)) as c:
        assert c.get("/metrics").status_code == 200
    with TestClient(app, client=LOOPBACK) as c:
        assert c.get("/metrics").status_code == 404
    app.state.engine.dispose()
    assert Settings.from_env({"GONGZHI_METRICS_ALLOW": "10.0.0.0/8"}).metrics_allow == "10.0.0.0/8"


def test_one_json_line_per_request_with_the_id_of_the_response(
    local: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="gongzhi.requests"):
        response = local.get("/areas")
        given = local.get("/healthz", headers={"X-Request-ID": "nginx-0123456789abcdef"})
        forged = local.get("/healthz", headers={"X-Request-ID": "bad id\r\nx"})
    records = [r for r in caplog.records if r.name == "gongzhi.requests"]
    assert len(records) == 3
    lines = [json.loads(JsonFormatter().format(r)) for r in records]
    assert all("\n" not in JsonFormatter().format(r) for r in records)
    first = lines[0]
    assert first["request_id"] == response.headers["X-Request-ID"]
    assert (first["method"], first["path"], first["route"], first["status"]) == (
        "GET",
        "/areas",
        "/areas",
        200,
    )
    assert first["duration_ms"] >= 0 and first["level"] == "info"
    assert lines[1]["request_id"] == given.headers["X-Request-ID"] == "nginx-0123456789abcdef"
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra={"fields": {...}}`` of a request's log record."""
    fields: dict[str, Any] = record.__dict__["fields"]
    return fields


def test_error_pages_show_the_request_id(app: Starlette, caplog: pytest.LogCaptureFixture) -> None:
    async def boom(request: Request) -> None:
        raise RuntimeError("kaput")

    app.router.routes.append(Route("/boom", boom))
    with (
        caplog.at_level(logging.INFO, logger="gongzhi"),
        TestClient(app, raise_server_exceptions=False, cookies={"lang": "en"}) as c,
    ):
        missing = c.get("/no/such/page")
        failed = c.get("/boom")
    assert missing.status_code == 404
    assert missing.headers["X-Request-ID"] in missing.text
    assert failed.status_code == 500
    [line] = [
        r for r in caplog.records if r.name == "gongzhi.requests" and _fields(r)["status"] == 500
    ]
    rid = _fields(line)["request_id"]
    assert rid in failed.text
    assert "quote this reference" in failed.text


def test_secret_tokens_in_paths_stay_out_of_the_log(
    local: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = "s3cr3t-feed-token-0123456789"
    with caplog.at_level(logging.INFO, logger="gongzhi.requests"):
        local.get(f"/volunteers/calendar/{token}.ics")
    [record] = [r for r in caplog.records if r.name == "gongzhi.requests"]
    line = JsonFormatter().format(record)
    assert token not in line
    assert json.loads(line)["path"] == "/volunteers/calendar/-.ics"
    assert json.loads(line)["route"] == "/volunteers/calendar/{token}.ics"
