"""Demo data: a fictional city (海澄市) with districts, streets, communities, grids,
a resident roll of about 2,000 people, some verified accounts, a deputy roll and
one account per role. Everything is invented; ID numbers carry valid check digits
but a region code (990) that no real place has.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo.budgets import seed_budgets
from demo.consultations import seed_consultations
from demo.departments import seed_departments
from demo.evaluations import seed_evaluations
from demo.livelihood import seed_livelihood
from demo.notices import seed_notices
from demo.plan import seed_plans
from demo.requests import seed_requests
from demo.volunteers import seed_volunteers
from participation import accounts, audit
from participation.areas import Area, create_area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.casting import cast_ballot
from participation.ballots.closing import publish
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import utcnow
from participation.rolls import Congress, DeputyEntry, RollEntry, rebuild_counts
from participation.rules.areas import AreaKind
from participation.rules.identity import check_digit, id_hash
from participation.rules.permissions import Role

DEMO_PASSWORD = "gongzhi-demo"

TREE = {
    ("4401", "海澄市"): {
        ("440101", "东湖区"): {
            ("440101001", "临江街道"): ["望江社区", "春晖社区"],
            ("440101002", "翠竹街道"): ["竹园社区", "新桥社区"],
        },
        ("440102", "西岭区"): {
            ("440102001", "松山街道"): ["松风社区", "岭南社区"],
            ("440102002", "白石镇"): ["白石村", "溪口村"],
        },
    }
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅晨曦子涵浩然雨"
    "桐欣怡宇轩佳怡梓萱一诺思远海燕春生秋菊冬梅德华文斌丽萍永红建平卫东"
)

ROLE_ACCOUNTS = [
    ("admin", "系统管理员", Role.ADMIN, None),
    ("worker", "社区工作者·望江", Role.COMMUNITY_WORKER, "望江社区"),
    ("staff", "区民政局干部", Role.STAFF, "东湖区"),
    ("deputy", "人大代表·陈", Role.DEPUTY, "东湖区"),
    ("rep", "议事代表·林", Role.REPRESENTATIVE, "望江社区"),
    ("volunteer", "志愿者·赵", Role.VOLUNTEER, "望江社区"),
    ("leader", "志愿服务队队长·孙", Role.TEAM_LEADER, "望江社区"),
    ("orguser", "社会组织成员·周", Role.ORG_MEMBER, "海澄市"),
    ("household", "户代表·吴", Role.HOUSEHOLD_REP, "望江社区"),
    ("resident", "居民·王", Role.RESIDENT, "望江社区"),
]


def fake_id_number(rng: random.Random, born: date) -> str:
    first17 = f"990{rng.randint(100, 999)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + check_digit(first17)


def seed_demo(session: Session, *, id_hash_key: str, residents: int = 2000) -> str:
    """Load the demo into a migrated database; returns the text to print (accounts,
    passwords). Loads nothing when the database already has areas."""
    rng = random.Random(20261122)
    secret = id_hash_key.encode()
    if session.scalar(select(Area.id).limit(1)) is not None:
        return "Demo data is already loaded.\n" + _accounts_text(None)
    by_name: dict[str, Area] = {}
    community_areas: list[Area] = []
    for (city_code, city_name), districts in TREE.items():
        city = create_area(session, code=city_code, name=city_name, kind=AreaKind.CITY, parent=None)
        by_name[city_name] = city
        for (d_code, d_name), streets in districts.items():
            district = create_area(
                session, code=d_code, name=d_name, kind=AreaKind.DISTRICT, parent=city
            )
            by_name[d_name] = district
            for (s_code, s_name), comms in streets.items():
                street = create_area(
                    session, code=s_code, name=s_name, kind=AreaKind.STREET, parent=district
                )
                by_name[s_name] = street
                for i, c_name in enumerate(comms, start=1):
                    community = create_area(
                        session,
                        code=f"{s_code}{i:03d}",
                        name=c_name,
                        kind=AreaKind.COMMUNITY,
                        parent=street,
                    )
                    by_name[c_name] = community
                    community_areas.append(community)
                    for g in range(1, 4):
                        create_area(
                            session,
                            code=f"{s_code}{i:03d}{g:02d}",
                            name=f"{c_name}第{g}网格",
                            kind=AreaKind.GRID,
                            parent=community,
                        )
    entries: list[RollEntry] = []
    samples: list[tuple[str, str, date, str]] = []
    for n in range(residents):
        community = community_areas[n % len(community_areas)]
        born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 66))
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
        number = fake_id_number(rng, born)
        entries.append(
            RollEntry(
                community_id=community.id,
                name=name,
                id_hash=id_hash(secret, number),
                birth_date=born,
                household_code=f"{community.code}-{n // 3:05d}",
            )
        )
        if n >= residents - 3:  # never verified below: people to try /verify as
            samples.append((name, number, born, community.name))
    session.add_all(entries)
    session.flush()
    for login, name, role, area_name in ROLE_ACCOUNTS:
        account = accounts.sign_up(session, login=login, password=DEMO_PASSWORD, display_name=name)
        accounts.grant_role(session, account, role, by_name[area_name] if area_name else None)
        if role in (Role.RESIDENT, Role.HOUSEHOLD_REP, Role.REPRESENTATIVE):
            entry = next(
                e
                for e in entries
                if e.community_id == by_name["望江社区"].id and e.account_id is None
            )
            entry.account_id, entry.verified_at = account.id, utcnow()
    # A few more verified residents across communities.
    for n, entry in enumerate(entries[100:130]):
        account = accounts.sign_up(
            session, login=f"1380000{n:04d}", password=DEMO_PASSWORD, display_name=entry.name
        )
        entry.account_id, entry.verified_at = account.id, utcnow()
        accounts.grant_role(session, account, Role.RESIDENT, session.get(Area, entry.community_id))
    congress = Congress(
        area_id=by_name["东湖区"].id,
        term=7,
        session_number=3,
        name="东湖区第七届人民代表大会第三次会议",
    )
    session.add(congress)
    session.flush()
    deputy_account = accounts.find_by_login(session, "deputy")
    for n in range(45):
        born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 365 * 30))
        session.add(
            DeputyEntry(
                congress_id=congress.id,
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                id_hash=id_hash(secret, fake_id_number(rng, born)),
                constituency=f"第{n // 3 + 1}选区",
                account_id=deputy_account.id if n == 0 and deputy_account else None,
            )
        )
    seed_ballots(session, by_name, entries)
    seed_departments(session, by_name)
    seed_consultations(session, by_name)
    seed_notices(session)
    seed_evaluations(session, by_name)
    seed_plans(session, by_name, date.today())
    seed_budgets(session, by_name)
    seed_livelihood(session, by_name, congress.id)
    seed_volunteers(session, by_name, entries)
    seed_requests(session, by_name, utcnow())
    # Seeders link residents to roll entries past the ORM (and the consultations'
    # crowd goes onto the roll so): the counts are counted afresh once, at the end.
    rebuild_counts(session)
    audit.record(
        session, actor_id=None, action="demo.seed", target="", ip="cli", residents=residents
    )
    return "Demo data loaded.\n" + _accounts_text(samples)


def _samples_text(samples: list[tuple[str, str, date, str]]) -> str:
    lines = ["People on the roll, not yet verified (sign up, then verify at /verify as one):"]
    for name, number, born, community in samples:
        lines.append(f"  {name}  {number}  {born.isoformat()}  {community}")
    return "\n".join(lines)


def _accounts_text(samples: list[tuple[str, str, date, str]] | None) -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    for login, name, role, area in ROLE_ACCOUNTS:
        lines.append(f"  {login:<10} {role.value:<17} {name}" + (f" @ {area}" if area else ""))
    lines.append("  13800000000 … 13800000029  verified residents")
    lines.append("  grid       grid_worker       网格员 @ 望江社区第1、2网格 (resident requests)")
    lines.append("  unit       unit_staff        承办人员 @ 东湖区 (resident requests)")
    if samples:
        lines.append(_samples_text(samples))
    else:
        lines.append("(Start again with `gongzhi demo --reset` to see people to verify as.)")
    return "\n".join(lines)


def seed_ballots(session: Session, by_name: dict[str, Area], entries: list[RollEntry]) -> None:
    """A closed, published city-wide yes/no vote. (望江社区's open community-budget
    vote is its 2027 round's box, seeded with the rounds: a second budget box for
    the same community would be refused, and was the demo's duplicate.)"""
    now = utcnow()
    closed = create_box(
        session,
        NewBox(
            title="海澄市“关键小事”清单意见征询",
            area=by_name["海澄市"],
            roll=Roll.RESIDENTS,
            opens_at=now - timedelta(days=20),
            closes_at=now - timedelta(days=2),
            form=BallotForm(FormKind.YES_NO),
            rule={"rule": "threshold", "base": "cast", "places": 2},
            items=[
                NewItem("增设社区便民服务点"),
                NewItem("延长图书馆开放时间"),
                NewItem("新增公交夜班线路"),
            ],
        ),
        None,
    )
    voters = [e for e in entries if e.account_id is not None]
    marks = ["yes", "yes", "no", "abstain", "yes"]
    for n, entry in enumerate(voters):
        assert entry.account_id is not None
        choices = {"1": marks[n % 5], "2": marks[(n + 1) % 5], "3": marks[(n + 3) % 5]}
        cast_ballot(
            session, closed, entry.account_id, {"choices": choices}, now - timedelta(days=10)
        )
    publish(session, closed, now)
