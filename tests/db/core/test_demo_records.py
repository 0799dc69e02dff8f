"""The demo's records state true facts (issue 13, item 6): a finished congress
cycle counts every project on its list, one community has one open budget vote,
and the livelihood projects deputies graded report their delivery."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.ballots.models import BallotBox
from participation.ballots.rules.ballot_forms import FormKind
from participation.db import make_engine, utcnow
from participation.livelihood import services as livelihood
from participation.plan.board import Filters, item_views


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[Session]:
    copy = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(demo_template, copy)
    engine = make_engine(f"sqlite:///{copy}")
    with Session(engine) as s:
        yield s
    engine.dispose()


def test_a_finished_cycle_counts_every_listed_project(demo: Session) -> None:
    cycle = next(c for c in livelihood.cycles(demo) if c.phase == "closed")
    listed = livelihood.competitiveness(demo, cycle)
    assert listed.candidates == 12 and listed.ok


def test_one_open_budget_vote_per_community(demo: Session) -> None:
    now = utcnow()
    open_budget_votes = Counter(
        box.area_id
        for box in demo.scalars(select(BallotBox))
        if box.form.kind is FormKind.BUDGET and box.opens_at <= now < box.closes_at
    )
    assert open_budget_votes and max(open_budget_votes.values()) == 1


def test_graded_livelihood_projects_report_their_delivery(demo: Session) -> None:
    views = item_views(demo, utcnow().date(), Filters(source="livelihood_project"))
    assert len(views) == 10
    # The market, graded dissatisfied, shows its rectification's progress instead.
    satisfied = [v for v in views if v.item.title != "农贸市场升级改造"]
    assert [(v.progress, v.status) for v in satisfied] == [(100, "done")] * 9
