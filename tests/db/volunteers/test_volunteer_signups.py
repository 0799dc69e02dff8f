"""Sign-up services: atomic capacity under real concurrency, promotion, offers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.db import make_engine
from participation.errors import DomainError
from tests.support.volunteering import make_shift
from tests.support.world import World
from volunteers import signups
from volunteers.models import Shift, SignUp

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _people(engine: Engine | Connection, n: int) -> list[int]:
    with Session(engine) as s, s.begin():
        s.execute(
            insert(Account),
            [{"display_name": f"志愿者{i}", "username": f"vt{i:05d}"} for i in range(n)],
        )
        return list(
            s.scalars(select(Account.id).where(Account.username.like("vt0%")).order_by(Account.id))
        )


def test_thousand_concurrent_signups_for_hundred_places(db_url: str, world: World) -> None:
    engine = make_engine(db_url, pool_size=16, max_overflow=0)
    people = _people(engine, 1000)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        shift_id = make_shift(s, world["community"], NOW + timedelta(days=3), capacity=100).id
    start = threading.Barrier(16)

    def one(account_id: int) -> str:
        with Session(engine) as s, s.begin():
            return signups.sign_up(s, shift_id, account_id, NOW).status

    def worker(chunk: list[int]) -> list[str]:
        start.wait()
        return [one(a) for a in chunk]

    chunks = [people[i::16] for i in range(16)]
    with ThreadPoolExecutor(16) as pool:
        results = [r for rs in pool.map(worker, chunks) for r in rs]
    engine.dispose()

    assert results.count("confirmed") == 100
    assert results.count("waitlisted") == 900
    check = make_engine(db_url)
    with Session(check) as s:
        rows = s.execute(select(SignUp.arrival, SignUp.status, SignUp.account_id)).all()
        shift = s.get(Shift, shift_id)
        assert shift is not None and shift.confirmed == 100 and shift.arrivals == 1000
    check.dispose()
    assert len(rows) == 1000 and len({r.account_id for r in rows}) == 1000  # nobody lost or doubled
    assert sorted(r.arrival for r in rows) == list(range(1, 1001))  # gap-free arrival order
    confirmed = sorted(r.arrival for r in rows if r.status == "confirmed")
    assert confirmed == list(range(1, 101))  # the first 100 to arrive hold the places


def _signup_all(session: Session, shift_id: int, people: list[int], at: datetime) -> None:
    for p in people:
        signups.sign_up(session, shift_id, p, at)


def test_cancel_promotes_first_waiting_before_cutoff(
    db_url: str, world: World, session: Session
) -> None:
    people = _people(session.get_bind(), 4)
    shift = make_shift(session, world["community"], NOW + timedelta(days=3), capacity=2)
    _signup_all(session, shift.id, people, NOW)
    session.commit()
    signups.cancel(session, shift.id, people[0], NOW)
    session.commit()
    status = dict(session.execute(select(SignUp.account_id, SignUp.status)).all())
    assert status == {
        people[0]: "cancelled",
        people[1]: "confirmed",
        people[2]: "confirmed",
        people[3]: "waitlisted",
    }
    w = session.scalar(select(SignUp).where(SignUp.account_id == people[3]))
    assert w is not None and signups.waitlist_position(session, w) == 1
    assert session.get(Shift, shift.id).confirmed == 2  # type: ignore[union-attr]


def test_after_cutoff_place_is_offered_and_passes_on(
    db_url: str, world: World, session: Session
) -> None:
    people = _people(session.get_bind(), 4)
    start = NOW + timedelta(hours=10)  # inside the 24 h cut-off
    shift = make_shift(session, world["community"], start, capacity=1)
    _signup_all(session, shift.id, people[:3], NOW)
    session.commit()
    late = NOW + timedelta(hours=8)  # 2 h before the start: a late cancellation
    with pytest.raises(DomainError) as refused:
        signups.cancel(session, shift.id, people[0], late)
    assert refused.value.code == "signup.late_reason"
    session.rollback()
    signups.cancel(session, shift.id, people[0], late, reason="家中有急事")
    session.commit()
    offered = session.scalar(select(SignUp).where(SignUp.account_id == people[1]))
    assert offered is not None and offered.status == "offered"
    assert offered.offer_expires_at == late + timedelta(minutes=30)
    # A newcomer cannot take the offered place.
    assert signups.sign_up(session, shift.id, people[3], late).status == "waitlisted"
    # Not taken in time: it passes on to the next in arrival order.
    signups.process_offers(session, late + timedelta(minutes=31))
    session.commit()
    status = dict(session.execute(select(SignUp.account_id, SignUp.status)).all())
    assert status[people[1]] == "cancelled" and status[people[2]] == "offered"
    with pytest.raises(DomainError):
        signups.accept_offer(session, shift.id, people[1], late + timedelta(minutes=32))
    session.rollback()
    taken = signups.accept_offer(session, shift.id, people[2], late + timedelta(minutes=40))
    assert taken.status == "confirmed"
    session.commit()
    assert session.get(Shift, shift.id).confirmed == 1  # type: ignore[union-attr]
    assert (
        session.scalar(select(SignUp.late_cancel_reason).where(SignUp.account_id == people[0]))
        == "家中有急事"
    )


def test_overlap_refused_across_teams_and_nothing_stored(
    db_url: str, world: World, session: Session
) -> None:
    [p] = _people(session.get_bind(), 1)
    a = make_shift(session, world["community"], NOW + timedelta(days=2))
    b = make_shift(session, world["other"], NOW + timedelta(days=2, hours=1))
    signups.sign_up(session, a.id, p, NOW)
    session.commit()
    with pytest.raises(DomainError) as refused:
        signups.sign_up(session, b.id, p, NOW)
    assert refused.value.code == "signup.overlaps"
    session.rollback()
    assert (
        session.scalar(select(func.count()).select_from(SignUp).where(SignUp.shift_id == b.id)) == 0
    )


def test_a_sign_up_passes_expired_offers_on_before_counting_places(
    db_url: str, world: World, session: Session
) -> None:
    """No periodic job ran: the sign-up itself lets the stale offer go, and the
    person whose offer lapsed may queue again at the back."""
    people = _people(session.get_bind(), 4)
    start = NOW + timedelta(hours=10)
    shift = make_shift(session, world["community"], start, capacity=1)
    _signup_all(session, shift.id, people[:3], NOW)
    late = NOW + timedelta(hours=8)
    signups.cancel(session, shift.id, people[0], late, reason="临时加班")
    session.commit()
    lapsed = late + timedelta(minutes=31)
    assert signups.sign_up(session, shift.id, people[3], lapsed).status == "waitlisted"
    session.commit()
    rows = {
        account: (status, arrival)
        for account, status, arrival in session.execute(
            select(SignUp.account_id, SignUp.status, SignUp.arrival)
        )
    }
    assert rows[people[1]][0] == "cancelled"
    assert rows[people[2]] == ("offered", 3)
    assert rows[people[3]] == ("waitlisted", 4)
    again = signups.sign_up(session, shift.id, people[1], lapsed)
    assert (again.status, again.arrival) == ("waitlisted", 5)
    session.commit()
    assert session.get(Shift, shift.id).arrivals == 5  # type: ignore[union-attr]
    assert session.get(Shift, shift.id).confirmed == 0  # type: ignore[union-attr]
