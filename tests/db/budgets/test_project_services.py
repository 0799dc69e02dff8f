"""Project services on SQLite and PostgreSQL: concurrent support and sign-in count
once, results publish once into one plan item per project, refusals store nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_ballot
from participation.budgets import services as budgets
from participation.budgets.models import BudgetRound, Proposal, ProposalSupport
from participation.budgets.rules import ProposalDraft
from participation.departments import Department
from participation.errors import DomainError
from participation.livelihood import services as livelihood
from participation.livelihood.models import Attendance
from participation.livelihood.rules import CandidateDraft
from participation.plan.models import PlanItem
from participation.rolls import Congress, DeputyEntry
from tests.support.concurrency import together
from tests.support.people import enrol
from tests.support.projects import cycle_in_session
from tests.support.world import World

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def run_together(engine: Engine, work: Callable[[Session], object], times: int = 8) -> list[object]:
    """Run ``work`` in ``times`` threads at once, each in its own committed transaction."""
    return together(engine, [work] * times)


@pytest.fixture
def open_round(world: World, engine: Engine) -> tuple[BudgetRound, list[Proposal]]:
    people = world["people"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        enrol(s, world, ["resident", "household_rep", "volunteer"])
        budget_round = budgets.create_round(
            s,
            budgets.NewRound(world["community"].id, 2026, "微实事", 100_000, "greedy", "residents"),
            None,
        )
        proposals = [
            budgets.submit_proposal(
                s,
                budget_round,
                people["resident"].id,
                ProposalDraft(title, "说明", "广场", cost, "居民"),
            )
            for title, cost in [("长者饭堂", 60_000), ("路灯改造", 30_000)]
        ]
    return budget_round, proposals


def test_concurrent_support_counts_once(
    engine: Engine, world: World, open_round: tuple[BudgetRound, list[Proposal]]
) -> None:
    _, proposals = open_round
    account = world["people"]["volunteer"].id
    results = run_together(engine, lambda s: budgets.support(s, proposals[0], account, "proposal"))
    assert results.count(True) == 1
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ProposalSupport)) == 1


def test_results_publish_once_with_one_plan_item_per_project(
    engine: Engine, world: World, open_round: tuple[BudgetRound, list[Proposal]]
) -> None:
    budget_round, proposals = open_round
    people = world["people"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        # The community's own committee delivers its micro projects.
        s.add(Department(name="一社区居民委员会", area_id=world["community"].id))
        budget_round = budgets.get_round(s, budget_round.id)
        budgets.advance(s, budget_round, people["staff"].id, NOW)
        for p in proposals:
            budgets.screen(
                s,
                budgets.get_proposal(s, p.id),
                budgets.Screening(True, "可行", "合规", None, ""),
                people["staff"].id,
                NOW,
            )
        budgets.advance(s, budget_round, people["staff"].id, NOW, NOW + timedelta(hours=1))
        box = get_box(s, budget_round.box_id or 0)
        for role in ["resident", "household_rep", "volunteer"]:
            cast_ballot(s, box, people[role].id, {"approved": [f"p{proposals[0].id}"]}, NOW)
    later = NOW + timedelta(hours=2)

    def publish(s: Session) -> object:
        try:
            return budgets.advance(
                s,
                budgets.get_round(s, budget_round.id),
                people["staff"].id,
                later,
                expected="voting",
            )
        except DomainError as error:
            return error.code

    results = run_together(engine, publish, times=4)
    assert results.count("results") == 1
    assert results.count("round.moved_on") == 3
    with Session(engine) as s:
        items = s.scalars(select(PlanItem)).all()
        assert [i.title for i in items].count("长者饭堂") == 1
        assert {i.title for i in items} == {"长者饭堂", "路灯改造"}
        committee = s.scalars(select(Department.id).where(Department.area_id.is_not(None))).one()
        assert {(i.owner_department, i.owner_department_id) for i in items} == {
            ("一社区居民委员会", committee)
        }
        published = budgets.get_round(s, budget_round.id)
        assert published.phase in ("results", "delivery")
        cache: dict[str, budgets.Results] = {}
        first = budgets.results(s, published, cache)
        assert first is not None and first.other_rule == "mes"
        assert budgets.results(s, published, cache) is first and len(cache) == 1
        assert first.tally["selected"] == [f"p{proposals[0].id}", f"p{proposals[1].id}"]


def test_a_refused_screening_stores_nothing(
    engine: Engine, world: World, open_round: tuple[BudgetRound, list[Proposal]]
) -> None:
    _, proposals = open_round
    with Session(engine) as s:
        proposal = budgets.get_proposal(s, proposals[0].id)
        with pytest.raises(DomainError) as refused:
            budgets.screen(
                s,
                proposal,
                budgets.Screening(False, "可行", "合规", None, "  "),
                world["people"]["staff"].id,
                NOW,
            )
        assert "rejection_reason" in refused.value.fields
        s.rollback()
    with Session(engine) as s:
        stored = s.get(Proposal, proposals[0].id)
        assert stored is not None and stored.status == "submitted"


def test_concurrent_attendance_counts_once(engine: Engine, world: World) -> None:
    deputy = world["people"]["deputy"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        congress = Congress(area_id=world["district"].id, term=1, session_number=1, name="会议")
        s.add(congress)
        s.flush()
        s.add(
            DeputyEntry(congress_id=congress.id, name="代表", id_hash="1" * 64, account_id=deputy)
        )
        cycle = cycle_in_session(s, congress.id, deputy, NOW)
        assert cycle.phase == "session"
    results = run_together(
        engine,
        lambda s: livelihood.sign_in_deputy(s, livelihood.get_cycle(s, cycle.id), deputy, NOW),
    )
    assert results.count(True) == 1
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Attendance)) == 1
        assert livelihood.attendance(s, livelihood.get_cycle(s, cycle.id)).present == 1


def test_the_year_end_vote_counts_as_the_cycle_says(engine: Engine, world: World) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        congress = Congress(area_id=world["district"].id, term=1, session_number=2, name="会议")
        s.add(congress)
        s.flush()
        with pytest.raises(DomainError) as refused:
            livelihood.create_cycle(
                s, livelihood.NewCycle(congress.id, 2026, "x", 1, satisfaction_half="most"), None
            )
        assert "satisfaction" in refused.value.fields
        cycle = livelihood.create_cycle(
            s,
            livelihood.NewCycle(
                congress.id,
                2026,
                "民生实事",
                1,
                satisfaction_base="eligible",
                satisfaction_half="reach",
            ),
            None,
        )
        draft = CandidateDraft("甲", "b", "c", "局", 100, "财政", date(2026, 12, 31), "public")
        adopted = livelihood.submit(s, cycle, draft, None)
        adopted.status, adopted.ballot_key = "adopted", "c1"
        livelihood.open_satisfaction(s, cycle, 1, NOW, NOW + timedelta(days=1))
        box = get_box(s, cycle.satisfaction_box_id or 0)
        assert box.rule == {"rule": "satisfaction", "base": "eligible", "half": "reach"}
