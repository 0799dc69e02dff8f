"""/admin/livelihood at a city's size: a page of 50 cycles read in SQL, in as many
statements for 3N cycles as for N."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.livelihood.models import LivelihoodCycle
from participation.rolls import Congress
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.world import World

PER_PAGE = 50  # web.livelihood.office.CYCLES_PER_PAGE


def _cycles(engine: Engine, world: World, count: int, tag: str) -> None:
    with Session(engine) as s, s.begin():
        congress = Congress(
            area_id=world["district"].id,
            term=1,
            session_number=len(tag) + ord(tag[0]),
            name=f"会{tag}",
        )
        s.add(congress)
        s.flush()
        for k in range(count):
            s.add(
                LivelihoodCycle(
                    congress_id=congress.id,
                    area_id=world["district"].id,
                    year=2027,
                    title=f"民生实事{tag}{k:03d}",
                    places=5,
                )
            )


def test_the_cycle_list_runs_as_many_statements_for_3n_cycles_as_for_n(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: every cycle was loaded and rendered."""
    client.sign_in("admin")
    _cycles(engine, world, 30, "a")
    few, small = page_selects(engine, client, "/admin/livelihood")
    _cycles(engine, world, 60, "b")
    many, big = page_selects(engine, client, "/admin/livelihood")
    rows = re.compile(r'<a href="/admin/livelihood/\d+">')
    assert few == many
    assert len(rows.findall(small)) < PER_PAGE and len(rows.findall(big)) == PER_PAGE
    later = client.get("/admin/livelihood?page=2").text
    assert "民生实事a000" in later and "民生实事b059" not in later
    assert 'href="/admin/livelihood?page=1"' in later
