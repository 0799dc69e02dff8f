"""A certificate carries only the holder's own ID number, as on their verified
roll entry (issue 13, item 6): another roll person's number is refused, and so is
any number for someone without a roll entry, whose certificate carries none."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.errors import DomainError
from participation.rolls import RollEntry
from participation.rules.identity import id_hash
from tests.support.areas import one_community
from tests.support.people import id_number
from volunteers import certificates
from volunteers.models import Certificate, HoursEntry, Team

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
KEY = b"roll-key"
MINE = id_number(1, date(1980, 5, 1))
THEIRS = id_number(2, date(1975, 3, 9))


@pytest.fixture
def holder(session: Session) -> tuple[int, int]:
    """Two accounts with hours; the first is verified on the roll, and a second
    roll entry (someone else's) is unclaimed."""
    community = one_community(session)
    team = Team(area_id=community.id, name="队", kind="featured", join_mode="open")
    verified, off_roll = Account(display_name="甲"), Account(display_name="乙")
    session.add_all([team, verified, off_roll])
    session.flush()
    for n, (number, account) in enumerate(((MINE, verified), (THEIRS, None))):
        session.add(
            RollEntry(
                community_id=community.id,
                name=f"居民{n}",
                id_hash=id_hash(KEY, number),
                birth_date=date(1980, 1, 1),
                household_code=f"H{n}",
                account_id=account.id if account else None,
                verified_at=NOW if account else None,
            )
        )
    for account in (verified, off_roll):
        session.add(
            HoursEntry(
                account_id=account.id,
                team_id=team.id,
                area_id=community.id,
                served_on=date(2026, 11, 1),
                minutes=120,
                kind="backfill",
                recorded_at=NOW,
            )
        )
    session.flush()
    return verified.id, off_roll.id


def _issue(session: Session, account_id: int, number: str) -> Certificate:
    return certificates.issue(
        session, account_id, id_number=number, issuer="站", actor_id=account_id, id_key=KEY, now=NOW
    )


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Certificate)) or 0)


def test_verified_holder_gets_their_own_masked_id(
    session: Session, holder: tuple[int, int]
) -> None:
    cert = _issue(session, holder[0], MINE)
    assert cert.masked_id == MINE[:4] + "*" * 10 + MINE[-4:]


@pytest.mark.parametrize("number", [THEIRS, "", "123"])
def test_verified_holder_refused_any_other_number(
    session: Session, holder: tuple[int, int], number: str
) -> None:
    with pytest.raises(DomainError) as refused:
        _issue(session, holder[0], number)
    assert "id_number" in refused.value.fields
    assert _count(session) == 0


@pytest.mark.parametrize("number", [THEIRS, MINE, id_number(3, date(1990, 1, 1))])
def test_holder_off_the_roll_cannot_be_given_an_id_number(
    session: Session, holder: tuple[int, int], number: str
) -> None:
    with pytest.raises(DomainError) as refused:
        _issue(session, holder[1], number)
    assert refused.value.code == "certificate.id_unverified"
    assert _count(session) == 0


def test_holder_off_the_roll_gets_a_certificate_without_id(
    session: Session, holder: tuple[int, int]
) -> None:
    cert = _issue(session, holder[1], "")
    assert cert.masked_id == ""
