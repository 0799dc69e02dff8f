"""Casting: eligibility, one person one vote under races, secrecy in the stored data."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.casting import cast_ballot
from participation.ballots.models import BallotBox, CastBallot, Participation, SealedBallot
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from participation.errors import DomainError
from tests.support.areas import one_community
from tests.support.people import verified_voters
from tests.support.voters import open_sealed, stored_ballots

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def setup_box(
    engine: Engine, voters: int = 3, roll: Roll = Roll.RESIDENTS, secrecy: str = "secret"
) -> tuple[BallotBox, list[int]]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        community = one_community(s)
        people = verified_voters(s, community, voters, per_household=2)
        box = create_box(
            s,
            NewBox(
                title="测试投票",
                area=community,
                roll=roll,
                opens_at=NOW - timedelta(hours=1),
                closes_at=NOW + timedelta(hours=1),
                form=BallotForm(FormKind.CHOOSE, 1, 2),
                rule={"rule": "approval"},
                items=[NewItem("甲"), NewItem("乙"), NewItem("丙")],
                secrecy=secrecy,
            ),
            None,
        )
    return box, people


def test_cast_and_refusals(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    box, people = setup_box(engine)
    with Session(engine) as s, s.begin():
        receipt = cast_ballot(s, s.merge(box), people[0], {"approved": ["2", "1"]}, NOW)
    assert len(receipt.code) == 19
    refused: list[tuple[Mapping[str, Any], str]] = [
        ({"approved": ["1", "2", "3"]}, "ballot.too_many"),
        ({"approved": []}, "ballot.too_few"),
        ({"approved": ["9"]}, "ballot.unknown_item"),
    ]
    for raw, code in refused:
        with pytest.raises(DomainError) as caught, Session(engine) as s, s.begin():
            cast_ballot(s, s.merge(box), people[1], raw, NOW)
        assert caught.value.code == code
    with pytest.raises(DomainError) as caught, Session(engine) as s, s.begin():
        cast_ballot(s, s.merge(box), people[0], {"approved": ["3"]}, NOW)
    assert caught.value.code == "ballot.already_voted"
    with pytest.raises(DomainError) as caught, Session(engine) as s, s.begin():
        cast_ballot(s, s.merge(box), people[1], {"approved": ["3"]}, NOW + timedelta(hours=2))
    assert caught.value.code == "ballot.closed"
    with Session(engine) as s, s.begin():
        assert s.scalar(select(func.count()).select_from(SealedBallot)) == 1
        assert open_sealed(s) == 1
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(CastBallot)) == 1
        stored = s.scalar(select(CastBallot))
        assert stored is not None and json.loads(stored.content) == {"approved": ["1", "2"]}
        assert stored.voter_key is None
    engine.dispose()


def test_one_vote_per_household(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    box, people = setup_box(engine, roll=Roll.HOUSEHOLDS)
    with Session(engine) as s, s.begin():
        cast_ballot(s, s.merge(box), people[0], {"approved": ["1"]}, NOW)
    with pytest.raises(DomainError) as caught, Session(engine) as s, s.begin():
        cast_ballot(s, s.merge(box), people[1], {"approved": ["2"]}, NOW)  # same household
    assert caught.value.code == "ballot.already_voted"
    with Session(engine) as s, s.begin():
        cast_ballot(s, s.merge(box), people[2], {"approved": ["2"]}, NOW)  # next household
    engine.dispose()


def test_concurrent_casts_by_one_voter_count_once(any_db_url: str) -> None:
    engine = (
        make_engine(any_db_url, pool_size=110, max_overflow=0)
        if "postgresql" in any_db_url
        else make_engine(any_db_url)
    )
    box, people = setup_box(engine, voters=1)
    outcomes: list[str] = []
    barrier = threading.Barrier(100)

    def attempt() -> None:
        barrier.wait()
        try:
            with Session(engine) as s, s.begin():
                cast_ballot(s, s.merge(box), people[0], {"approved": ["1"]}, NOW)
            outcomes.append("counted")
        except DomainError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=attempt) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("counted") == 1
    assert outcomes.count("ballot.already_voted") == 99
    with Session(engine) as s:
        assert stored_ballots(s) == 1
        assert s.scalar(select(func.count()).select_from(Participation)) == 1
    engine.dispose()


def test_a_database_dump_cannot_tie_ballots_to_voters(any_db_url: str) -> None:
    """Voters cast in a known order; the stored rows must not reveal that order."""
    engine = make_engine(any_db_url)
    box, people = setup_box(engine, voters=12)
    order = list(range(12))
    for n in order:  # voter n approves item (n % 3) + 1: content tracks the voter
        with Session(engine) as s, s.begin():
            cast_ballot(s, s.merge(box), people[n], {"approved": [str(n % 3 + 1)]}, NOW)
    with Session(engine) as s, s.begin():
        from participation.ballots.closing import scramble_storage

        open_sealed(s)
        scramble_storage(s, s.merge(box))
    with engine.connect() as conn:
        ballot_columns = set(conn.execute(text("SELECT * FROM cast_ballots")).keys())
        assert ballot_columns == {"id", "box_id", "content", "voter_key"}
        # Physical/dump order of ballots and of participations:
        ballots = [row.content for row in conn.execute(text("SELECT content FROM cast_ballots"))]
        voters = [
            row.voter_key for row in conn.execute(text("SELECT voter_key FROM participations"))
        ]
        keys = [row.voter_key for row in conn.execute(text("SELECT voter_key FROM cast_ballots"))]
    assert keys == [None] * 12
    cast_contents = [json.dumps({"approved": [str(n % 3 + 1)]}, sort_keys=True) for n in order]
    # Participations come out in voter-key order, not in cast order...
    assert voters == sorted(voters)
    # ...and ballots in random-id order: the dump's order is not the cast order
    # (the chance that 12 shuffled ballots keep it is below 1 in 10^4).
    assert sorted(ballots) == sorted(cast_contents)
    assert ballots != cast_contents
    engine.dispose()


def test_a_changed_secret_key_refuses_publication_and_loses_nothing(sqlite_url: str) -> None:
    """Sealed ballots open only with the key they were sealed under: publishing
    with another refuses (nothing changes), and with the key back it counts them."""
    from participation import sealing
    from participation.ballots.closing import publish

    engine = make_engine(sqlite_url)
    box, people = setup_box(engine)
    sealing.use_secret("first-secret-first-secret-first-secret")
    with Session(engine) as s, s.begin():
        cast_ballot(s, s.merge(box), people[0], {"approved": ["1"]}, NOW)
    sealing.use_secret("other-secret-other-secret-other-secret")
    with pytest.raises(DomainError) as refused, Session(engine) as s, s.begin():
        publish(s, s.merge(box), NOW + timedelta(hours=2))
    assert refused.value.code == "sealing.other_key"
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(SealedBallot)) == 1
    sealing.use_secret("first-secret-first-secret-first-secret")
    with Session(engine) as s, s.begin():
        bulletin = publish(s, s.merge(box), NOW + timedelta(hours=2))
    assert bulletin["tally"]["ballots"] == 1
    engine.dispose()
