"""Building blocks for volunteer tests: a team with an activity and a shift, a person."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.areas import Area
from participation.db import make_engine
from participation.rolls import RollEntry
from tests.support.areas import one_community
from volunteers import attendance, signups
from volunteers.activities import create_activity, create_shift
from volunteers.models import HoursEntry, Shift, SignUp, Team
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
    rules: Mapping[str, int | None] | None = None,
    **extra: object,
) -> Shift:
    """A shift of a new activity (with ``rules`` overriding the team's)."""
    if team is None:
        team = create_team(
            s, area=area, name=f"测试服务队{next(_numbers)}", kind="featured", join_mode="open"
        )
    activity = create_activity(
        s, team, title="社区清洁行动", service_content="环境整治", rules=rules
    )
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
        community = one_community(s)
        s.execute(
            insert(Account),
            [{"username": f"p{n}", "display_name": f"志愿者{n}"} for n in range(people)],
        )
        ids = list(s.scalars(select(Account.id).order_by(Account.id)))
        start = datetime.now(UTC) + timedelta(days=3)
        shift_id = make_shift(s, community, start, capacity=capacity).id
    engine.dispose()
    return shift_id, ids


def make_person(
    s: Session, name: str, born: date | None = None, community_id: int | None = None
) -> int:
    """An account; with a birth date and community, also on the resident roll."""
    account = Account(display_name=name, username=name)
    s.add(account)
    s.flush()
    if born is not None and community_id is not None:
        s.add(
            RollEntry(
                community_id=community_id,
                name=name,
                id_hash=f"{account.id:064d}",
                birth_date=born,
                household_code=f"H{account.id}",
                account_id=account.id,
            )
        )
    return account.id


def attend_whole_shift(
    s: Session, shift: Shift, person: int, *, actor_id: int | None, now: datetime
) -> None:
    """``person`` signs up for ``shift`` a day before it starts and attends all of
    it, as ``actor_id`` records at ``now``."""
    signups.sign_up(s, shift.id, person, shift.starts_at - timedelta(days=1))
    attendance.mark(
        s,
        shift.id,
        person,
        checked_in=shift.starts_at,
        checked_out=shift.ends_at,
        no_show=False,
        actor_id=actor_id,  # type: ignore[arg-type]  # None: the system backfills, no person
        now=now,
    )


def signups_of(engine: Engine) -> dict[str | None, str]:
    """Each sign-up's status, by the username of the person who signed up."""
    with Session(engine) as s:
        return dict(
            s.execute(
                select(Account.username, SignUp.status).join(
                    SignUp, SignUp.account_id == Account.id
                )
            ).all()
        )


def backfilled_hours(s: Session, team: Team, account_id: int, minutes: int, at: datetime) -> None:
    """``minutes`` of past service in ``team``'s area, entered by hand a month before
    ``at`` (a back-filled line of the ledger, as the office pages total them)."""
    s.add(
        HoursEntry(
            account_id=account_id,
            team_id=team.id,
            area_id=team.area_id,
            served_on=date(2026, 11, 1),
            minutes=minutes,
            kind="backfill",
            reason="往年记录",
            recorded_at=at - timedelta(days=30),
        )
    )
