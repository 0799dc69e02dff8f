"""The hotspot page's table of every unit is paged (a city has thousands of units):
50 a page with a pager, names read for the units shown only."""

from __future__ import annotations

import re

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.requests.board import UnitFigures
from participation.requests.models import HandlingUnit
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.requests import NOW
from tests.support.world import World


def _units(engine: Engine, n: int, tag: str) -> None:
    """``n`` units with stored figures, unit k having received 1000 - k requests."""
    with Session(engine) as s, s.begin():
        s.execute(
            insert(HandlingUnit),
            [{"kind": "department", "name": f"单位{tag}{k:04d}"} for k in range(n)],
        )
        ids = s.scalars(select(HandlingUnit.id).where(HandlingUnit.name.like(f"单位{tag}%"))).all()
        s.execute(
            insert(UnitFigures),
            [
                {
                    "unit_id": unit,
                    "received": 1000 - k,
                    "accepted": 1000 - k,
                    "resolved": 900 - k,
                    "on_time": 800,
                    "deadlines": 1000,
                    "satisfied": 10,
                    "rated": 20,
                    "computed_at": NOW,
                }
                for k, unit in enumerate(ids)
            ],
        )


def _rows(html: str) -> int:
    table = html.split('id="ranking"')[1].split("</table>")[0]
    return len(re.findall(r'<tr><td(?: class="card-title")?>', table))


def test_every_unit_is_shown_a_page_at_a_time(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: all 120 units were rows of one table."""
    app.state.fixed_now = NOW
    _units(engine, 120, "a")
    first = client.get("/requests/hotspots").text
    assert _rows(first) == 50 and 'rel="next"' in first
    last = client.get("/requests/hotspots?page=3").text
    assert _rows(last) == 20 and 'rel="next"' not in last
    area = world["district"].id
    narrowed = client.get(f"/requests/hotspots?area={area}").text
    assert f"/requests/hotspots?area={area}&amp;page=2" in narrowed


def test_the_page_runs_as_many_statements_for_3n_units(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _units(engine, 60, "a")
    few, _ = page_selects(engine, client, "/requests/hotspots")
    _units(engine, 120, "b")
    many, text = page_selects(engine, client, "/requests/hotspots")
    assert many == few and _rows(text) == 50
