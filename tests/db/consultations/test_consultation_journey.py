"""The consultation journey through the services, and refusals that store nothing."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultations import decisions, deliberation, meetings, representatives, topics
from consultations.models import (
    Consultation,
    Cosignature,
    Objection,
    OpinionStatement,
    OpinionVote,
    Post,
    Topic,
)
from participation import notices
from participation.accounts import RoleGrant
from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_ballot
from participation.ballots.closing import publish
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from participation.errors import DomainError
from participation.rules.permissions import Role
from tests.support.consultations import NOW, Community, community


def accepted_topic(s: Session, c: Community) -> Topic:
    topic = topics.propose_topic(
        s,
        area=c.area,
        title="加装电梯",
        body="老楼没有电梯",
        source="resident",
        proposer_id=c.residents[0].id,
    )
    topic.threshold = 3
    for resident in c.residents[1:3]:
        topics.cosign(s, topic, resident.id, NOW)
    assert topic.status == "triage"
    topics.accept_topic(s, topic, c.worker.id, NOW)
    return topic


def announced(s: Session, c: Community) -> Consultation:
    topic = accepted_topic(s, c)
    return meetings.announce(
        s,
        topic,
        meetings.Announcement(
            title="加装电梯协商会",
            agenda="一、介绍方案；二、讨论费用分摊",
            materials="方案图纸",
            place="社区议事厅",
            online_link="",
            meets_at=NOW + timedelta(days=4),
            deliberation_opens_at=NOW,
            deliberation_closes_at=NOW + timedelta(days=10),
            participants=[("department", "区住建局")],
        ),
        c.worker.id,
        NOW,
    )


def test_the_whole_journey_ends_in_a_plan_item(session: Session) -> None:
    c = community(session)
    consultation = announced(session, c)
    kinds = [p.kind for p in meetings.participants(session, consultation.id)]
    assert kinds.count("representative") == 3 and "department" in kinds

    # Deliberation and the opinion map.
    post = deliberation.write_post(session, consultation, c.residents[0], "for", "很有必要", NOW)
    deliberation.write_post(
        session, consultation, c.residents[1], "comment", "同意", NOW, parent_id=post.id
    )
    statement = deliberation.add_statement(session, consultation, c.residents[0].id, "应该装", NOW)
    for n, resident in enumerate(c.residents):
        choice = "agree" if n % 3 else "disagree"
        deliberation.vote_statement(session, consultation, statement.id, resident.id, choice, NOW)
    assert deliberation.compute_map(session, consultation.id).participants == 6

    # The meeting: quorum of two thirds of three representatives is two.
    meeting_day = consultation.meets_at
    for rep in c.representatives[:2]:
        meetings.sign_in(session, consultation, rep.id, c.worker.id, meeting_day)
    assert meetings.quorum(session, consultation) == meetings.Quorum(2, 3, 2, True)
    meetings.record_meeting(
        session,
        consultation,
        summary="多数同意",
        minutes="会议纪要全文",
        speakers=[("代表0", "支持")],
        recorder_id=c.representatives[0].id,
        host_id=c.worker.id,
        now=meeting_day,
    )
    assert meetings.sign_minutes(session, consultation, c.worker.id, meeting_day) == "host"
    with pytest.raises(DomainError):
        decisions.open_vote(session, consultation, setup(meeting_day), c.worker.id)
    meetings.sign_minutes(session, consultation, c.representatives[0].id, meeting_day)

    # The vote by representatives through the ballot engine.
    box_id = decisions.open_vote(session, consultation, setup(meeting_day), c.worker.id)
    box = get_box(session, box_id)
    for rep in c.representatives:
        cast_ballot(session, box, rep.id, {"choices": {"resolution": "yes"}}, meeting_day)
    publish(session, box, box.closes_at)
    assert decisions.take_result(session, consultation, c.worker.id, box.closes_at) is True
    assert consultation.notice_ends_at == box.closes_at + timedelta(days=7)

    # Public notice: an objection, then its answer; final only after both.
    on_notice = box.closes_at + timedelta(days=1)
    objection = decisions.lodge_objection(
        session, consultation, c.residents[5], "费用太高", on_notice
    )
    after = consultation.notice_ends_at
    with pytest.raises(DomainError) as refused:
        decisions.finalize(session, consultation, c.worker.id, after)
    assert refused.value.code == "notice.unanswered_objections"
    decisions.answer_objection(
        session, consultation, objection.id, "政府补贴一半", c.worker.id, after
    )
    item = decisions.finalize(session, consultation, c.worker.id, after)
    assert item is not None and item.source_id == consultation.id
    assert decisions.plan_item(session, consultation) == item
    assert (item.owner_department, item.budget_yuan) == ("区住建局", 200_000)


def setup(at: datetime) -> decisions.VoteSetup:
    return decisions.VoteSetup(
        resolution="同意加装电梯，费用按楼层分摊",
        roll=Roll.REPRESENTATIVES,
        base="eligible",
        share="1/2",
        opens_at=at,
        closes_at=at + timedelta(hours=2),
        commits_to_action=True,
        owner_department="区住建局",
        budget_yuan=200_000,
        due_on=date(2027, 12, 31),
    )


def count(s: Session, model: type) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_bad_input_is_refused_and_nothing_is_stored(session: Session) -> None:
    c = community(session)
    consultation = announced(session, c)
    posts, statements, votes = count(session, Post), count(session, OpinionStatement), 0
    for text in ("", "   ", "长" * 141):
        with pytest.raises(DomainError) as refused:
            deliberation.add_statement(session, consultation, c.residents[0].id, text, NOW)
        assert "text" in refused.value.fields
    statement = deliberation.add_statement(session, consultation, c.residents[0].id, "好", NOW)
    statements += 1
    closed = consultation.deliberation_closes_at
    with pytest.raises(DomainError) as refused:
        deliberation.vote_statement(
            session, consultation, statement.id, c.residents[1].id, "agree", closed
        )
    assert refused.value.code == "deliberation.closed"
    with pytest.raises(DomainError):
        deliberation.write_post(session, consultation, c.residents[0], "for", "晚了", closed)
    deliberation.vote_statement(
        session, consultation, statement.id, c.residents[1].id, "agree", NOW
    )
    votes += 1
    with pytest.raises(DomainError) as refused:
        deliberation.vote_statement(
            session, consultation, statement.id, c.residents[1].id, "disagree", NOW
        )
    assert refused.value.status == 409
    post = deliberation.write_post(session, consultation, c.residents[0], "against", "不同意", NOW)
    posts += 1
    with pytest.raises(DomainError) as refused:
        deliberation.hide_post(session, post, c.worker.id, "  ", NOW)
    assert post.hidden_at is None and "reason" in refused.value.fields
    reply = deliberation.write_post(
        session, consultation, c.residents[1], "comment", "回", NOW, post.id
    )
    posts += 1
    with pytest.raises(DomainError) as refused:
        deliberation.write_post(
            session, consultation, c.residents[2], "comment", "三层", NOW, reply.id
        )
    assert refused.value.code == "deliberation.too_deep"
    with pytest.raises(DomainError) as refused:
        decisions.lodge_objection(session, consultation, c.residents[0], "反对", NOW)
    assert refused.value.code == "notice.not_on_notice"
    consultation.notice_starts_at, consultation.notice_ends_at = NOW, NOW + timedelta(days=7)
    with pytest.raises(DomainError) as refused:
        decisions.lodge_objection(
            session, consultation, c.residents[0], "反对", NOW + timedelta(days=7)
        )
    assert refused.value.code == "notice.notice_over"
    assert (count(session, Post), count(session, OpinionStatement)) == (posts, statements)
    assert (count(session, OpinionVote), count(session, Objection)) == (votes, 0)


def test_hiding_records_the_reason_and_tells_the_author(session: Session) -> None:
    c = community(session)
    consultation = announced(session, c)
    post = deliberation.write_post(session, consultation, c.residents[0], "comment", "广告", NOW)
    deliberation.report_post(session, post, c.residents[1].id, "广告", NOW)
    with pytest.raises(DomainError):
        deliberation.report_post(session, post, c.residents[1].id, "再次", NOW)
    deliberation.hide_post(session, post, c.worker.id, "与议题无关的广告", NOW)
    assert (post.hidden_by, post.hidden_reason) == (c.worker.id, "与议题无关的广告")
    inbox = notices.inbox(session, c.residents[0].id).notices
    # (the resident, who proposed the topic, was also told of its way to consultation)
    told = [n for n in inbox if n.kind == "consultation.hidden"]
    assert [(n.kind, n.values) for n in told] == [
        ("consultation.hidden", {"reason": "与议题无关的广告"})
    ]
    assert told[0].link == f"/consultations/{consultation.id}"


def test_cosigning_is_once_per_resident_and_merging_keeps_cosigners(session: Session) -> None:
    c = community(session)
    first = topics.propose_topic(
        session,
        area=c.area,
        title="停车难",
        body="",
        source="resident",
        proposer_id=c.residents[0].id,
    )
    second = topics.propose_topic(
        session,
        area=c.area,
        title="车位不足",
        body="",
        source="organization",
        proposer_id=c.residents[1].id,
    )
    topics.cosign(session, first, c.residents[2].id, NOW)
    with pytest.raises(DomainError) as refused:
        topics.cosign(session, first, c.residents[2].id, NOW)
    assert refused.value.status == 409
    with pytest.raises(DomainError) as refused:
        topics.cosign(session, first, c.worker.id, NOW)  # not on the roll
    assert refused.value.status == 403
    topics.cosign(session, second, c.residents[2].id, NOW)
    with pytest.raises(DomainError):
        topics.merge_topic(session, first, second, "", c.worker.id, NOW)
    moved = topics.merge_topic(session, first, second, "同一问题", c.worker.id, NOW)
    assert moved == 1  # resident 0; resident 2 had signed both
    signers = set(
        session.scalars(select(Cosignature.account_id).where(Cosignature.topic_id == second.id))
    )
    assert signers == {c.residents[0].id, c.residents[1].id, c.residents[2].id}
    assert (first.status, first.merged_into_id) == ("merged", second.id)
    third = topics.propose_topic(
        session,
        area=c.area,
        title="广场舞噪音",
        body="",
        source="grid_worker",
        proposer_id=c.residents[3].id,
    )
    topics.decline_topic(session, third, "已由城管部门处理", c.worker.id, NOW)
    assert (third.status, third.decision_reason) == ("declined", "已由城管部门处理")


def test_representatives_are_elected_seated_and_replaced(session: Session) -> None:
    c = community(session, representatives=0)
    term = representatives.open_term(
        session,
        area=c.area,
        title="第一届议事代表",
        seats=2,
        starts_on=date(2027, 1, 1),
        ends_on=date(2029, 12, 31),
    )
    for resident in c.residents[:3]:
        representatives.sign_up_candidate(session, term, resident, "愿意服务")
    representatives.publish_candidates(session, term, NOW + timedelta(days=5), NOW)
    with pytest.raises(DomainError):
        representatives.start_election(session, term, NOW, NOW + timedelta(days=7), None)
    box_id = representatives.start_election(
        session, term, NOW + timedelta(days=5), NOW + timedelta(days=7), None
    )
    box = get_box(session, box_id)
    keys = [f"c{x.id}" for x in representatives.candidates(session, term.id)]
    ballots = [[keys[0], keys[1]], [keys[0]], [keys[1], keys[2]], [keys[0], keys[1]]]
    for voter, approved in zip(c.residents, ballots, strict=False):
        cast_ballot(session, box, voter.id, {"approved": approved}, NOW + timedelta(days=6))
    publish(session, box, box.closes_at)
    assert representatives.seat_elected(session, term, c.worker.id) == 2
    seated = {e.account_id for e in representatives.roster(session, term.id)}
    assert seated == {c.residents[0].id, c.residents[1].id}
    leaving = representatives.roster(session, term.id)[0]
    with pytest.raises(DomainError):
        representatives.replace_representative(
            session, term, leaving.id, c.residents[2], "", c.worker.id, NOW
        )
    representatives.replace_representative(
        session, term, leaving.id, c.residents[2], "迁出本社区", c.worker.id, NOW
    )
    seated = {e.account_id for e in representatives.roster(session, term.id)}
    assert seated == {c.residents[1].id, c.residents[2].id}
    holders = set(
        session.scalars(
            select(RoleGrant.account_id).where(RoleGrant.role == Role.REPRESENTATIVE.value)
        )
    )
    assert holders == seated


def test_concurrent_duplicate_cosignatures_count_once(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)
        topic = topics.propose_topic(
            s, area=c.area, title="路灯", body="", source="resident", proposer_id=c.residents[0].id
        )
        topic_id, signer = topic.id, c.residents[1].id
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def sign() -> None:
        with Session(engine) as s:
            barrier.wait()
            try:
                with s.begin():
                    topics.cosign(s, topics.get_topic(s, topic_id), signer, NOW)
                outcomes.append("ok")
            except DomainError as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=sign) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as s:
        assert topics.cosigners(s, topic_id) == 2
    assert outcomes.count("ok") == 1 and outcomes.count("topic.already_signed") == 3
    engine.dispose()


def test_concurrent_duplicate_opinion_votes_count_once(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)
        consultation = announced(s, c)
        statement = deliberation.add_statement(s, consultation, c.residents[0].id, "应该装", NOW)
        cid, sid, voter = consultation.id, statement.id, c.residents[1].id
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def vote(choice: str) -> None:
        with Session(engine) as s:
            barrier.wait()
            try:
                with s.begin():
                    row = meetings.get_consultation(s, cid)
                    deliberation.vote_statement(s, row, sid, voter, choice, NOW)
                outcomes.append("ok")
            except DomainError as error:
                outcomes.append(error.code)

    threads = [
        threading.Thread(target=vote, args=(c,)) for c in ("agree", "disagree", "pass", "agree")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(OpinionVote)) == 1
    assert outcomes.count("ok") == 1 and outcomes.count("opinion.already_voted") == 3
    engine.dispose()
