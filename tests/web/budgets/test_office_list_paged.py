"""/admin/budgets at a city's size (hundreds of rounds): paged in SQL, the newest
first, in as many statements for 3N rounds as for N, the pager keeping the area
step of the new-round form."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.budgets.models import BudgetRound
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.world import World

PER_PAGE = 50  # web.budgets.office.ROUNDS_PER_PAGE


def _rounds(engine: Engine, world: World, count: int, tag: str) -> None:
    with Session(engine) as s, s.begin():
        for k in range(count):
            s.add(
                BudgetRound(
                    area_id=world["community"].id,
                    year=2027,
                    title=f"微实事{tag}{k:03d}",
                    budget_yuan=100_000,
                    rule="greedy",
                    roll="residents",
                )
            )


def _rows(html: str) -> int:
    return len(re.findall(r'<a href="/admin/budgets/\d+">', html))


def test_the_round_list_runs_as_many_statements_for_3n_rounds_as_for_n(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: every round of the city was loaded and rendered."""
    client.sign_in("admin")
    _rounds(engine, world, 30, "a")
    few, small = page_selects(engine, client, "/admin/budgets")
    _rounds(engine, world, 60, "b")
    many, big = page_selects(engine, client, "/admin/budgets")
    assert few == many
    assert _rows(small) < PER_PAGE and _rows(big) == PER_PAGE
    assert "微实事b059" in big and "微实事a000" not in big  # the newest first
    area = world["district"].id
    later = client.get(f"/admin/budgets?area={area}&page=2").text
    assert "微实事a000" in later and "微实事b059" not in later
    assert f'href="/admin/budgets?area={area}&amp;page=1"' in later
