"""A round's results read the same number of statements, and no ballot, whether
N or 3N people voted: the other rule's tally is stored when the results are
published, with the figures a recount of the bulletin gives."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from demo.city_scale import Progress, Sizes, _budgets
from participation import accounts
from participation.ballots.boxes import get_box
from participation.budgets import services as budgets
from participation.budgets.models import BudgetRound
from participation.rolls import RollEntry
from tests.support.queries import statements
from tests.support.world import World


def _results(
    engine: Engine, world: World, area_key: Literal["community", "other"], voters: int
) -> tuple[int, Any, Any]:
    """Seeds a finished round of ``voters`` ballots in ``area_key`` (as the city
    loader does) and returns the statements its results run, the results, and a
    recount from the bulletin."""
    area = world[area_key]
    with Session(engine) as s, s.begin():
        real = [  # the proposals' authors, verified residents
            accounts.sign_up(
                s, login=f"{area_key}_author{n}", password="correct horse", display_name="居民"
            ).id
            for n in range(8)
        ]
        for n, account_id in enumerate(real):
            s.add(
                RollEntry(
                    community_id=area.id,
                    name=f"居民{n}",
                    id_hash=f"{area_key}{n}".ljust(64, "0"),
                    birth_date=date(1980, 1, 1),
                    household_code=f"H{n}",
                    account_id=account_id,
                )
            )
    people = real + [1_000_000 + n for n in range(voters - len(real))]
    with Session(engine) as s, s.begin():
        _budgets(
            s,
            [area],
            {area.id: people},
            Sizes(rounds=1),
            random.Random(7),
            Progress(None),
            datetime(2026, 3, 1, tzinfo=UTC),
        )
    with Session(engine) as s:
        budget_round = s.scalars(select(BudgetRound).where(BudgetRound.area_id == area.id)).one()
        with statements() as seen:
            found = budgets.results(s, budget_round)
        box = get_box(s, budget_round.box_id or 0)
        recount = budgets._recount_other(box, budget_round)
    assert not [sql for sql in seen if "bulletin_json" in sql]
    return len(seen), found, recount


def test_results_read_as_much_for_3n_ballots_as_for_n(engine: Engine, world: World) -> None:
    few, small, small_recount = _results(engine, world, "community", 40)
    many, large, large_recount = _results(engine, world, "other", 120)
    assert many == few
    assert small is not None and large is not None
    assert small.other == small_recount and large.other == large_recount
    assert (small.tally["ballots"], large.tally["ballots"]) == (40, 120)
    assert small.other["ballots"] == 40 and large.other["ballots"] == 120
