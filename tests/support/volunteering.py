"""Building blocks for volunteer tests: a team with an activity and a shift."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from participation.areas import Area
from volunteers.activities import create_activity, create_shift
from volunteers.models import Shift, Team
from volunteers.teams import create_team

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
