"""Volunteer services: minors, the no-show lock, the hours ledger, mixed races."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.audit import AuditEntry
from participation.db import make_engine
from participation.errors import DomainError
from tests.support.volunteering import make_person, make_shift
from tests.support.world import World
from volunteers import attendance, ledger, profiles, signups
from volunteers.models import Activity, HoursEntry, Shift, SignUp

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


_person = make_person


def test_minors_need_consent_and_young_children_cannot_sign_up(
    world: World, session: Session
) -> None:
    community = world["community"]
    shift = make_shift(session, community, NOW + timedelta(days=2))
    twelve = _person(session, "minor12", date(2014, 6, 1), community.id)
    nine = _person(session, "minor9", date(2017, 6, 1), community.id)
    session.commit()
    for who, code in ((twelve, "signup.needs_guardian_consent"), (nine, "signup.too_young")):
        with pytest.raises(DomainError) as refused:
            signups.sign_up(session, shift.id, who, NOW)
        assert refused.value.code == code
        session.rollback()
    profiles.record_guardian_consent(
        session, twelve, "张女士", world["people"]["team_leader"].id, NOW
    )
    assert signups.sign_up(session, shift.id, twelve, NOW).status == "confirmed"


def test_two_no_shows_lock_until_a_leader_unlocks(world: World, session: Session) -> None:
    community = world["community"]
    leader = world["people"]["team_leader"].id
    p = _person(session, "flaky")
    past = [make_shift(session, community, NOW - timedelta(days=d)) for d in (10, 5)]
    for shift in past:
        signups.sign_up(session, shift.id, p, shift.starts_at - timedelta(days=1))
        attendance.mark(
            session,
            shift.id,
            p,
            checked_in=None,
            checked_out=None,
            no_show=True,
            actor_id=leader,
            now=NOW,
        )
    coming = make_shift(session, community, NOW + timedelta(days=1))
    session.commit()
    with pytest.raises(DomainError) as refused:
        signups.sign_up(session, coming.id, p, NOW)
    assert refused.value.code == "signup.locked"
    session.rollback()
    profiles.unlock(session, p, leader, NOW)
    assert signups.sign_up(session, coming.id, p, NOW).status == "confirmed"
    session.commit()
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "volunteer.unlock"))


def test_backfill_needs_another_approver_and_stays_within_the_shift(
    world: World, session: Session
) -> None:
    community = world["community"]
    leader = world["people"]["team_leader"].id
    p = _person(session, "helper")
    shift = make_shift(session, community, NOW - timedelta(days=1), hours=3)
    row = signups.sign_up(session, shift.id, p, shift.starts_at - timedelta(days=2))
    attendance.mark(
        session,
        shift.id,
        p,
        checked_in=shift.starts_at,
        checked_out=shift.starts_at + timedelta(minutes=60),
        no_show=False,
        actor_id=leader,
        now=NOW,
    )  # 60 of 180 minutes: nothing credited
    assert ledger.credited_for(session, p, shift.id) == 0
    with pytest.raises(DomainError):
        ledger.request_backfill(session, row, 181, "忘记签退", p, NOW)
    first = ledger.request_backfill(session, row, 120, "忘记签退", p, NOW)
    second = ledger.request_backfill(session, row, 120, "重复申请", p, NOW)
    session.commit()
    with pytest.raises(DomainError) as refused:
        ledger.decide_backfill(session, first.id, True, p, NOW)
    assert refused.value.code == "backfill.self"
    session.rollback()
    ledger.decide_backfill(session, first.id, True, leader, NOW)
    session.commit()
    with pytest.raises(DomainError) as refused:
        ledger.decide_backfill(session, second.id, True, leader, NOW)
    assert refused.value.code == "backfill.too_long"
    session.rollback()
    assert ledger.total_minutes(session, p) == 120
    # A correction is a new entry; the shift's credit stays within its length.
    entry = session.scalars(select(HoursEntry)).one()
    with pytest.raises(DomainError):
        ledger.correct(session, entry.id, 61, "多记", leader, NOW)
    ledger.correct(session, entry.id, -30, "实际服务 90 分钟", leader, NOW)
    session.commit()
    assert ledger.total_minutes(session, p) == 90
    assert [e.kind for e in ledger.entries_of(session, p)] == ["backfill", "correction"]


def _team_of(session: Session, shift: Shift) -> int:
    activity = session.get(Activity, shift.activity_id)
    assert activity is not None
    return activity.team_id


def test_hours_ledger_refuses_update_and_delete(world: World, session: Session) -> None:
    p = _person(session, "ledger")
    session.add(
        HoursEntry(
            account_id=p,
            team_id=_team_of(session, make_shift(session, world["community"], NOW)),
            area_id=world["community"].id,
            served_on=NOW.date(),
            minutes=60,
            kind="system",
        )
    )
    session.commit()
    for statement in (update(HoursEntry).values(minutes=600), text("DELETE FROM vol_hours")):
        with pytest.raises(DBAPIError):
            session.execute(statement)
            session.flush()
        session.rollback()
    assert session.scalar(select(HoursEntry.minutes)) == 60


def test_mixed_signups_and_cancels_never_overbook(db_url: str, world: World) -> None:
    engine = make_engine(db_url, pool_size=8, max_overflow=0)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        s.execute(
            insert(Account),
            [{"display_name": f"m{i}", "username": f"mx{i:04d}"} for i in range(120)],
        )
        people = list(s.scalars(select(Account.id).where(Account.username.like("mx%"))))
        shift_id = make_shift(s, world["community"], NOW + timedelta(days=3), capacity=20).id
    barrier = threading.Barrier(8)

    def worker(chunk: list[int]) -> None:
        rng = random.Random(chunk[0])
        barrier.wait()
        for p in chunk:
            with Session(engine) as s, s.begin():
                signups.sign_up(s, shift_id, p, NOW)
            if rng.random() < 0.4:
                with Session(engine) as s, s.begin():
                    signups.cancel(s, shift_id, p, NOW)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(worker, [people[i::8] for i in range(8)]))
    with Session(engine) as s:
        shift = s.get(Shift, shift_id)
        confirmed = s.scalars(
            select(func.count()).where(SignUp.shift_id == shift_id, SignUp.status == "confirmed")
        ).one()
        waiting = s.scalars(
            select(func.count()).where(SignUp.shift_id == shift_id, SignUp.status == "waitlisted")
        ).one()
        live = s.scalars(
            select(func.count()).where(SignUp.shift_id == shift_id, SignUp.status != "cancelled")
        ).one()
        first_waiting = s.scalar(
            select(func.min(SignUp.arrival)).where(
                SignUp.shift_id == shift_id, SignUp.status == "waitlisted"
            )
        )
        last_confirmed = s.scalar(
            select(func.max(SignUp.arrival)).where(
                SignUp.shift_id == shift_id, SignUp.status == "confirmed"
            )
        )
    engine.dispose()
    assert shift is not None and shift.confirmed == confirmed
    assert confirmed == min(20, live)  # places freed by cancels were all refilled
    assert confirmed + waiting == live
    if waiting:
        assert first_waiting is not None and last_confirmed is not None
        assert first_waiting > last_confirmed  # the waitlist moved up in arrival order


def test_an_activity_can_override_when_sign_up_opens(world: World, session: Session) -> None:
    from volunteers.activities import create_activity, create_shift
    from volunteers.teams import create_team

    team = create_team(
        session, area=world["community"], name="覆盖测试队", kind="featured", join_mode="open"
    )
    late = create_activity(session, team, title="临时招募", opens_hours_before=1)
    start = NOW + timedelta(hours=2)
    shift = create_shift(
        session,
        late,
        area=world["community"],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=3,
    )
    [p] = [_person(session, "early")]
    session.commit()
    with pytest.raises(DomainError) as refused:
        signups.sign_up(session, shift.id, p, NOW)  # the team would allow it; the activity not
    assert refused.value.code == "signup.not_yet_open"
    session.rollback()
    assert (
        signups.sign_up(session, shift.id, p, start - timedelta(minutes=30)).status == "confirmed"
    )


def test_a_persons_ledger_reads_by_date_of_service(world: World, session: Session) -> None:
    p = _person(session, "chrono")
    team_id = _team_of(session, make_shift(session, world["community"], NOW))
    for day in (16, 12, 25):  # recorded out of date order, as back-fills often are
        session.add(
            HoursEntry(
                account_id=p,
                team_id=team_id,
                area_id=world["community"].id,
                served_on=date(2026, 10, day),
                minutes=60,
                kind="system",
            )
        )
    session.commit()
    assert [e.served_on.day for e in ledger.entries_of(session, p)] == [12, 16, 25]
