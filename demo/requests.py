"""Demo resident requests (群众诉求): a routing table for 东湖区, a grid worker and a
unit's staff, and a few hundred requests over the past year across categories and
channels — most closed and rated, some still open, some overdue, some escalated past
the hand-off cap, some merged as the same matter."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo import requests_board, requests_loop
from demo.requests_grids import seed_grids
from demo.requests_mediation import seed_mediation
from demo.requests_supervision import seed_supervision
from participation import accounts, departments
from participation.areas import Area
from participation.errors import DomainError
from participation.requests import closing, handling, intake, merging, routing, units
from participation.requests.models import ResidentRequest
from participation.rolls import RollEntry
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role

PASSWORD = "gongzhi-demo"
COMMUNITIES = ("望江社区", "春晖社区", "竹园社区", "新桥社区")

TEXTS = {
    "environment": [
        "小区门口垃圾堆积好几天没人清理",
        "楼道里堆满杂物，影响通行",
        "绿化带里有人乱倒建筑垃圾",
    ],
    "property": ["电梯经常停运，物业不维修", "小区路灯坏了一个多月", "物业费公示不清楚"],
    "roads": ["路口井盖缺失，存在安全隐患", "人行道砖松动，老人容易绊倒", "公交站台雨棚损坏"],
    "utilities": ["连续两天停水，没有提前通知", "晚上电压不稳，家电跳闸", "燃气管道有异味"],
    "safety": ["小区后门监控坏了", "电动车在楼道充电，有火灾隐患", "夜间有人在河边游泳"],
    "dispute": ["楼上邻居装修噪音扰民", "邻居占用公共车位", "邻里因漏水发生纠纷"],
    "welfare": ["高龄津贴一直没有到账", "想申请居家养老服务", "残疾人补贴办理咨询"],
    "market": ["菜市场摊贩缺斤少两", "小区门口无证经营早餐摊", "药店价格标签不清"],
    "other": ["希望社区增设儿童游乐设施", "建议增加社区图书室开放时间", "社区活动室空调坏了"],
}
FINISHED = ["已安排人员处理完毕", "已协调相关单位解决", "已维修完成并回访确认"]


def _accounts(session: Session, by_name: dict[str, Area]) -> tuple[int, int]:
    """The grid worker ``grid`` (望江社区 grids 1 and 2) and ``unit`` (unit staff of 东湖区)."""
    grid = accounts.sign_up(session, login="grid", password=PASSWORD, display_name="网格员·钱")
    for name in ("望江社区第1网格", "望江社区第2网格"):
        area = session.scalar(select(Area).where(Area.name == name))
        accounts.grant_role(session, grid, Role.GRID_WORKER, area)
    unit = accounts.sign_up(session, login="unit", password=PASSWORD, display_name="承办人员·郑")
    accounts.grant_role(session, unit, Role.UNIT_STAFF, by_name["东湖区"])
    return grid.id, unit.id


def _routing_table(session: Session, by_name: dict[str, Area]) -> None:
    district = by_name["东湖区"].id

    def department(name: str) -> int | None:
        found = departments.named(session, name)
        return units.unit_of_department(session, found).id if found else None

    mediation = units.add_mediation_body(
        session, by_name["临江街道"], "临江街道人民调解委员会", None
    )
    rows = [
        ("environment", "any", "community", None),
        ("property", "individual", "community", None),
        ("property", "group", "street", None),
        ("roads", "any", "department", department("东湖区城市管理和综合执法局")),
        ("utilities", "any", "department", department("东湖区水务局")),
        ("safety", "any", "street", None),
        ("dispute", "any", "mediation", mediation.id),
        ("welfare", "any", "department", department("东湖区民政局")),
        ("market", "any", "department", department("临江街道市场监督管理所")),
        ("other", "any", "community", None),
    ]
    for category, scale, kind, unit_id in rows:
        if kind in ("department", "mediation") and unit_id is None:
            continue
        routing.add_rule(session, routing.NewRule(category, district, scale, kind, unit_id), None)


def seed_requests(session: Session, by_name: dict[str, Area], now: datetime) -> None:
    rng = random.Random(20261204)
    grid_worker, unit_staff = _accounts(session, by_name)
    district_staff = accounts.find_by_login(session, "staff")
    visitor = district_staff.id if district_staff else None
    _routing_table(session, by_name)
    grids = [
        area
        for name in COMMUNITIES
        for area in session.scalars(
            select(Area).where(Area.parent_id == by_name[name].id, Area.kind == AreaKind.GRID.value)
        )
    ]
    residents = list(
        session.scalars(
            select(RollEntry.account_id).where(
                RollEntry.account_id.is_not(None),
                RollEntry.community_id.in_([by_name[n].id for n in COMMUNITIES]),
            )
        )
    )
    filed: list[ResidentRequest] = []
    for _ in range(320):
        age_days = rng.randint(0, 360)
        at = now - timedelta(days=age_days, hours=rng.randint(0, 10))
        category = rng.choice(list(TEXTS))
        channel = rng.choices(
            ["online", "patrol", "assisted", "walk_in", "hotline"], [5, 2, 2, 1, 3]
        )[0]
        requester = rng.choice(residents) if channel == "online" and residents else None
        new = intake.NewRequest(
            category=category,
            description=rng.choice(TEXTS[category]),
            area_id=rng.choice(grids).id,
            channel=channel,
            public=rng.random() < 0.6,
            scale="group" if rng.random() < 0.1 else "individual",
            urgency="urgent" if rng.random() < 0.1 else "normal",
            requester_name="" if requester else rng.choice(["李阿姨", "张师傅", "陈先生", ""]),
        )
        request = intake.file_request(
            session,
            new,
            at,
            filer_id=requester or grid_worker,
            requester_id=requester,
        ).request
        filed.append(request)
        _progress(session, rng, request, at, now, unit_staff, visitor)
    # Merged: a few open requests of the same grid and category joined into one.
    open_ones = [r for r in filed if r.status in ("routed", "accepted")]
    for request in open_ones[:6]:
        same = [
            r
            for r in open_ones
            if r.id != request.id
            and r.area_id == request.area_id
            and r.category == request.category
            and r.status in ("routed", "accepted")
            and request.status in ("routed", "accepted")
        ]
        if same:
            merging.merge(session, same[0], request, now - timedelta(hours=1), unit_staff)
    closing.close_unconfirmed(session, now)
    seed_grids(session, by_name, now)
    seed_mediation(session, grids[0], now, unit_staff)
    seed_supervision(session, unit_staff, now)
    requests_board.seed_hotspot(session, grids[0], residents[:3], grid_worker, now)
    requests_loop.seed_loop(session, grids[0], now)


def _progress(
    session: Session,
    rng: random.Random,
    request: ResidentRequest,
    at: datetime,
    now: datetime,
    staff: int,
    visitor: int | None = None,
) -> None:
    """Move a request along as far as its age allows (``visitor``: who makes return
    visits by phone, outside the handling unit)."""
    if request.unit_id is None:
        return
    age = (now - at).days
    try:
        if age < 2 and rng.random() < 0.7:
            return  # waiting to be accepted
        if rng.random() < 0.05:
            # Passed around past the cap: escalated to the level above.
            first = units.get_unit(session, request.unit_id)
            above = units.level_above(session, first)
            for n in range(4):  # the fourth hand-off goes past the cap
                to = above if n % 2 == 0 else first
                if to is None:
                    break
                handling.transfer(
                    session,
                    request,
                    request.unit_id or 0,
                    to,
                    "不属于本单位职责",
                    at + timedelta(hours=2 + n),
                    staff,
                )
            return
        if age > 20 and rng.random() < 0.06:
            return  # overdue: never accepted
        handling.accept(session, request, request.unit_id or 0, at + timedelta(hours=3), staff)
        handling.record(
            session,
            request,
            request.unit_id or 0,
            at + timedelta(days=1),
            staff,
            note="已到现场核实情况",
            minutes=rng.choice([30, 45, 60, 90]),
        )
        if age < 10 and rng.random() < 0.5:
            return  # being handled
        done = at + timedelta(days=min(age - 1, rng.randint(2, 10)) if age > 2 else 1)
        handling.propose_closure(
            session, request, request.unit_id or 0, rng.choice(FINISHED), done, staff
        )
        if age < 12 and rng.random() < 0.5:
            return  # waiting for the requester
        if rng.random() < 0.08:
            return  # never answered: closed as not confirmed by the sweep below
        closing.confirm(session, request, done + timedelta(days=1), request.requester_id)
        rating = rng.choices(["satisfied", "basic", "dissatisfied"], [7, 2, 1])[0]
        # Online by the requester, or by phone by the district's staff (never the unit).
        online = request.requester_id is not None and rng.random() < 0.5
        closing.visit(
            session,
            request,
            rating,
            "" if rating != "dissatisfied" else "问题反复出现",
            "online" if online else "phone",
            done + timedelta(days=2),
            request.requester_id if online else visitor,
        )
    except DomainError:
        return
