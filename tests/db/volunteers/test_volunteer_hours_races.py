"""Hours are credited once, however many requests race to credit them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.db import make_engine
from participation.errors import DomainError
from tests.support.volunteering import make_shift
from tests.support.world import World
from volunteers import attendance, ledger, signups
from volunteers.models import BackfillRequest, HoursEntry
from volunteers.rules.checkin import checkin_code, window_of

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SECRET = b"check-in-secret"
RACERS = 8


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _race(engine: Engine, work: Callable[[Session], object]) -> list[str]:
    """Run ``work`` in RACERS threads at once, each in its own transaction;
    returns each thread's outcome ("ok" or the refusal's code)."""
    barrier = threading.Barrier(RACERS)

    def one(_: int) -> str:
        barrier.wait()
        try:
            with Session(engine) as s, s.begin():
                work(s)
        except DomainError as refused:
            return refused.code
        return "ok"

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(one, range(RACERS)))


def _signed_up(engine: Engine, world: World, starts_at: datetime) -> tuple[int, int]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        account = Account(display_name="赛跑者", username="racer")
        s.add(account)
        s.flush()
        shift = make_shift(s, world["community"], starts_at, hours=2)
        signups.sign_up(s, shift.id, account.id, starts_at - timedelta(days=1))
        return shift.id, account.id


def _ledger(engine: Engine, account_id: int) -> list[tuple[str, int]]:
    with Session(engine) as s:
        return [
            (kind, minutes)
            for kind, minutes in s.execute(
                select(HoursEntry.kind, HoursEntry.minutes).where(
                    HoursEntry.account_id == account_id
                )
            )
        ]


def test_racing_check_outs_credit_the_shift_once(db_url: str, world: World) -> None:
    engine = make_engine(db_url, pool_size=RACERS, max_overflow=0)
    start = NOW - timedelta(hours=2)
    shift_id, person = _signed_up(engine, world, start)
    with Session(engine) as s, s.begin():
        attendance.scan(
            s, shift_id, person, checkin_code(SECRET, shift_id, window_of(start)), SECRET, start
        )
    end = start + timedelta(hours=2)
    code = checkin_code(SECRET, shift_id, window_of(end))
    outcomes = _race(engine, lambda s: attendance.scan(s, shift_id, person, code, SECRET, end))
    assert outcomes.count("ok") >= 1
    assert _ledger(engine, person) == [("system", 120)]
    engine.dispose()


def test_a_back_fill_approved_by_racing_leaders_counts_once(db_url: str, world: World) -> None:
    engine = make_engine(db_url, pool_size=RACERS, max_overflow=0)
    shift_id, person = _signed_up(engine, world, NOW - timedelta(days=1))
    leader = world["people"]["team_leader"].id
    with Session(engine) as s, s.begin():
        signup = signups.signups_of_shift(s, shift_id)[0]
        request_id = ledger.request_backfill(s, signup, 50, "忘记签到", person, NOW).id
    outcomes = _race(engine, lambda s: ledger.decide_backfill(s, request_id, True, leader, NOW))
    assert sorted(outcomes) == ["backfill.not_pending"] * (RACERS - 1) + ["ok"]
    assert _ledger(engine, person) == [("backfill", 50)]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(BackfillRequest)) == 1
    engine.dispose()
