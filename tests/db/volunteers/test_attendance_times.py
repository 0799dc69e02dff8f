"""Attendance on the roster credits no time that has not happened yet (issue 13,
item 6): a check-in or check-out later than now is refused, and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from participation.errors import DomainError
from tests.support.volunteering import make_person, make_shift
from tests.support.world import World
from volunteers import attendance, ledger, signups
from volunteers.models import SignUp

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _mark(session: Session, shift_id: int, p: int, now: datetime, **times: datetime) -> SignUp:
    return attendance.mark(
        session,
        shift_id,
        p,
        checked_in=times.get("checked_in"),
        checked_out=times.get("checked_out"),
        no_show=False,
        actor_id=p,
        now=now,
    )


@pytest.mark.parametrize(
    "times",
    [
        {"checked_in": START, "checked_out": START + timedelta(hours=1)},  # the prefilled end
        {"checked_in": START + timedelta(minutes=10)},
    ],
)
def test_times_after_now_are_refused(
    world: World, session: Session, times: dict[str, datetime]
) -> None:
    shift = make_shift(session, world["community"], START, hours=1)
    p = make_person(session, "helper")
    signups.sign_up(session, shift.id, p, START - timedelta(days=1))
    with pytest.raises(DomainError) as refused:
        _mark(session, shift.id, p, START + timedelta(minutes=5), **times)
    assert set(refused.value.fields) & {"checked_in", "checked_out"}
    assert ledger.credited_for(session, p, shift.id) == 0


def test_check_in_now_and_out_after_the_end_credits_once(world: World, session: Session) -> None:
    shift = make_shift(session, world["community"], START, hours=1)
    p = make_person(session, "helper")
    signups.sign_up(session, shift.id, p, START - timedelta(days=1))
    row = _mark(session, shift.id, p, START + timedelta(minutes=5), checked_in=START)
    assert row.checked_out_at is None and ledger.credited_for(session, p, shift.id) == 0
    end = START + timedelta(hours=1)
    _mark(session, shift.id, p, end + timedelta(minutes=2), checked_in=START, checked_out=end)
    assert ledger.credited_for(session, p, shift.id) == 60
