"""A team with a leader, one shift and new volunteers, for the browser tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.areas import Area
from participation.db import make_engine
from participation.rules.permissions import Role
from tests.browser.conftest import PASSWORD, LiveServer
from tests.support.volunteering import make_shift
from volunteers import teams

numbers = itertools.count(1)


def team_with_shift(
    live_server: LiveServer,
    starts_in: timedelta,
    capacity: int,
    helpers: int,
    *,
    join_mode: str = "open",
) -> tuple[int, int, list[str], str]:
    """A team of community M1 led by a new leader, one shift starting
    ``starts_in`` from now, and ``helpers`` new volunteers who may sign in with
    PASSWORD. Returns (team id, shift id, the volunteers' logins, the leader's
    login). Volunteer ``vol{n}x{k}`` is displayed as ``志愿者{n}-{k}``."""
    n = next(numbers)
    engine = make_engine(live_server.db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        community = s.scalar(select(Area).where(Area.code == "M1"))
        assert community is not None
        leader = accounts.sign_up(s, login=f"vlead{n}", password=PASSWORD, display_name=f"队长{n}")
        accounts.grant_role(s, leader, Role.TEAM_LEADER, community)
        logins = [f"vol{n}x{k}" for k in range(helpers)]
        for k, login in enumerate(logins):
            accounts.sign_up(s, login=login, password=PASSWORD, display_name=f"志愿者{n}-{k}")
        team = teams.create_team(
            s, area=community, name=f"浏览器测试队{n}", kind="featured", join_mode=join_mode
        )
        teams.invite(s, team, leader, leader.id)
        teams.join(s, team, leader.id)
        teams.set_role(s, team, leader.id, "leader", leader.id)
        shift = make_shift(
            s, community, datetime.now(UTC) + starts_in, capacity=capacity, team=team
        )
        team_id, shift_id = team.id, shift.id
    engine.dispose()
    return team_id, shift_id, logins, f"vlead{n}"
