"""An area's page shows the residents on the roll of the communities under it from
the summary the worker's home-counts job keeps (one row per community), and says
when they were counted; before the job's first run it counts the roll directly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation import portal_counts
from participation.rolls import RollEntry
from tests.support.client import FormClient
from tests.support.queries import statements_of_page

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _enter(engine: Engine, places: list[Any], start: int) -> None:
    with Session(engine) as s, s.begin():
        for n, place in enumerate(places, start=start):
            s.add(
                RollEntry(
                    community_id=place.id,
                    name=f"居民{n}",
                    id_hash=f"{n:064x}",
                    birth_date=date(1980, 1, 1),
                    household_code=f"H{n}",
                )
            )


def _residents(html: str) -> int:
    return int(re.search(r"人数</dt><dd>(\d+)</dd>", html).group(1))  # type: ignore[union-attr]


def test_the_area_pages_read_the_residents_from_the_summary_once_the_job_ran(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: every view of the city's page counted the whole roll
    under it (a million entries in a city), and nothing said when it was counted."""
    _enter(engine, [world["community"], world["other"], world["community"]], 0)
    before = client.get(f"/areas/{world['city'].id}").text
    assert _residents(before) == 3 and "统计于" not in before  # counted just now
    with Session(engine) as s, s.begin():
        portal_counts.refresh(s, NOW)
    _enter(engine, [world["other"]], 3)  # filed after the count: shown at the next one
    shown = {}
    for key in ("city", "district", "community", "other", "grid"):
        path = f"/areas/{world[key].id}"
        seen = statements_of_page(client, path)
        assert not [sql for sql in seen if "FROM roll_entries" in sql], key
        html = client.get(path).text
        shown[key] = _residents(html)
        assert "统计于" in html, key  # says when
    assert shown == {"city": 3, "district": 3, "community": 2, "other": 1, "grid": 0}
    with Session(engine) as s, s.begin():
        portal_counts.refresh(s, NOW)
    assert _residents(client.get(f"/areas/{world['city'].id}").text) == 4
