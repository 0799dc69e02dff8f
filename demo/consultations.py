"""Demo data for community consultations: elected representatives in three
communities, topics at every stage, a finished consultation with minutes and a
plan item, an opinion map of 300 participants with two clear camps and common
ground, a resolution on public notice with an objection and its answer, one
consultation open for online deliberation and one announced.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from consultations import (
    decisions,
    deliberation,
    meetings,
    opinion_maps,
    representatives,
    topics,
)
from consultations.models import Consultation, Topic
from participation.accounts import Account, find_by_login
from participation.areas import Area
from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_ballot
from participation.ballots.closing import publish
from participation.ballots.rules.eligibility import Roll
from participation.db import utcnow
from participation.rolls import RollEntry

COMMUNITIES = {"望江社区": 7, "春晖社区": 7, "竹园社区": 5}


def seed_consultations(session: Session, by_name: dict[str, Area]) -> None:
    now = utcnow()
    rng = random.Random(5)
    worker = find_by_login(session, "worker")
    assert worker is not None
    people = {name: _residents(session, by_name[name], 12, name) for name in COMMUNITIES}
    for name, seats in COMMUNITIES.items():
        _elect(session, by_name[name], seats, people[name], worker.id, now)
    _topics(session, by_name, people, worker.id, now)
    crowd = _crowd(session, by_name["望江社区"], 300)
    _finished(session, by_name["望江社区"], people["望江社区"], crowd, worker.id, now, rng)
    _on_notice(session, by_name["春晖社区"], people["春晖社区"], worker.id, now)
    _deliberating(session, by_name["望江社区"], people["望江社区"], crowd, worker.id, now, rng)
    _announced(session, by_name["竹园社区"], people["竹园社区"], worker.id, now)
    # The worker keeps the maps current from now on; the demo starts with them drawn.
    for cid in opinion_maps.candidates(session, now):
        opinion_maps.store_now(session, cid, now)


def _residents(session: Session, area: Area, count: int, tag: str) -> list[Account]:
    """Verified residents (accounts without passwords) linked to unclaimed roll entries."""
    entries = session.scalars(
        select(RollEntry)
        .where(RollEntry.community_id == area.id, RollEntry.account_id.is_(None))
        .order_by(RollEntry.id)
        .limit(count)
    ).all()
    made = []
    for n, entry in enumerate(entries):
        account = Account(username=f"c{area.id}-{n:02d}", display_name=entry.name)
        session.add(account)
        session.flush()
        entry.account_id, entry.verified_at = account.id, utcnow()
        made.append(account)
    return made


def _crowd(session: Session, area: Area, count: int) -> list[int]:
    """Accounts taking part in the opinion map (no sign-in: demo participants only).

    Deliberation is for the community's verified residents, so each participant
    gets a verified roll entry of ``area`` of their own (household codes ``OP…``),
    leaving the imported roll's unclaimed entries for people to verify as.
    """
    session.execute(
        insert(Account),
        [{"username": f"op-{n:04d}", "display_name": f"参与者{n}"} for n in range(count)],
    )
    ids = list(
        session.scalars(
            select(Account.id).where(Account.username.like("op-%")).order_by(Account.id)
        )
    )
    at = utcnow()
    session.execute(
        insert(RollEntry),
        [
            {
                "community_id": area.id,
                "name": f"参与者{n}",
                "id_hash": hashlib.sha256(f"demo-crowd-{n}".encode()).hexdigest(),
                "birth_date": date(1970 + n % 40, 1 + n % 12, 1 + n % 28),
                "household_code": f"OP{n // 3:04d}",
                "account_id": account_id,
                "verified_at": at,
            }
            for n, account_id in enumerate(ids)
        ],
    )
    return ids


def _elect(
    session: Session, area: Area, seats: int, people: list[Account], worker_id: int, now: datetime
) -> None:
    start = now - timedelta(days=120)
    term = representatives.open_term(
        session,
        area=area,
        title=f"{area.name}第一届议事代表",
        seats=seats,
        starts_on=date(now.year, 1, 1),
        ends_on=date(now.year + 2, 12, 31),
    )
    candidates = people[: seats + 2]
    for person in candidates:
        representatives.sign_up_candidate(
            session, term, person, "热心社区事务，愿意倾听邻里意见，为大家办实事。"
        )
    representatives.publish_candidates(session, term, start + timedelta(days=7), start)
    box_id = representatives.start_election(
        session, term, start + timedelta(days=7), start + timedelta(days=10), worker_id
    )
    box = get_box(session, box_id)
    keys = [f"c{c.id}" for c in representatives.candidates(session, term.id)]
    for n, voter in enumerate(people):
        chosen = keys[1 : seats + 1] if n % 3 == 0 else keys[:seats]
        cast_ballot(session, box, voter.id, {"approved": chosen}, start + timedelta(days=8))
    publish(session, box, start + timedelta(days=10))
    representatives.seat_elected(session, term, worker_id)


def _accepted(
    session: Session,
    area: Area,
    people: list[Account],
    title: str,
    body: str,
    at: datetime,
    worker_id: int,
) -> Topic:
    topic = topics.propose_topic(
        session, area=area, title=title, body=body, source="resident", proposer_id=people[0].id
    )
    topic.threshold = 5
    for person in people[1:6]:
        if topic.status == "collecting":
            topics.cosign(session, topic, person.id, at)
    topics.accept_topic(session, topic, worker_id, at, "符合社区协商范围")
    return topic


def _topics(
    session: Session,
    by_name: dict[str, Area],
    people: dict[str, list[Account]],
    worker_id: int,
    now: datetime,
) -> None:
    wj, ch = people["望江社区"], people["春晖社区"]
    collecting = topics.propose_topic(
        session,
        area=by_name["望江社区"],
        title="增设社区儿童托管点",
        body="双职工家庭放学后孩子无人照看，建议在活动中心开设托管点。",
        source="resident",
        proposer_id=wj[6].id,
        public_name="陈女士",
    )
    topics.cosign(session, collecting, wj[7].id, now)
    triage = topics.propose_topic(
        session,
        area=by_name["望江社区"],
        title="楼道堆物清理",
        body="多栋楼道堆放杂物，存在消防隐患。",
        source="grid_worker",
        proposer_id=wj[8].id,
    )
    triage.threshold = 3
    for person in wj[9:11]:
        topics.cosign(session, triage, person.id, now)
    declined = topics.propose_topic(
        session,
        area=by_name["春晖社区"],
        title="小区门口设置减速带",
        body="",
        source="resident",
        proposer_id=ch[6].id,
    )
    topics.decline_topic(
        session,
        declined,
        "该路段属市政道路，已转交交警部门办理，不属于社区协商事项。",
        worker_id,
        now,
    )
    duplicate = topics.propose_topic(
        session,
        area=by_name["春晖社区"],
        title="停车难问题",
        body="晚上回来找不到车位。",
        source="organization",
        proposer_id=ch[7].id,
    )
    target = topics.propose_topic(
        session,
        area=by_name["春晖社区"],
        title="夜间停车位不足",
        body="希望利用闲置空地增加停车位。",
        source="resident",
        proposer_id=ch[8].id,
    )
    topics.merge_topic(
        session, duplicate, target, "与“夜间停车位不足”为同一问题，合并办理。", worker_id, now
    )


def _announce(
    session: Session,
    topic: Topic,
    title: str,
    agenda: str,
    meets_at: datetime,
    opens: datetime,
    closes: datetime,
    worker_id: int,
    place: str = "社区党群服务中心议事厅",
    online: str = "",
) -> Consultation:
    return meetings.announce(
        session,
        topic,
        meetings.Announcement(
            title=title,
            agenda=agenda,
            materials="相关方案、预算测算表和征求意见稿在社区服务中心公开栏张贴。",
            place=place,
            online_link=online,
            meets_at=meets_at,
            deliberation_opens_at=opens,
            deliberation_closes_at=closes,
            participants=[("department", "街道城建办"), ("organization", "业主委员会")],
        ),
        worker_id,
        meets_at - timedelta(days=7),
    )


def _hold(
    session: Session, c: Consultation, worker_id: int, at: datetime, summary: str, minutes: str
) -> None:
    reps = representatives.representatives_of(session, c.area_id)
    for account_id, _ in reps[: max(1, len(reps) * 5 // 6)]:
        meetings.sign_in(session, c, account_id, worker_id, at)
    recorder = reps[0][0]
    meetings.record_meeting(
        session,
        c,
        summary=summary,
        minutes=minutes,
        speakers=[
            (reps[0][1], "介绍了前期入户走访情况，多数住户支持。"),
            ("街道城建办", "说明了补贴政策和施工流程。"),
            (reps[1][1], "提出一楼住户的采光和噪音顾虑，建议给予补偿。"),
        ],
        recorder_id=recorder,
        host_id=worker_id,
        now=at,
    )
    meetings.sign_minutes(session, c, recorder, at)
    meetings.sign_minutes(session, c, worker_id, at)


def _decide(
    session: Session,
    c: Consultation,
    worker_id: int,
    at: datetime,
    resolution: str,
    department: str,
    budget: int,
) -> None:
    decisions.open_vote(
        session,
        c,
        decisions.VoteSetup(
            resolution=resolution,
            roll=Roll.REPRESENTATIVES,
            base="eligible",
            share="1/2",
            opens_at=at,
            closes_at=at + timedelta(hours=2),
            commits_to_action=True,
            owner_department=department,
            budget_yuan=budget,
            due_on=date(at.year, 12, 31) if at.month < 10 else date(at.year + 1, 6, 30),
        ),
        worker_id,
    )
    assert c.box_id is not None
    box = get_box(session, c.box_id)
    for n, (account_id, _) in enumerate(representatives.representatives_of(session, c.area_id)):
        mark = "no" if n == 2 else "yes"
        cast_ballot(
            session, box, account_id, {"choices": {"resolution": mark}}, at + timedelta(minutes=30)
        )
    publish(session, box, at + timedelta(hours=2))
    decisions.take_result(session, c, worker_id, at + timedelta(hours=2))


# Two camps on elevator installation; statements 0-3 split them, 4-7 unite them.
SPLIT = [
    "电梯费用应按楼层高低分摊，高层多出",
    "一楼住户不用电梯，不应出钱",
    "加装电梯会影响低层采光，应先解决采光问题",
    "低层住户应获得适当经济补偿",
]
COMMON = [
    "施工期间应保证消防通道畅通",
    "政府补贴资金使用情况应定期公开",
    "施工应避开午休和夜间时段",
    "电梯日常维保应由专业公司负责",
]


def _opinions(
    session: Session,
    c: Consultation,
    crowd: list[int],
    authors: list[Account],
    at: datetime,
    rng: random.Random,
    share: float = 1.0,
) -> None:
    ids = [
        deliberation.add_statement(session, c, authors[n % len(authors)].id, text, at).id
        for n, text in enumerate(SPLIT + COMMON)
    ]
    # Camp A (upper floors) agrees with 0 and 1; camp B (lower floors) with 2 and 3.
    for n, person in enumerate(crowd[: int(len(crowd) * share)]):
        camp = 0 if n % 5 < 3 else 1
        for i, sid in enumerate(ids):
            if rng.random() < 0.2:
                continue  # not everyone sees every statement
            if i < 4:
                leans = (i < 2) == (camp == 0)
                choice = "agree" if leans else "disagree"
                if rng.random() < 0.1:
                    choice = "pass"
            else:
                choice = "agree" if rng.random() < 0.88 else rng.choice(["disagree", "pass"])
            deliberation.vote_statement(session, c, sid, person, choice, at)


def _finished(
    session: Session,
    area: Area,
    people: list[Account],
    crowd: list[int],
    worker_id: int,
    now: datetime,
    rng: random.Random,
) -> None:
    meets = now - timedelta(days=40)
    topic = _accepted(
        session,
        area,
        people,
        "老旧小区加装电梯",
        "望江花园6栋、7栋为九十年代多层住宅，老人上下楼困难，建议加装电梯。",
        meets - timedelta(days=20),
        worker_id,
    )
    c = _announce(
        session,
        topic,
        "望江花园加装电梯协商会",
        "一、通报入户征求意见情况；二、讨论费用分摊方案；三、讨论低层住户补偿；四、表决。",
        meets,
        meets - timedelta(days=7),
        meets + timedelta(days=3),
        worker_id,
    )
    post = deliberation.write_post(
        session,
        c,
        people[1],
        "for",
        "家里老人八十多岁，每天爬六楼太难了，强烈支持。",
        meets - timedelta(days=5),
    )
    deliberation.write_post(
        session,
        c,
        people[2],
        "comment",
        "同意，也要考虑一楼的采光。",
        meets - timedelta(days=5),
        post.id,
    )
    deliberation.write_post(
        session,
        c,
        people[3],
        "against",
        "一楼用不上电梯，还要承担噪音，希望有补偿。",
        meets - timedelta(days=4),
    )
    _opinions(session, c, crowd, people, meets - timedelta(days=3), rng)
    _hold(
        session,
        c,
        worker_id,
        meets,
        "与会代表一致同意加装电梯，费用按楼层分摊，低层住户给予补偿。",
        "时间：会议当天上午九时\n地点：社区党群服务中心议事厅\n主持人：社区工作者\n"
        "议程：通报征求意见情况；讨论费用分摊；讨论低层补偿；表决。\n"
        "讨论情况：代表们充分发表意见，街道城建办解答了补贴政策。\n"
        "结论：形成决议草案，提交议事代表表决。",
    )
    _decide(
        session,
        c,
        worker_id,
        meets + timedelta(days=4),
        "同意在望江花园6栋、7栋加装电梯；费用扣除政府补贴后按楼层分摊，一楼住户给予一次性补偿。",
        "东湖区住房和城乡建设局",
        600_000,
    )
    assert c.notice_ends_at is not None
    decisions.finalize(session, c, worker_id, c.notice_ends_at + timedelta(hours=1))


def _on_notice(
    session: Session, area: Area, people: list[Account], worker_id: int, now: datetime
) -> None:
    meets = now - timedelta(days=6)
    topic = _accepted(
        session,
        area,
        people,
        "闲置空地改建停车场",
        "利用小区北侧闲置空地改建约40个停车位。",
        meets - timedelta(days=20),
        worker_id,
    )
    c = _announce(
        session,
        topic,
        "春晖小区北侧空地改建停车场协商会",
        "一、介绍改建方案；二、讨论收费和分配办法；三、表决。",
        meets,
        meets - timedelta(days=7),
        meets + timedelta(days=1),
        worker_id,
        online="https://meeting.example.cn/chunhui-parking",
    )
    _hold(
        session,
        c,
        worker_id,
        meets,
        "代表们同意改建，车位优先分配给本小区无车位住户，按月收取管理费。",
        "会议讨论了改建方案、车位分配和收费标准，形成决议草案。",
    )
    _decide(
        session,
        c,
        worker_id,
        meets + timedelta(days=2),
        "同意将小区北侧闲置空地改建为停车场，车位优先分配给无车位住户，月管理费不超过150元。",
        "临江街道办事处",
        180_000,
    )
    objection = decisions.lodge_objection(
        session,
        c,
        people[9],
        "停车场出入口靠近幼儿园，接送时段存在安全隐患。",
        now - timedelta(days=1),
    )
    decisions.answer_objection(
        session,
        c,
        objection.id,
        "已调整设计，出入口改设在东侧，并在接送时段安排专人疏导。",
        worker_id,
        now - timedelta(hours=5),
    )


def _deliberating(
    session: Session,
    area: Area,
    people: list[Account],
    crowd: list[int],
    worker_id: int,
    now: datetime,
    rng: random.Random,
) -> None:
    topic = _accepted(
        session,
        area,
        people[4:],
        "社区广场夜间噪音治理",
        "广场舞音响声音过大，影响周边居民休息。",
        now - timedelta(days=10),
        worker_id,
    )
    c = _announce(
        session,
        topic,
        "社区广场夜间活动时间与音量协商",
        "一、听取周边居民和广场舞队意见；二、商定活动时间和音量标准。",
        now + timedelta(days=5),
        now - timedelta(days=2),
        now + timedelta(days=12),
        worker_id,
    )
    deliberation.write_post(
        session, c, people[5], "for", "建议晚上九点后停止使用音响。", now - timedelta(days=1)
    )
    for n, text in enumerate(
        ["晚上九点后应停止广场舞", "可以改用无线耳机跳舞", "应为广场舞另选远离住宅的场地"]
    ):
        sid = deliberation.add_statement(
            session, c, people[n + 4].id, text, now - timedelta(days=1)
        ).id
        for person in crowd[:40]:
            choice = rng.choice(["agree", "agree", "disagree", "pass"])
            deliberation.vote_statement(session, c, sid, person, choice, now - timedelta(hours=12))


def _announced(
    session: Session, area: Area, people: list[Account], worker_id: int, now: datetime
) -> None:
    topic = _accepted(
        session,
        area,
        people,
        "垃圾分类投放点调整",
        "现投放点离3栋太近，夏季异味明显。",
        now - timedelta(days=3),
        worker_id,
    )
    _announce(
        session,
        topic,
        "竹园社区垃圾分类投放点选址协商",
        "一、介绍备选点位；二、听取各楼栋意见；三、确定新点位。",
        now + timedelta(days=9),
        now + timedelta(days=2),
        now + timedelta(days=14),
        worker_id,
    )
