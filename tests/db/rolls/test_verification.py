"""Verification against the roll: one entry per account and one account per entry."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from participation import accounts
from participation.accounts import Account, grants_of
from participation.areas import Area, create_area
from participation.db import make_engine
from participation.errors import DomainError
from participation.rolls import Congress, DeputyEntry, RollEntry
from participation.rules.areas import AreaKind
from participation.rules.identity import id_hash
from participation.rules.permissions import Grant, Role
from participation.verification import find_entry, verify
from tests.support.people import person

SECRET = b"s"
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def setup(engine: Engine, people: int = 3) -> tuple[Area, Area, list[Account]]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D", name="区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S", name="街", kind=AreaKind.STREET, parent=district)
        community = create_area(s, code="M", name="社区", kind=AreaKind.COMMUNITY, parent=street)
        for n in range(3):
            name, number, born = person(n)
            s.add(
                RollEntry(
                    community_id=community.id,
                    name=name,
                    id_hash=id_hash(SECRET, number),
                    birth_date=born,
                    household_code="H",
                )
            )
        congress = Congress(area_id=district.id, term=1, session_number=1, name="区人大")
        s.add(congress)
        s.flush()
        s.add(
            DeputyEntry(
                congress_id=congress.id, name=person(0)[0], id_hash=id_hash(SECRET, person(0)[1])
            )
        )
        made = [
            accounts.sign_up(s, login=f"user{n}", password="evaluation-pass", display_name="u")
            for n in range(people)
        ]
    return community, district, made


def test_find_entry_needs_all_three_details(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    setup(engine)
    name, number, born = person(1)
    with Session(engine) as s:
        assert find_entry(s, SECRET, name, number, born) is not None
        assert find_entry(s, SECRET, name, number.lower(), born) is not None  # x or X
        assert find_entry(s, SECRET, "别人", number, born) is None
        assert (
            find_entry(s, SECRET, name, number, born.replace(day=28 if born.day != 28 else 27))
            is None
        )
        assert find_entry(s, b"other secret", name, number, born) is None
    engine.dispose()


def test_verification_grants_resident_and_links_deputy(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    community, district, made = setup(engine)
    name, number, born = person(0)
    with Session(engine) as s, s.begin():
        entry = find_entry(s, SECRET, name, number, born)
        assert entry is not None
        verify(s, s.merge(made[0]), entry, NOW)
    with Session(engine) as s:
        assert set(grants_of(s, made[0].id)) == {
            Grant(Role.RESIDENT, community.path),
            Grant(Role.DEPUTY, district.path),
        }
        assert s.scalar(select(DeputyEntry.account_id)) == made[0].id
    with pytest.raises(DomainError) as caught, Session(engine) as s, s.begin():
        verify(s, s.merge(made[1]), find_entry(s, SECRET, name, number, born), NOW)  # type: ignore[arg-type]
    assert caught.value.code == "verify.taken"
    other = person(1)
    with pytest.raises(DomainError) as caught, Session(engine) as s, s.begin():
        verify(s, s.merge(made[0]), find_entry(s, SECRET, *other), NOW)  # type: ignore[arg-type]
    assert caught.value.code == "verify.already"
    engine.dispose()


def test_two_accounts_racing_for_one_entry(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    _community, _district, made = setup(engine, people=6)
    name, number, born = person(2)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def attempt(account_id: int) -> None:
        barrier.wait()
        try:
            with Session(engine) as s, s.begin():
                entry = find_entry(s, SECRET, name, number, born)
                assert entry is not None
                account = s.get(accounts.Account, account_id)
                assert account is not None
                verify(s, account, entry, NOW)
            outcomes.append("verified")
        except (DomainError, IntegrityError):
            outcomes.append("refused")
        except Exception as error:  # PostgreSQL may report a serialization conflict
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=attempt, args=(a.id,)) for a in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("verified") == 1
    with Session(engine) as s:
        entry = s.scalar(select(RollEntry).where(RollEntry.name == name))
        assert entry is not None and entry.account_id in {a.id for a in made}
        residents = [a.id for a in made if grants_of(s, a.id)]
        assert residents == [entry.account_id]
    engine.dispose()
