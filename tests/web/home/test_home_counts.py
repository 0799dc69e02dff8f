"""The front page's city-wide counts come from the summary row the worker's
``home-counts`` job stores, not from counting three large tables per visit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from participation import accounts
from tests.support.client import FormClient
from tests.support.queries import statements_of_page
from tests.support.world import World
from web.ops.jobs import JOBS
from web.settings import Settings

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _run_job(engine: Engine, settings: Settings) -> str:
    job = next(j for j in JOBS if j.name == "home-counts")
    with Session(engine) as s, s.begin():
        return job.run(s, NOW, settings)


def _counting(seen: list[str]) -> list[str]:
    """The statements that count communities, accounts or verified residents."""
    return [
        sql
        for sql in seen
        if "count(" in sql.lower()
        and ("FROM accounts" in sql or "FROM roll_entries" in sql or "areas.kind = " in sql)
    ]


def test_the_front_page_counts_nothing_once_the_job_ran(
    client: FormClient, world: World, engine: Engine, settings: Settings
) -> None:
    assert _run_job(engine, settings) == "2 communities, 13 accounts, 0 verified residents"
    seen = statements_of_page(client, "/")
    assert _counting(seen) == []
    page = client.get("/").text
    assert "<dd>13</dd>" in page and "统计于" in page


def test_the_counts_follow_the_job(
    client: FormClient, world: World, engine: Engine, settings: Settings
) -> None:
    _run_job(engine, settings)
    with Session(engine) as s, s.begin():
        accounts.sign_up(s, login="newcomer", password="Gz-new-secret-47", display_name="新人")
    assert "<dd>13</dd>" in client.get("/").text  # until the next run
    _run_job(engine, settings)
    assert "<dd>14</dd>" in client.get("/").text


def test_before_the_first_run_the_page_counts_directly(client: FormClient, world: World) -> None:
    page = client.get("/").text
    assert "<dd>13</dd>" in page and "统计于" not in page
