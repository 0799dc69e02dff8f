"""The demo shows every stage of project ballots with realistic data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.ballots.boxes import get_box
from participation.budgets import services as budgets
from participation.budgets.rules import compare_outcomes
from participation.db import make_engine, utcnow
from participation.livelihood import services as livelihood
from participation.plan.models import PlanItem


def test_demo_projects(demo_url: str) -> None:
    engine = make_engine(demo_url)
    now = utcnow()
    with Session(engine) as s:
        rounds = {r.phase: r for r in budgets.rounds(s)}
        assert {"proposal", "voting", "delivery"} <= set(rounds)
        voting = rounds["voting"]
        assert voting.box_id is not None and get_box(s, voting.box_id).is_open(now)
        finished = budgets.results(s, rounds["delivery"])
        assert finished is not None
        rows, _, _ = compare_outcomes(finished.tally, finished.other)
        assert any(r.differs for r in rows)  # greedy and equal shares disagree
        cycle = next(c for c in livelihood.cycles(s) if c.phase == "closed")
        assert cycle.places == 10
        tally = livelihood.tally_of(get_box(s, cycle.box_id or 0))
        assert tally is not None and len(tally["rows"]) == 12 and len(tally["selected"]) == 10
        # Only deputies present voted; the late arrival got a paper ballot too.
        box = get_box(s, cycle.box_id or 0)
        roll = livelihood.roll_call(s, cycle)
        signed_in = sum(1 for _entry, here in roll if here)
        assert box.requires_presence and box.paper_issued == signed_in < len(roll)
        assert tally["ballots"] == signed_in
        kinds = [i.source_kind for i in s.scalars(select(PlanItem))]
        assert kinds.count("livelihood_project") == 10
        assert kinds.count("satisfaction") == 1
        assert kinds.count("community_budget") >= 2
    engine.dispose()
