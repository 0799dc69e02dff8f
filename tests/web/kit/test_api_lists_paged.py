"""Every JSON list of the open-data API is paged (issue 17, city scale): a keyset page
of at most ``limit`` items after the id ``after``, with the next page's URL in the
body's ``next`` and in a ``Link: <...>; rel="next"`` header, so that a request reads
one page however many rows there are, and walking the links reaches every item once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, text
from starlette.applications import Starlette

from tests.support.client import FormClient
from tests.support.queries import RENDER_ANEW, statements

#: Every paged list, with a query its filters take (kept on every next link).
LISTS = [
    ("/api/v1/areas", ""),
    ("/api/v1/areas", "kind=grid"),
    ("/api/v1/ballots", ""),
    ("/api/v1/plans", ""),
    ("/api/v1/plan-items", ""),
    ("/api/v1/plan-items", "year=2026"),
    ("/api/v1/volunteer/teams", ""),
    ("/api/v1/volunteer/shifts", ""),
    ("/api/v1/consultations", ""),
    ("/api/v1/evaluations", ""),
    ("/api/v1/budget-rounds", ""),
    ("/api/v1/livelihood/cycles", ""),
]


@pytest.fixture
def demo(demo_app: Starlette, demo_client: FormClient) -> FormClient:
    """The demo, with four more published evaluations (it has one): copies of it."""
    engine = demo_app.state.engine
    columns = [c["name"] for c in inspect(engine).get_columns("evaluations") if c["name"] != "id"]
    listed = ", ".join(columns)
    with engine.begin() as conn:
        for _ in range(4):
            conn.execute(
                text(
                    f"INSERT INTO evaluations ({listed}) SELECT {listed} FROM evaluations"
                    " WHERE status = 'published' ORDER BY id LIMIT 1"
                )
            )
    return demo_client


def _get(client: FormClient, url: str) -> Any:
    answer = client.get(url, headers=RENDER_ANEW)
    assert answer.status_code == 200, (url, answer.text)
    return answer


def _walk(client: FormClient, url: str) -> tuple[list[Any], int]:
    """Every item reached from ``url`` by following ``next``, and the pages read."""
    seen: list[Any] = []
    pages = 0
    while url:
        answer = _get(client, url)
        body = answer.json()
        pages += 1
        assert body["count"] == len(body["items"]) <= 2
        seen.extend(body["items"])
        link = answer.headers.get("link")
        if body["next"]:
            assert link == f'<{body["next"]}>; rel="next"'
        else:
            assert link is None
        url = body["next"]
    return seen, pages


def _key(item: dict[str, Any]) -> Any:
    return item.get("id", item.get("area_id"))


@pytest.mark.parametrize(("path", "query"), LISTS)
def test_a_list_answers_a_page_and_next_reaches_the_rest_once(
    demo: FormClient, path: str, query: str
) -> None:
    """Fails on the old code: the whole list in one answer, without ``next``."""
    sep = "&" if query else ""
    whole = _get(demo, f"{path}?{query}{sep}limit=500").json()
    assert whole["next"] is None, "the demo fits one page of 500"
    assert whole["count"] > 2, "the demo has more than a page of two"
    first = _get(demo, f"{path}?{query}{sep}limit=2")
    assert first.json()["count"] == 2
    assert first.json()["next"].startswith(f"{path}?")
    if query:
        assert query in first.json()["next"]
    walked, pages = _walk(demo, f"{path}?{query}{sep}limit=2")
    keys = [_key(i) for i in walked]
    assert len(set(keys)) == len(keys), "an item was answered twice"
    assert walked == whole["items"], "the pages, in order, are the whole list"
    assert pages == -(-len(keys) // 2)


@pytest.mark.parametrize(("path", "query"), LISTS)
def test_a_page_runs_the_same_statements_for_more_rows(
    demo: FormClient, path: str, query: str
) -> None:
    sep = "&" if query else ""
    _get(demo, f"{path}?{query}{sep}limit=2")  # warm (the first request reads more)
    with statements() as small:
        _get(demo, f"{path}?{query}{sep}limit=1")
    with statements() as large:
        body = _get(demo, f"{path}?{query}{sep}limit=500").json()
    assert body["count"] > 1
    assert len(large) == len(small), (small, large)


@pytest.mark.parametrize(("path", "_query"), LISTS)
def test_the_default_page_is_bounded(demo: FormClient, path: str, _query: str) -> None:
    assert _get(demo, path).json()["count"] <= 100


@pytest.mark.parametrize(("path", "_query"), LISTS)
def test_unreadable_paging_is_refused_with_json(
    demo_client: FormClient, path: str, _query: str
) -> None:
    for query in ("after=x", "after=-1", "limit=0", "limit=501", "limit=1.5", "after=1e3"):
        answer = demo_client.get(f"{path}?{query}")
        assert answer.status_code == 400, (path, query)
        assert answer.headers["content-type"].startswith("application/json"), (path, query)


@pytest.mark.parametrize(("path", "_query"), LISTS)
def test_the_openapi_document_states_the_paging(client: FormClient, path: str, _query: str) -> None:
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"][path]["get"]
    assert {"after", "limit"} <= {p["name"] for p in operation["parameters"]}
    assert "400" in operation["responses"]
