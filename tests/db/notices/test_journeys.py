"""Each journey's notice reaches the people it concerns, and no one else, once:
a consultation announced, a co-signed topic at its threshold and decided, an
evaluation's invitation, a livelihood project screened, a followed plan item's
update and lateness, a shift moved, a waitlist place confirmed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations import meetings, topics
from consultations.models import Topic
from participation.livelihood import services as livelihood
from participation.livelihood.rules import CandidateDraft
from participation.notices import Notice
from participation.notifying import follows, sweeps
from participation.plan import delivery
from participation.plan.sources import ItemStatus
from participation.rolls import Congress
from tests.db.plan.test_plan_delivery import new_item
from tests.db.plan.test_plan_delivery import town as plan_town  # noqa: F401  (a fixture)
from tests.support import consultations as support
from tests.support import evaluation_setup
from tests.support.volunteering import make_person, make_shift
from tests.support.world import World
from volunteers import notices as volunteer_notices
from volunteers import signups
from volunteers.teams import create_team

NOW = support.NOW


def told(s: Session, kind: str) -> set[int]:
    return set(s.scalars(select(Notice.account_id).where(Notice.kind == kind)))


def _announce(s: Session, topic: Topic, c: support.Community, title: str) -> int:
    return meetings.announce(
        s,
        topic,
        meetings.Announcement(
            title=title,
            agenda="讨论方案",
            materials="",
            place="社区议事厅",
            online_link="",
            meets_at=NOW + timedelta(days=4),
            deliberation_opens_at=NOW,
            deliberation_closes_at=NOW + timedelta(days=3),
        ),
        c.worker.id,
        NOW,
    ).id


def test_a_consultation_announced_tells_its_community_only(session: Session) -> None:
    c = support.community(session, residents=3, representatives=1)
    neighbour = support.verified(session, c.other, "neighbour", "邻居", 500)
    topic = topics.propose_topic(
        session,
        area=c.area,
        title="加装电梯",
        body="",
        source="resident",
        proposer_id=c.residents[0].id,
    )
    topic.status = "accepted"
    consultation_id = _announce(session, topic, c, "加装电梯协商会")
    expected = {a.id for a in [*c.residents, *c.representatives]}
    assert told(session, "consultation.announced") == expected  # not the worker, not 邻居
    assert neighbour.id not in expected and c.worker.id not in expected
    [notice] = session.scalars(select(Notice).where(Notice.account_id == c.residents[1].id)).all()
    assert notice.link == f"/consultations/{consultation_id}"
    assert notice.values == {"title": "加装电梯协商会"}


def test_co_signers_hear_of_the_threshold_and_the_decision(session: Session) -> None:
    c = support.community(session, residents=4, representatives=0)
    topics.set_community_rules(
        session,
        c.area,
        cosign_threshold=3,
        quorum_numerator=2,
        quorum_denominator=3,
        notice_days=7,
        announce_days=3,
    )
    proposer, second, third, bystander = c.residents
    topic = topics.propose_topic(
        session, area=c.area, title="修路灯", body="", source="resident", proposer_id=proposer.id
    )
    topics.cosign(session, topic, second.id, NOW)
    assert told(session, "topic.threshold") == set()  # two of three
    topics.cosign(session, topic, third.id, NOW)
    assert topic.status == "triage"
    assert told(session, "topic.threshold") == {proposer.id, second.id, third.id}
    topics.accept_topic(session, topic, c.worker.id, NOW)
    assert told(session, "topic.decided") == {proposer.id, second.id, third.id}
    assert bystander.id not in told(session, "topic.decided")


def test_an_evaluation_for_residents_invites_the_verified_residents_of_its_area(
    engine: Engine,
) -> None:
    built = evaluation_setup.build(engine, residents=4)
    with Session(engine) as s:
        assert told(s, "evaluation.invited") == {*built.residents, built.resident}
        assert built.org_admin not in told(s, "evaluation.invited")


def test_an_evaluation_by_invitation_tokens_invites_no_account(engine: Engine) -> None:
    evaluation_setup.build(engine, residents=2, access="tokens")
    with Session(engine) as s:
        assert told(s, "evaluation.invited") == set()


def test_a_livelihood_project_s_proposer_hears_of_its_screening(
    session: Session, world: World
) -> None:
    congress = Congress(area_id=world["district"].id, term=1, session_number=1, name="会议")
    session.add(congress)
    session.flush()
    cycle = livelihood.create_cycle(
        session, livelihood.NewCycle(congress.id, 2026, "民生实事", 1), None
    )
    mine, paper = (
        livelihood.submit(
            session,
            cycle,
            CandidateDraft(name, "b", "c", "区住建局", 100, "区财政", date(2026, 12, 31), "public"),
            account,
        )
        for name, account in (("电梯", world["people"]["resident"].id), ("食堂", None))
    )
    livelihood.screen_candidate(session, mine, "rejected", "重复", None, None)  # type: ignore[arg-type]
    livelihood.screen_candidate(session, paper, "candidate", "", None, None)  # type: ignore[arg-type]
    assert told(session, "livelihood.screened") == {world["people"]["resident"].id}
    [notice] = session.scalars(select(Notice).where(Notice.kind == "livelihood.screened")).all()
    assert notice.values == {"title": "电梯"} and notice.link == f"/livelihood/{cycle.id}"


def test_followers_of_a_plan_item_hear_of_updates_and_lateness_once(
    session: Session,
    plan_town: dict[str, int],  # noqa: F811
) -> None:
    item = new_item(session, plan_town)
    other = new_item(session, plan_town, title="另一项")
    fan, stranger = plan_town["resident1"], plan_town["deputy1"]
    follows.follow(session, fan, "plan_item", item.id, NOW)
    follows.follow(session, fan, "plan_item", item.id, NOW)  # twice is once
    follows.follow(session, stranger, "plan_item", other.id, NOW)
    delivery.post_update(
        session,
        item,
        text="完成设计",
        progress=20,
        spend_yuan=0,
        evidence="",
        actor_id=plan_town["owner1"],
        now=NOW,
    )
    assert told(session, "plan.updated") == {fan}
    item.status = ItemStatus.DELAYED.value
    session.flush()
    for _run in range(2):
        sweeps.sweep(session, NOW)
    assert told(session, "plan.late") == {fan}
    assert len(session.scalars(select(Notice).where(Notice.kind == "plan.late")).all()) == 1


def test_a_moved_shift_and_a_confirmed_waitlist_place_are_told(
    session: Session, world: World
) -> None:
    start = datetime(2027, 5, 1, 1, 0, tzinfo=UTC)
    at = start - timedelta(days=3)
    shift = make_shift(session, world["community"], start, capacity=1)
    first, waiting, elsewhere = (make_person(session, n) for n in ("甲", "乙", "丙"))
    other_shift = make_shift(session, world["community"], start + timedelta(days=1))
    signups.sign_up(session, shift.id, first, at)
    assert signups.sign_up(session, shift.id, waiting, at).status == "waitlisted"
    signups.sign_up(session, other_shift.id, elsewhere, at)
    leader = world["people"]["team_leader"].id
    volunteer_notices.move_shift(
        session,
        shift.id,
        start + timedelta(hours=1),
        shift.ends_at + timedelta(hours=1),
        leader,
        at,
    )
    assert told(session, "shift.moved") == {first, waiting}
    signups.cancel(session, shift.id, first, at, "临时有事")
    assert told(session, "shift.confirmed") == {waiting}  # not 丙, on another shift


def test_followers_of_a_round_and_a_team_hear_of_its_next_stage_and_new_shifts(
    engine: Engine, world: World
) -> None:
    from participation.budgets import services as budgets
    from tests.support.projects import seed_round

    round_id, _ = seed_round(engine, world)
    fan, other = world["people"]["resident"].id, world["people"]["nobody"].id
    with Session(engine) as s, s.begin():
        follows.follow(s, fan, "budget_round", round_id, NOW)
        budget_round = budgets.get_round(s, round_id)
        budgets.advance(s, budget_round, world["people"]["admin"].id, NOW)  # to screening
        team = create_team(
            s, area=world["community"], name="望江服务队", kind="featured", join_mode="open"
        )
        make_shift(s, world["community"], NOW + timedelta(days=3), team=team)
        follows.follow(s, other, "team", team.id, NOW)
        make_shift(s, world["community"], NOW + timedelta(days=4), team=team)
    with Session(engine) as s:
        assert told(s, "budget.round_phase") == {fan}
        assert told(s, "team.shift") == {other}  # the second shift, once followed
