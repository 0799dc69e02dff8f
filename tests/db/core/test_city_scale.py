"""``gongzhi demo --scale city``: a small fraction of the city loads on SQLite and
PostgreSQL with the counts asked for, and the main pages answer on it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultations.evaluations.models import EvaluationResponse, SealedResponse
from consultations.models import OpinionVote
from demo.city_scale import CITY_MARK, main_pages, sizes
from participation import portal_counts
from participation.accounts import Account
from participation.areas import Area
from participation.ballots.models import BallotReceipt, CastBallot, Participation, SealedBallot
from participation.budgets.models import BudgetRound
from participation.db import make_engine
from participation.plan.models import PlanItem
from participation.rolls import RollCount, RollEntry
from tests.support.client import FormClient
from volunteers.models import HoursEntry, HoursTotal, Membership, Shift, Team
from web.app import create_app
from web.city_scale_cli import load_city
from web.settings import Settings

FRACTION = 0.001
DEMO_PASSWORD = "gongzhi-demo"


def count(session: Session, query: object) -> int:
    return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def test_a_fraction_of_the_city_loads_and_the_main_pages_answer(any_db_url: str) -> None:
    settings = Settings(
        environment="test",
        database_url=any_db_url,
        base_url="http://testserver",
        cheap_hashing=True,
    )
    lines: list[str] = []
    counts = load_city(settings, fraction=FRACTION, out=lines.append, residents=300)
    want = sizes(FRACTION)
    assert any(line.endswith("ANALYZE") for line in lines)  # progress was shown
    engine = make_engine(any_db_url)
    city = Area.code.like(f"{CITY_MARK}%")
    with Session(engine) as s:
        kinds = dict(
            s.execute(select(Area.kind, func.count()).where(city).group_by(Area.kind)).all()
        )
        assert kinds == {
            "district": want.districts,
            "street": want.streets,
            "community": want.communities,
            "grid": want.grids,
        }
        in_city = select(Area.id).where(city, Area.kind == "community")
        roll = count(s, select(func.count()).where(RollEntry.community_id.in_(in_city)))
        assert roll == want.people == counts.people
        # The summary the roll's page reads agrees with the roll (demo and city).
        counted = s.execute(
            select(RollEntry.community_id, func.count(), func.count(RollEntry.account_id))
            .group_by(RollEntry.community_id)
            .order_by(RollEntry.community_id)
        ).all()
        kept = s.execute(
            select(RollCount.community_id, RollCount.entries, RollCount.verified)
            .where(RollCount.entries > 0)
            .order_by(RollCount.community_id)
        ).all()
        assert [tuple(r) for r in kept] == [tuple(r) for r in counted]
        teams = select(Team.id).where(Team.name.like("城区第%"))
        assert count(s, select(func.count()).select_from(teams.subquery())) == want.teams
        members = select(func.count()).where(Membership.team_id.in_(teams))
        assert count(s, members) == want.volunteers + 1  # and the demo's leader
        assert count(s, select(func.count()).select_from(Shift)) >= want.shifts
        hours = count(s, select(func.count()).where(HoursEntry.team_id.in_(teams)))
        assert hours == counts.hours > 0
        assert count(s, select(func.count()).where(HoursEntry.minutes <= 0)) == 0
        # The summary the hours reports and rosters read agrees with the ledger.
        summed = count(s, select(func.sum(HoursTotal.minutes)))
        assert summed == count(s, select(func.sum(HoursEntry.minutes))) > 0
        plan = count(s, select(func.count()).where(PlanItem.source_ref.like("city-%")))
        assert plan + 5 * (1 + want.districts) == want.plan_items == counts.plan_items
        newest = select(func.max(OpinionVote.consultation_id)).scalar_subquery()
        votes = select(func.count()).where(OpinionVote.consultation_id == newest)
        assert (
            count(s, votes)
            == counts.statement_votes
            == min(want.statement_votes, want.participants * want.statements)
        )
        rounds = s.scalars(select(BudgetRound).where(BudgetRound.area_id.in_(in_city))).all()
        assert len(rounds) == want.rounds and all(r.phase == "results" for r in rounds)
        boxes = [r.box_id for r in rounds]
        ballots = count(s, select(func.count()).where(CastBallot.box_id.in_(boxes)))
        assert ballots == want.ballots == counts.ballots
        # Stored as casting and publishing store them: one participation and one
        # receipt per ballot, nothing left sealed.
        assert count(s, select(func.count()).where(Participation.box_id.in_(boxes))) == ballots
        assert count(s, select(func.count()).where(BallotReceipt.box_id.in_(boxes))) == ballots
        assert count(s, select(func.count()).where(SealedBallot.box_id.in_(boxes))) == 0
        newest = select(func.max(EvaluationResponse.evaluation_id)).scalar_subquery()
        responses = count(s, select(func.count()).where(EvaluationResponse.evaluation_id == newest))
        assert responses == want.responses == counts.responses
        assert count(s, select(func.count()).select_from(SealedResponse)) == 0
        # Stored as the worker's home-counts job would: the front page and the area
        # pages read them instead of counting the roll and every account.
        front = portal_counts.current(s)
        assert front.as_of is not None
        assert front.accounts == count(s, select(func.count()).select_from(Account))
        top = s.scalar(select(Area).where(city, Area.kind == "district").limit(1))
        assert top is not None
        under = portal_counts.residents_under(s, top)
        assert under.as_of is not None and 0 < under.count <= roll
        pages = main_pages(s)
    engine.dispose()
    assert "None" not in " ".join(pages.values()), pages
    with FormClient(create_app(settings)) as client:
        signed_in = {"(office)": "leader", "(admin)": "admin"}
        for name, path in pages.items():
            if not any(mark in name for mark in signed_in):
                assert client.get(path).status_code == 200, name
        for mark, login in signed_in.items():
            client.sign_in(login, DEMO_PASSWORD)
            for name, path in pages.items():
                if mark in name:
                    assert client.get(path).status_code == 200, name
