"""A community with ``n`` of everything the personal home shows, written straight
into the tables (the services that make them are tested in their areas)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from consultations.evaluations.models import Evaluation, EvaluationParticipation
from consultations.models import Consultation, Cosignature, Objection, Post, Topic
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.models import Participation
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.budgets.models import BudgetRound, Proposal, ProposalComment
from participation.organizations.models import Organization, OrgMember
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Update
from participation.requests.models import ResidentRequest
from participation.rolls import RollEntry
from tests.support.world import World
from volunteers.models import Activity, HoursEntry, Membership, Shift, SignUp, Team


def fill(session: Session, world: World, n: int, now: datetime, *, start: int = 0) -> None:
    """``n`` open ballots (voted in by 'resident'), consultations, budget rounds with
    submitted proposals, evaluations, plan items with updates, team shifts with
    sign-ups, requests, topics in triage and objections; 'resident' must be on the
    roll. Not committed."""
    people = world["people"]
    community, district = world["community"], world["district"]
    resident = people["resident"].id
    entry = session.query(RollEntry).filter_by(account_id=resident).one()
    org = Organization(
        name=f"评估所{start}",
        credit_code=f"{start:018d}",
        area_id=district.id,
        registered_by=people["org_member"].id,
        status="pending",
    )
    session.add(org)
    session.flush()
    session.add(OrgMember(org_id=org.id, account_id=people["org_member"].id))
    plan = Plan(area_id=community.id, year=now.year - start, title=f"计划{start}")
    team = Team(area_id=community.id, name=f"队{start}", kind="featured")
    session.add_all([plan, team])
    session.flush()
    session.add_all(
        [
            Membership(team_id=team.id, account_id=resident, role="member", status="active"),
            Membership(
                team_id=team.id, account_id=people["team_leader"].id, role="leader", status="active"
            ),
            Membership(team_id=team.id, account_id=people["volunteer"].id, status="pending"),
        ]
    )
    activity = Activity(team_id=team.id, title=f"活动{start}")
    session.add(activity)
    session.flush()
    for k in range(start, start + n):
        box = create_box(
            session,
            NewBox(
                title=f"表决{k}",
                area=community,
                roll=Roll.RESIDENTS,
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=k + 1),
                form=BallotForm(FormKind.YES_NO),
                rule={"rule": "threshold"},
                items=[NewItem("事项")],
            ),
            None,
        )
        session.add(Participation(box_id=box.id, voter_key=f"account:{resident}"))
        topic = Topic(
            area_id=community.id,
            title=f"议题{k}",
            source="resident",
            proposer_id=resident,
            threshold=1,
            status="triage",
        )
        session.add(topic)
        session.flush()
        session.add(Cosignature(topic_id=topic.id, account_id=people["household_rep"].id))
        consultation = Consultation(
            topic_id=topic.id,
            area_id=community.id,
            title=f"协商{k}",
            agenda="议程",
            meets_at=now + timedelta(days=k),
            announced_at=now,
            deliberation_opens_at=now - timedelta(days=1),
            deliberation_closes_at=now + timedelta(days=k + 1),
        )
        session.add(consultation)
        session.flush()
        session.add_all(
            [
                Post(
                    consultation_id=consultation.id,
                    kind="post",
                    author_id=resident,
                    author_name="居民",
                    body=f"意见{k}",
                ),
                Objection(
                    consultation_id=consultation.id,
                    author_id=resident,
                    author_name="居民",
                    body="异议",
                    lodged_at=now,
                ),
            ]
        )
        budget_round = BudgetRound(
            area_id=community.id,
            year=now.year,
            title=f"微实事{k}",
            budget_yuan=100_000,
            rule="greedy",
            roll="residents",
            phase="proposal",
        )
        session.add(budget_round)
        session.flush()
        proposal = Proposal(
            round_id=budget_round.id,
            author_id=resident,
            title=f"项目{k}",
            description="说明",
            location="广场",
            cost_yuan=1000,
            beneficiaries="居民",
        )
        session.add(proposal)
        session.flush()
        session.add(ProposalComment(proposal_id=proposal.id, author_id=resident, body="好"))
        evaluation = Evaluation(
            org_id=org.id,
            area_id=community.id,
            title=f"评议{k}",
            subject_kind="service",
            subject="服务",
            department="民政局",
            conflict_declaration="无",
            status="collecting",
            created_by=people["org_member"].id,
        )
        closed = Evaluation(
            org_id=org.id,
            area_id=community.id,
            title=f"已结束评议{k}",
            subject_kind="service",
            subject="服务",
            department="民政局",
            conflict_declaration="无",
            status="closed",
            created_by=people["org_member"].id,
        )
        session.add_all([evaluation, closed])
        session.flush()
        session.add(
            EvaluationParticipation(
                evaluation_id=evaluation.id, respondent_key=f"resident:{entry.id}"
            )
        )
        item = PlanItem(
            plan_id=plan.id,
            title=f"实事{k}",
            source_kind="manual",
            source_ref=f"home-{k}",
            due_on=date(2000, 1, 1),
            status="in_progress",
        )
        session.add(item)
        session.flush()
        session.add_all(
            [
                Update(item_id=item.id, text=f"进展{k}a", progress=10),
                Update(item_id=item.id, text=f"进展{k}b", progress=20),
            ]
        )
        past = Shift(
            activity_id=activity.id,
            area_id=community.id,
            starts_at=now - timedelta(days=k + 2),
            ends_at=now - timedelta(days=k + 1),
            capacity=5,
        )
        coming = Shift(
            activity_id=activity.id,
            area_id=community.id,
            starts_at=now + timedelta(days=k + 1),
            ends_at=now + timedelta(days=k + 1, hours=2),
            capacity=5,
        )
        session.add_all([past, coming])
        session.flush()
        session.add_all(
            [
                SignUp(shift_id=past.id, account_id=resident, arrival=1, status="confirmed"),
                SignUp(shift_id=coming.id, account_id=resident, arrival=1, status="confirmed"),
                HoursEntry(
                    account_id=resident,
                    team_id=team.id,
                    area_id=community.id,
                    served_on=now.date(),
                    minutes=60,
                    kind="backfill",
                ),
            ]
        )
        session.add(
            ResidentRequest(
                number=f"Q{k:08d}",
                secret_hash="0" * 64,
                category="roads",
                channel="online",
                description="路灯坏了",
                area_id=community.id,
                requester_id=resident,
            )
        )
    session.flush()
