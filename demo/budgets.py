"""Demo data for community budget rounds (社区微实事).

- 春晖社区: a finished round (Method of Equal Shares) whose outcome differs from
  greedy's, with funded projects on the plan;
- 望江社区: a round open for voting; 竹园社区: a round collecting proposals.

Everything goes through the same services as the web pages, with the clock
set back where a step happened in the past.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.areas import Area
from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_ballot
from participation.budgets import services as budgets
from participation.budgets.rules import ProposalDraft
from participation.db import utcnow
from participation.rolls import RollEntry

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


def seed_budgets(session: Session, by_name: dict[str, Area]) -> None:
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
