"""The list of rounds runs as many queries for one round as for three, each in its
own area (it ran one query per round's area before)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from participation.budgets import services as budgets
from tests.support.client import FormClient
from tests.support.queries import reading, statements_of_page
from tests.support.world import World


def test_the_list_of_rounds_reads_areas_once(
    client: FormClient, world: World, engine: Engine
) -> None:
    def add_round(area_key: Literal["community", "other", "street"]) -> None:
        area = world[area_key]
        with Session(engine) as s, s.begin():
            budgets.create_round(
                s,
                budgets.NewRound(area.id, 2026, f"{area_key}微实事", 1000, "greedy", "residents"),
                None,
            )

    def listing() -> list[str]:
        return statements_of_page(client, "/budgets")

    add_round("community")
    one = listing()
    add_round("other")
    add_round("street")
    three = listing()
    assert reading("areas", three) == reading("areas", one)
    assert len(three) == len(one)
