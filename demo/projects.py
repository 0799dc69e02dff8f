"""Demo data for project ballots: community budget rounds and a congress cycle.

- 春晖社区: a finished round (Method of Equal Shares) whose outcome differs from
  greedy's, with funded projects on the plan;
- 望江社区: a round open for voting; 竹园社区: a round collecting proposals;
- 东湖区 congress: a finished 2026 cycle, 12 candidates for 10 places, the
  year-end vote with one dissatisfied project (a rectification item), and a
  2027 cycle collecting projects;
- 临江街道: the district deputies elected there vote on the street's projects in a
  session in progress (quorum reached, the secret ballot open for two weeks), which
  the ``deputy`` demo account has not signed in to yet: a newcomer signs in at the
  session and votes.

Everything goes through the same services as the web pages, with the clock
set back where a step happened in the past.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.areas import Area
from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_ballot
from participation.budgets import services as budgets
from participation.budgets.rules import ProposalDraft
from participation.db import utcnow
from participation.livelihood import services as livelihood
from participation.livelihood.rules import CandidateDraft
from participation.plan.delivery import post_source_update
from participation.plan.intake import item_for_source
from participation.plan.sources import SourceKind
from participation.rolls import Congress, DeputyEntry, RollEntry

FINISHED_ROUND = [
    # title, cost, location, beneficiaries, group that approves it
    ("小区加装电梯前期论证与公示", 200_000, "春晖社区1-6栋", "高层住户与老人", "A"),
    ("社区长者饭堂扩容", 90_000, "春晖社区党群服务中心", "60岁以上居民", "A"),
    ("儿童放学后托管角", 80_000, "春晖社区活动室", "双职工家庭的小学生", "B"),
    ("口袋公园座椅与遮阳棚", 60_000, "春晖路与新桥街交界口袋公园", "散步和带娃的居民", "B"),
    ("楼道感应灯更换", 40_000, "春晖社区7-12栋", "夜间出行居民", "C"),
]
REJECTED = (
    "地下车库改建停车场",
    350_000,
    "春晖社区地下车库",
    "有车居民",
    "产权属于开发商，且超出本轮预算上限，建议通过业主大会另行议定。",
)
OPEN_ROUND = [
    ("背街小巷路灯改造", 60_000, "望江路3弄至7弄", "夜归居民"),
    ("垃圾分类亭智能化", 45_000, "望江社区3个投放点", "全体居民"),
    ("社区长者助浴点", 120_000, "望江社区卫生服务站旁", "失能半失能老人"),
    ("儿童友好游乐空间", 110_000, "望江公园东侧", "0-12岁儿童"),
    ("共享工具屋", 30_000, "望江社区物业用房", "全体居民"),
]
CANDIDATES = [
    ("老旧小区加装电梯", "东湖区住房和城乡建设局", 12_000_000),
    ("社区长者食堂全覆盖", "东湖区民政局", 6_500_000),
    ("中小学周边交通安全改造", "东湖区公安分局交通警察大队", 3_200_000),
    ("背街小巷综合整治", "东湖区城市管理和综合执法局", 8_000_000),
    ("口袋公园建设（10个）", "东湖区园林绿化局", 5_000_000),
    ("社区卫生服务站提标", "东湖区卫生健康局", 4_500_000),
    ("农贸市场升级改造", "东湖区市场监督管理局", 7_800_000),
    ("公共充电桩进小区", "东湖区发展和改革局", 2_600_000),
    ("婴幼儿托育点建设", "东湖区卫生健康局", 3_900_000),
    ("积水点排涝改造", "东湖区水务局", 9_500_000),
    ("智慧养老服务平台", "东湖区民政局", 2_200_000),
    ("全民健身步道", "东湖区文化体育和旅游局", 4_100_000),
]
STREET_CANDIDATES = [
    ("临江路人行道平整", "东湖区城市管理和综合执法局", 380_000),
    ("望江社区老年活动室改造", "临江街道办事处", 260_000),
    ("春晖小学门口护学岗亭", "东湖区公安分局交通警察大队", 90_000),
    ("滨江步道照明补点", "东湖区城市管理和综合执法局", 210_000),
    ("社区食堂助餐点（春晖）", "东湖区民政局", 300_000),
    ("垃圾分类收集点雨棚", "临江街道办事处", 150_000),
]
STREET_DEPUTIES = 15  # the district deputies of 临江街道's five constituencies

# Yes votes each candidate gets from the 38 deputies present (23 is more than half of 45).
CANDIDATE_VOTES = [37, 36, 35, 34, 33, 32, 31, 30, 29, 27, 18, 12]


def _voters(session: Session, community: Area, count: int) -> list[int]:
    """``count`` verified residents of ``community``: those other demo areas already
    verified first, then accounts (without a password: demo voters) for more."""
    ids = list(
        session.scalars(
            select(RollEntry.account_id)
            .where(
                RollEntry.community_id == community.id,
                RollEntry.account_id.is_not(None),
                RollEntry.verified_at.is_not(None),
            )
            .order_by(RollEntry.id)
            .limit(count)
        )
    )
    entries = session.scalars(
        select(RollEntry)
        .where(RollEntry.community_id == community.id, RollEntry.account_id.is_(None))
        .order_by(RollEntry.id)
        .limit(count - len(ids))
    ).all()
    for entry in entries:
        account = Account(display_name=entry.name, password_hash=None)
        session.add(account)
        session.flush()
        entry.account_id, entry.verified_at = account.id, utcnow()
        ids.append(account.id)
    return [i for i in ids if i is not None]


def seed_projects(session: Session, by_name: dict[str, Area], congress_id: int) -> None:
    rng = random.Random(4)
    now = utcnow()
    _finished_round(session, by_name["春晖社区"], now, rng)
    _open_round(session, by_name["望江社区"], now)
    budgets.create_round(
        session,
        budgets.NewRound(
            area_id=by_name["竹园社区"].id,
            year=now.year + 1,
            title=f"竹园社区{now.year + 1}年微实事项目征集",
            budget_yuan=200_000,
            rule="greedy",
            roll="households",
            description="每户一票。欢迎居民提出身边的小微项目。",
        ),
        None,
    )
    _finished_cycle(session, congress_id, now)
    _street_session(session, by_name["临江街道"], congress_id, now)
    livelihood.create_cycle(
        session,
        livelihood.NewCycle(
            congress_id=congress_id,
            year=now.year + 1,
            title=f"东湖区{now.year + 1}年民生实事项目征集",
            places=10,
        ),
        None,
    )


def _proposal(title: str, cost: int, location: str, beneficiaries: str) -> ProposalDraft:
    return ProposalDraft(
        title, f"{title}：居民多次在议事会上提出，希望纳入微实事。", location, cost, beneficiaries
    )


def _finished_round(session: Session, community: Area, now: datetime, rng: random.Random) -> None:
    start = now - timedelta(days=40)
    budget_round = budgets.create_round(
        session,
        budgets.NewRound(
            area_id=community.id,
            year=start.year,
            title=f"春晖社区{start.year}年微实事",
            budget_yuan=300_000,
            rule="mes",
            roll="residents",
            description="预算30万元，采用均等份额法计票：每位居民分得同等的预算份额。",
        ),
        None,
    )
    voters = _voters(session, community, 120)
    ids = {}
    for title, cost, location, beneficiaries, group in FINISHED_ROUND:
        proposal = budgets.submit_proposal(
            session,
            budget_round,
            rng.choice(voters),
            _proposal(title, cost, location, beneficiaries),
        )
        ids[proposal.id] = group
        for account_id in rng.sample(voters, rng.randint(5, 25)):
            budgets.support(session, proposal, account_id, budget_round.phase)
    rejected = budgets.submit_proposal(session, budget_round, voters[0], _proposal(*REJECTED[:4]))
    budgets.comment(session, rejected, voters[1], "车库问题确实需要解决，但不适合用微实事资金。")
    budgets.advance(session, budget_round, voters[2], start + timedelta(days=10))
    for proposal_id in ids:
        proposal = budgets.get_proposal(session, proposal_id)
        budgets.screen(
            session,
            proposal,
            budgets.Screening(True, "技术上可行，工期3个月内。", "符合相关规定。", None, ""),
            voters[2],
            start + timedelta(days=12),
        )
    budgets.screen(
        session,
        rejected,
        budgets.Screening(False, "需整体改造，费用高。", "涉及产权问题。", None, REJECTED[4]),
        voters[2],
        start + timedelta(days=12),
    )
    opened = start + timedelta(days=15)
    budgets.advance(session, budget_round, voters[2], opened, opened + timedelta(days=10))
    assert budget_round.box_id is not None
    box = get_box(session, budget_round.box_id)
    # 70% (group A) approve the two large projects, 30% (B) the two family projects and
    # some of B the stair lights too. Greedy funds A's two; equal shares gives B its share.
    for n, account_id in enumerate(voters):
        group = "A" if n % 10 < 7 else "B"
        wanted = {group, "C"} if group == "B" and n % 4 == 0 else {group}
        approved = [f"p{pid}" for pid, g in ids.items() if g in wanted]
        cast_ballot(session, box, account_id, {"approved": approved}, opened + timedelta(days=1))
    budgets.advance(session, budget_round, voters[2], now)  # results: published, plan items
    budgets.advance(session, budget_round, voters[2], now)  # delivery


def _open_round(session: Session, community: Area, now: datetime) -> None:
    budget_round = budgets.create_round(
        session,
        budgets.NewRound(
            area_id=community.id,
            year=now.year + 1,
            title=f"望江社区{now.year + 1}年微实事",
            budget_yuan=250_000,
            rule="greedy",
            roll="residents",
            description="预算25万元。投票时所选项目总额不能超过预算。",
        ),
        None,
    )
    author = session.scalar(select(Account.id).where(Account.username == "resident"))
    assert author is not None
    proposals = [
        budgets.submit_proposal(session, budget_round, author, _proposal(*row))
        for row in OPEN_ROUND
    ]
    budgets.advance(session, budget_round, author, now - timedelta(days=5))
    for proposal in proposals:
        budgets.screen(
            session,
            proposal,
            budgets.Screening(True, "可行。", "合规。", None, ""),
            author,
            now - timedelta(days=4),
        )
    budgets.advance(
        session, budget_round, author, now - timedelta(days=2), now + timedelta(days=28)
    )


def _finished_cycle(session: Session, congress_id: int, now: datetime) -> None:
    session_day = now - timedelta(days=300)
    cycle = livelihood.create_cycle(
        session,
        livelihood.NewCycle(
            congress_id=congress_id,
            year=session_day.year,
            title=f"东湖区{session_day.year}年民生实事项目",
            places=10,
            extra_percent=20,
        ),
        None,
    )
    deputies = session.scalars(
        select(DeputyEntry).where(DeputyEntry.congress_id == congress_id).order_by(DeputyEntry.id)
    ).all()
    accounts = []
    for entry in deputies:
        if entry.account_id is None:
            account = Account(display_name=entry.name, password_hash=None)
            session.add(account)
            session.flush()
            entry.account_id = account.id
        accounts.append(entry.account_id)
    kinds = ["deputy", "public", "organization"]
    listed = []
    for n, (name, department, funds) in enumerate(CANDIDATES):
        listed.append(
            livelihood.submit(
                session,
                cycle,
                CandidateDraft(
                    name=name,
                    background=f"{name}是群众反映集中的问题。",
                    content=f"{name}，年内完成。",
                    department=department,
                    funds_yuan=funds,
                    funds_source="区财政预算",
                    complete_by=date(session_day.year, 12, 31),
                    submitter_kind=kinds[n % 3],
                ),
                # Deputies submit online; the public's and organizations' projects
                # came in on paper and were entered by staff (no account).
                accounts[n] if kinds[n % 3] == "deputy" else None,
            )
        )
    duplicate = livelihood.submit(
        session,
        cycle,
        CandidateDraft(
            "既有住宅增设电梯",
            "多名群众提出",
            "增设电梯",
            "东湖区住房和城乡建设局",
            10_000_000,
            "区财政",
            date(session_day.year, 12, 31),
            "public",
        ),
        None,
    )
    outside = livelihood.submit(
        session,
        cycle,
        CandidateDraft(
            "新建地铁支线",
            "出行不便",
            "新建地铁",
            "海澄市交通运输局",
            900_000_000,
            "市财政",
            date(session_day.year + 3, 12, 31),
            "public",
        ),
        None,
    )
    staff = session.scalar(select(Account.id).where(Account.username == "staff")) or accounts[0]
    livelihood.advance(session, cycle, staff, session_day - timedelta(days=20))
    for candidate in listed:
        livelihood.screen_candidate(session, candidate, "candidate", "", None, staff)
    livelihood.screen_candidate(
        session,
        duplicate,
        "merged",
        "与“老旧小区加装电梯”内容重复，予以合并。",
        listed[0].id,
        staff,
    )
    livelihood.screen_candidate(
        session,
        outside,
        "rejected",
        "属于市级事权，且无法在一年内完成，建议转市人大代表建议办理。",
        None,
        staff,
    )
    livelihood.advance(session, cycle, staff, session_day - timedelta(days=1))  # -> session
    present = accounts[:38]
    for account_id in present:
        livelihood.sign_in_deputy(session, cycle, account_id, session_day)
    box = livelihood.open_ballot(
        session, cycle, staff, session_day, session_day + timedelta(hours=1)
    )
    keys = [c.ballot_key for c in listed]
    for n, account_id in enumerate(present):
        # A rotating window gives candidate k about CANDIDATE_VOTES[k] marks; a deputy
        # marks at most ten (the ballot allows no more), so extra marks are dropped.
        approved = [
            k
            for m, (k, votes) in enumerate(zip(keys, CANDIDATE_VOTES, strict=True))
            if (n + 3 * m) % len(present) < votes
        ][:10]
        cast_ballot(
            session, box, account_id, {"approved": approved}, session_day + timedelta(minutes=20)
        )
    if len(accounts) > len(present):
        # A deputy delayed by traffic signs in after the ballot opened: present
        # from then on, handed a paper ballot, and allowed to vote online.
        late = accounts[len(present)]
        livelihood.sign_in_deputy(session, cycle, late, session_day + timedelta(minutes=15))
        cast_ballot(session, box, late, {"approved": keys[:1]}, session_day + timedelta(minutes=25))
    livelihood.advance(session, cycle, staff, session_day + timedelta(hours=2))  # -> results
    evaluation = now - timedelta(days=5)
    # The departments delivered over the year and reported it on the plan board,
    # before the deputies graded the projects (the market lagged behind).
    for m, candidate in enumerate(livelihood.adopted_of(session, cycle)):
        item = item_for_source(
            session, SourceKind.LIVELIHOOD_PROJECT, f"livelihood_candidate:{candidate.id}"
        )
        assert item is not None
        post_source_update(
            session,
            item,
            text="主体工程滞后，正在加紧施工。" if m == 6 else "项目已完工并通过验收。",
            progress=70 if m == 6 else 100,
            evidence="",
            actor_id=staff,
            now=evaluation - timedelta(days=20),
        )
    livelihood.advance(session, cycle, staff, evaluation, evaluation + timedelta(days=3))
    assert cycle.satisfaction_box_id is not None
    satisfaction = get_box(session, cycle.satisfaction_box_id)
    adopted = livelihood.adopted_of(session, cycle)
    for n, account_id in enumerate(present):
        grades = {}
        for m, candidate in enumerate(adopted):
            if m == 6:  # 农贸市场升级改造: behind schedule, most deputies dissatisfied
                grade = "satisfied" if n < 8 else "basic" if n < 16 else "dissatisfied"
            else:
                grade = "satisfied" if (n + m) % 5 else "basic"
            grades[candidate.ballot_key] = grade
        cast_ballot(
            session, satisfaction, account_id, {"grades": grades}, evaluation + timedelta(days=1)
        )
    livelihood.advance(session, cycle, staff, now)  # -> closed: rectification item


def _street_session(
    session: Session, street: Area, district_congress_id: int, now: datetime
) -> None:
    """临江街道's vote in progress: the district deputies elected in the street
    (the ``deputy`` demo account among them) on a roll of their own, 9 of 15 signed
    in (quorum: more than half), the secret ballot open for two weeks, 6 votes cast.
    ``deputy`` has not signed in: they sign in at the session and vote."""
    congress = Congress(
        area_id=street.id,
        term=7,
        session_number=1,
        name="东湖区第七届人大代表临江街道民生实事项目票决会",
    )
    session.add(congress)
    session.flush()
    district_roll = session.scalars(
        select(DeputyEntry)
        .where(DeputyEntry.congress_id == district_congress_id)
        .order_by(DeputyEntry.id)
        .limit(STREET_DEPUTIES)
    ).all()
    roll = [
        DeputyEntry(
            congress_id=congress.id,
            name=entry.name,
            id_hash=entry.id_hash,
            constituency=entry.constituency,
            account_id=entry.account_id,
        )
        for entry in district_roll
    ]
    session.add_all(roll)
    session.flush()
    year = now.year + 1
    cycle = livelihood.create_cycle(
        session,
        livelihood.NewCycle(
            congress_id=congress.id, year=year, title=f"临江街道{year}年民生实事项目", places=4
        ),
        None,
    )
    staff = session.scalar(select(Account.id).where(Account.username == "staff"))
    assert staff is not None
    listed = [
        livelihood.submit(
            session,
            cycle,
            CandidateDraft(
                name=name,
                background=f"居民多次反映：{name}。",
                content=f"{name}，{year}年内完成。",
                department=department,
                funds_yuan=funds,
                funds_source="街道民生实事专项资金",
                complete_by=date(year, 12, 31),
                submitter_kind="public",
            ),
            None,
        )
        for name, department, funds in STREET_CANDIDATES
    ]
    livelihood.advance(session, cycle, staff, now - timedelta(days=10))  # -> screening
    for candidate in listed:
        livelihood.screen_candidate(session, candidate, "candidate", "", None, staff)
    livelihood.advance(session, cycle, staff, now - timedelta(days=1))  # -> session
    opened = now - timedelta(hours=1)
    present = roll[1:10]  # roll[0] is the ``deputy`` demo account: not signed in yet
    for entry in present:
        livelihood.register_attendance(session, cycle, entry.id, staff, opened)
    box = livelihood.open_ballot(session, cycle, staff, opened, now + timedelta(days=14))
    keys = [c.ballot_key for c in listed]
    for n, entry in enumerate(present[:6]):
        assert entry.account_id is not None
        approved = [k for m, k in enumerate(keys) if (n + m) % 3 != 0][:4]
        cast_ballot(session, box, entry.account_id, {"approved": approved}, opened)
