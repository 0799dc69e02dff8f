"""/api/v1/ballots is paged by id (?after=, ?limit= up to 500, a ``next`` link): a
page runs as many statements for 3N published ballots as for N and never lists
them all; unreadable paging values get a 400, not a 500."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.ballots.models import BallotBox
from tests.support.client import FormClient
from tests.support.queries import statements_of_page

AT = datetime(2026, 5, 1, tzinfo=UTC)


def _publish(engine: Engine, world: dict[str, Any], n: int) -> None:
    with Session(engine) as s, s.begin():
        s.execute(
            insert(BallotBox),
            [
                {
                    "title": f"票{k}",
                    "area_id": world["community"].id,
                    "roll": "residents",
                    "opens_at": AT,
                    "closes_at": AT,
                    "form_json": "{}",
                    "rule_json": "{}",
                    "published_at": AT,
                    "bulletin_root": f"{k:064x}",
                    "tally_json": json.dumps({"n": k}),
                }
                for k in range(n)
            ],
        )


def test_the_list_is_paged_with_a_next_link(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: every published ballot came in one answer."""
    _publish(engine, world, 250)
    first = client.get("/api/v1/ballots").json()
    assert first["count"] == len(first["items"]) == 100
    seen = [b["id"] for b in first["items"]]
    following = first["next"]
    while following:
        page = client.get(following).json()
        seen += [b["id"] for b in page["items"]]
        following = page["next"]
    assert len(seen) == len(set(seen)) == 250 and seen == sorted(seen)
    small = client.get("/api/v1/ballots?limit=7").json()
    assert len(small["items"]) == 7 and small["next"].endswith("limit=7")
    assert client.get("/api/v1/ballots?limit=501").status_code == 400
    assert client.get("/api/v1/ballots?after=x").status_code == 400
    assert client.get("/api/v1/ballots?limit=0").status_code == 400


def test_a_page_runs_as_many_statements_for_3n_ballots(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    _publish(engine, world, 120)
    small = len(statements_of_page(client, "/api/v1/ballots"))
    _publish(engine, world, 240)
    assert len(statements_of_page(client, "/api/v1/ballots")) == small


def test_the_paging_is_in_the_openapi_document(client: FormClient) -> None:
    doc = client.get("/api/openapi.json").json()
    names = {p["name"] for p in doc["paths"]["/api/v1/ballots"]["get"]["parameters"]}
    assert names == {"after", "limit"}
