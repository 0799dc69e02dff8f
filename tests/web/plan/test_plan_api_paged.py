"""/api/v1/plans at a city's size (issue 17): keyset pages by plan id (``after``,
``limit``, ``year``), ``next`` linking the page after, as /api/v1/ballots does, so a
request reads one page of plans however many there are."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from tests.support.client import FormClient
from tests.support.queries import statements
from tests.support.world import World
from tests.web.plan.test_planner_plans_paged import _plans


def _walk(client: FormClient, url: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["count"] == len(body["items"])
        seen.extend(body["items"])
        url = body["next"]
    return seen


def test_plans_are_paged_to_the_last_plan(client: FormClient, engine: Engine, world: World) -> None:
    """Fails on the old code: every plan in one answer, without ``next``."""
    _plans(engine, world, 23, "a")
    first = client.get("/api/v1/plans?limit=10").json()
    assert first["count"] == 10 and first["next"].startswith("/api/v1/plans?after=")
    walked = _walk(client, "/api/v1/plans?limit=10")
    ids = [p["id"] for p in walked]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) >= 23
    assert {f"计划a{k}" for k in range(23)} <= {p["title"] for p in walked}
    # The default page holds them all here; the last page says there is no next.
    whole = client.get("/api/v1/plans").json()
    assert [p["id"] for p in whole["items"]] == ids and whole["next"] is None


def test_plans_of_a_year_keep_the_year_in_next(
    client: FormClient, engine: Engine, world: World
) -> None:
    _plans(engine, world, 7, "y")
    walked = _walk(client, "/api/v1/plans?year=2027&limit=3")
    assert {p["year"] for p in walked} == {2027}
    assert {f"计划y{k}" for k in range(7)} <= {p["title"] for p in walked}
    assert "year=2027" in client.get("/api/v1/plans?year=2027&limit=3").json()["next"]


def test_a_page_reads_the_same_for_3n_plans(
    client: FormClient, engine: Engine, world: World
) -> None:
    _plans(engine, world, 12, "s")
    with statements() as small:
        assert client.get("/api/v1/plans?limit=5").status_code == 200
    _plans(engine, world, 24, "l")
    with statements() as large:
        body = client.get("/api/v1/plans?limit=5").json()
    assert len(large) == len(small) and body["count"] == 5


def test_unreadable_paging_is_refused(client: FormClient) -> None:
    for query in ("after=x", "limit=0", "limit=501", "year=abc", "after=-1"):
        assert client.get(f"/api/v1/plans?{query}").status_code == 400, query


def test_the_openapi_document_states_the_paging(client: FormClient) -> None:
    spec = client.get("/api/openapi.json").json()
    plans = spec["paths"]["/api/v1/plans"]["get"]
    assert {p["name"] for p in plans["parameters"]} == {"after", "limit", "year"}
    body = plans["responses"]["200"]["content"]["application/json"]["schema"]
    assert "next" in body["properties"]
