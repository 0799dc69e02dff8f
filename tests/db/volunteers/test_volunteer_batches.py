"""The services that answer for many people or certificates in one query agree
with the one-at-a-time rules they replace on the leader's and office pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.support.volunteering import attend_whole_shift, make_person, make_shift
from volunteers import attendance, certificates, profiles, signups
from volunteers.models import Team
from volunteers.teams import area_of, create_team

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _miss(session: Session, area: Any, person: int, days_ago: int) -> None:
    shift = make_shift(session, area, NOW - timedelta(days=days_ago))
    signups.sign_up(session, shift.id, person, shift.starts_at - timedelta(days=1))
    attendance.mark(
        session,
        shift.id,
        person,
        checked_in=None,
        checked_out=None,
        no_show=True,
        actor_id=person,
        now=NOW,
    )


def test_locked_accounts_counts_no_shows_since_the_last_unlock(
    world: dict[str, Any], session: Session
) -> None:
    community = world["community"]
    twice, once, unlocked, never = (make_person(session, f"p{n}") for n in range(4))
    for days in (20, 10):
        _miss(session, community, twice, days)
        _miss(session, community, unlocked, days)
    _miss(session, community, once, 10)
    profiles.unlock(session, unlocked, world["people"]["team_leader"].id, NOW - timedelta(days=15))
    _miss(session, community, unlocked, 5)
    session.commit()
    people = [twice, once, unlocked, never]
    for lock in (1, 2, 3):
        expected = {
            p
            for p in people
            if (profile := profiles.profile_of(session, p)) is not None
            and profiles.no_shows(session, p, profile.no_shows_cleared_at) >= lock
        }
        assert profiles.locked_accounts(session, people, lock) == expected, lock
    assert profiles.locked_accounts(session, people, 2) == {twice, unlocked}
    assert profiles.locked_accounts(session, [], 1) == set()


def _serve(session: Session, team: Team, person: int, recorded_at: datetime) -> None:
    shift = make_shift(session, area_of(session, team), recorded_at - timedelta(days=1), team=team)
    attend_whole_shift(session, shift, person, actor_id=person, now=recorded_at)


def test_certified_area_paths_are_each_certificates_own(
    world: dict[str, Any], session: Session
) -> None:
    """Hours served after a certificate was issued are not what it certifies."""
    here = create_team(
        session, area=world["community"], name="本社区队", kind="featured", join_mode="open"
    )
    there = create_team(
        session, area=world["other"], name="二社区队", kind="featured", join_mode="open"
    )
    first, second = make_person(session, "甲"), make_person(session, "乙")
    _serve(session, here, first, NOW - timedelta(days=20))
    _serve(session, here, second, NOW - timedelta(days=20))
    _serve(session, there, second, NOW - timedelta(days=12))
    issued = [
        certificates.issue(
            session, person, id_number="", issuer="联合会", actor_id=person, id_key=b"", now=at
        )
        for person, at in ((first, NOW - timedelta(days=15)), (second, NOW - timedelta(days=15)))
    ]
    _serve(session, there, first, NOW - timedelta(days=5))  # after the first's certificate
    later = certificates.issue(
        session, second, id_number="", issuer="联合会", actor_id=second, id_key=b"", now=NOW
    )
    session.commit()
    certs = [*issued, later]
    paths = certificates.certified_area_paths(session, certs)
    for cert in certs:
        assert paths[cert.id] == certificates.service_area_paths(
            session, cert.account_id, cert.issued_at
        )
    assert paths[issued[0].id] == {world["community"].path}
    assert paths[later.id] == {world["community"].path, world["other"].path}
    assert certificates.certified_area_paths(session, []) == {}


def test_waitlist_positions_agree_with_each_position(
    world: dict[str, Any], session: Session
) -> None:
    people = [make_person(session, f"候补{n}") for n in range(5)]
    full = [
        make_shift(session, world["community"], NOW + timedelta(days=3 + n), capacity=1)
        for n in range(2)
    ]
    rows = [signups.sign_up(session, shift.id, p, NOW) for shift in full for p in people]
    signups.cancel(session, full[0].id, people[2], NOW, "")  # leaves the queue
    session.commit()
    positions = signups.waitlist_positions(session, rows)
    assert positions == {
        row.id: signups.waitlist_position(session, row)
        for row in rows
        if row.status == "waitlisted"
    }
    assert sorted(positions.values()) == [1, 1, 2, 2, 3, 3, 4]
    assert signups.waitlist_positions(session, []) == {}


def test_the_certificates_an_officer_manages_are_found_by_the_same_rule_in_sql(
    world: dict[str, Any], session: Session
) -> None:
    """``certificates.manageable`` (in SQL) keeps exactly the certificates all of whose
    certified areas lie within the officer's reach, for every kind of reach: one
    community, two grants side by side, the street above, the whole city, none."""
    here = create_team(
        session, area=world["community"], name="本社区队", kind="featured", join_mode="open"
    )
    there = create_team(
        session, area=world["other"], name="二社区队", kind="featured", join_mode="open"
    )
    only_here, only_there, both = (make_person(session, n) for n in ("甲", "乙", "丙"))
    _serve(session, here, only_here, NOW - timedelta(days=20))
    _serve(session, there, only_there, NOW - timedelta(days=20))
    _serve(session, here, both, NOW - timedelta(days=20))
    _serve(session, there, both, NOW - timedelta(days=12))
    certs = [
        certificates.issue(
            session, person, id_number="", issuer="联合会", actor_id=person, id_key=b"", now=NOW
        )
        for person in (only_here, only_there, both)
    ]
    _serve(session, there, only_here, NOW + timedelta(days=5))  # after its certificate
    session.commit()
    paths = certificates.certified_area_paths(session, certs)
    community, other = world["community"].path, world["other"].path
    for within in ([community], [other], [community, other], [world["street"].path], None, []):
        expected = [
            c.id
            for c in reversed(certs)
            if within is None
            or (within and all(any(p.startswith(w) for w in within) for p in paths[c.id]))
        ]
        assert [c.id for c in certificates.manageable(session, within, 10)] == expected, within
        rows, number, total = certificates.manageable_page(session, within, 1, 2)
        assert ([c.id for c in rows], number, total) == (expected[:2], 1, len(expected))
    assert [c.id for c in certificates.manageable(session, [community], 10)] == [certs[0].id]
    # A page past the last is the last.
    assert certificates.manageable_page(session, None, 99, 2)[1] == 2
