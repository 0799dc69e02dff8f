"""Building blocks for volunteer tests: a team with an activity and a shift."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.areas import Area, create_area
from participation.db import make_engine
from participation.rules.areas import AreaKind
from volunteers.activities import create_activity, create_shift
from volunteers.models import Shift, Team
from volunteers.teams import create_team
from web.migrate import upgrade

_numbers = itertools.count(1)


def make_shift(
    s: Session,
    area: Area,
    starts_at: datetime,
    *,
    capacity: int = 2,
    hours: int = 3,
    team: Team | None = None,
    **extra: object,
) -> Shift:
    if team is None:
        team = create_team(
            s, area=area, name=f"测试服务队{next(_numbers)}", kind="featured", join_mode="open"
        )
    activity = create_activity(s, team, title="社区清洁行动", service_content="环境整治")
    return create_shift(
        s,
        activity,
        area=area,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        place="社区广场",
        **extra,  # type: ignore[arg-type]
    )


def prepare_volunteers(url: str, people: int, capacity: int) -> tuple[int, list[int]]:
    """Migrate, create ``people`` accounts and a shift three days ahead with
    ``capacity`` places; returns the shift id and the account ids in order.
    Shared by the sign-up crash test and bench/bench_signup.py."""
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D", name="区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S", name="街", kind=AreaKind.STREET, parent=district)
        community = create_area(s, code="M", name="社区", kind=AreaKind.COMMUNITY, parent=street)
        s.execute(
            insert(Account),
            [{"username": f"p{n}", "display_name": f"志愿者{n}"} for n in range(people)],
        )
        ids = list(s.scalars(select(Account.id).order_by(Account.id)))
        start = datetime.now(UTC) + timedelta(days=3)
        shift_id = make_shift(s, community, start, capacity=capacity).id
    engine.dispose()
    return shift_id, ids
