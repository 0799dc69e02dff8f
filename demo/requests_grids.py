"""Demo grid work: 东湖区's grid workers with their grids (one grid shared by two
workers, one worker covering two grids), 逢五进格 visit days for 临江街道's grids,
and cadres' visits over the past months, one of whose findings became a request."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.requests import grids
from participation.requests.deadlines import local_day
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role

PASSWORD = "gongzhi-demo"

VISITS = [
    # (days ago, rounded to a day ending in 5 or 0), grid, cadre, findings, filed?
    (75, "望江社区第1网格", "临江街道党工委书记·何", "3号楼外墙瓷砖脱落，存在坠落隐患", True),
    (45, "望江社区第2网格", "临江街道办事处主任·林", "", False),
    (20, "春晖社区第1网格", "临江街道党工委副书记·杜", "老旧小区加装电梯意见不一，需协商", False),
    (5, "望江社区第1网格", "临江街道党工委书记·何", "健身器材一处损坏，已告知物业", False),
]


def _grid(session: Session, name: str) -> Area | None:
    return session.scalar(select(Area).where(Area.name == name, Area.kind == AreaKind.GRID.value))


def _visit_day(now: datetime, days_ago: int) -> datetime:
    """The nearest day ending in 5 or 0 at or before ``days_ago`` days ago."""
    at = now - timedelta(days=days_ago)
    while local_day(at).day % 5 != 0:
        at -= timedelta(days=1)
    return at


def seed_grids(session: Session, by_name: dict[str, Area], now: datetime) -> None:
    today = local_day(now)
    first, second = _grid(session, "望江社区第1网格"), _grid(session, "望江社区第2网格")
    chunhui = _grid(session, "春晖社区第1网格")
    qian = accounts.find_by_login(session, "grid")
    if first is None or second is None or qian is None:
        return
    sun = accounts.sign_up(session, login="grid2", password=PASSWORD, display_name="网格员·孙")
    accounts.grant_role(session, sun, Role.GRID_WORKER, by_name["望江社区"])
    start = today - timedelta(days=300)
    for grid in (first, second):
        grids.assign(session, grid.id, qian.id, start, None, None, None)
    grids.assign(session, second.id, sun.id, today - timedelta(days=90), None, None, None)
    if chunhui is not None:
        accounts.grant_role(session, sun, Role.GRID_WORKER, by_name["春晖社区"])
        grids.assign(session, chunhui.id, sun.id, start, None, None, None)
    street = session.get(Area, by_name["望江社区"].parent_id or 0)
    if street is not None:
        grids.set_visit_rule(session, street.id, "50", None, None)
    for days_ago, name, cadre, findings, filed in VISITS:
        visited = _grid(session, name)
        if visited is None:
            continue
        at = _visit_day(now, days_ago)
        visit = grids.record_visit(
            session, visited.id, cadre, local_day(at), findings, None, today, None
        )
        if filed:
            grids.file_finding(session, visit.id, "safety", "urgent", None, at, None)
