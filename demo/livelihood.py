"""Demo data for livelihood projects chosen by deputies (民生实事项目人大代表票决制).

- 东湖区 congress: a finished cycle, 12 candidates for 10 places, the year-end
  vote with one dissatisfied project (a rectification item), and next year's
  cycle collecting projects;
- 临江街道: the district deputies elected there vote on the street's projects in a
  session in progress (quorum reached, the secret ballot open for two weeks), which
  the ``deputy`` demo account has not signed in to yet: a newcomer signs in at the
  session and votes.

Everything goes through the same services as the web pages, with the clock
set back where a step happened in the past.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.areas import Area
from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_ballot
from participation.db import utcnow
from participation.livelihood import services as livelihood
from participation.livelihood.rules import CandidateDraft
from participation.plan.delivery import post_source_update
from participation.plan.intake import item_for_source
from participation.plan.sources import SourceKind
from participation.rolls import Congress, DeputyEntry

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


def seed_livelihood(session: Session, by_name: dict[str, Area], congress_id: int) -> None:
    now = utcnow()
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
