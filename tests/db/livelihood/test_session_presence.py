"""Only deputies present vote (SQLite and PostgreSQL): the congress session's box
requires presence, late sign-in counts until voting closes, one paper ballot per
deputy present, and signing in, voting and closing at once never store a ballot
from someone absent, nor more than one, nor one left out of the bulletin."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_ballot
from participation.ballots.models import CastBallot, Participation, Presence, SealedBallot
from participation.ballots.paper import enter_batch
from participation.ballots.presence import is_present
from participation.errors import DomainError
from participation.livelihood import services as livelihood
from participation.livelihood.models import Attendance
from participation.livelihood.session import publish_if_closed
from participation.rolls import Congress, DeputyEntry
from tests.support.concurrency import together
from tests.support.projects import cycle_in_session
from tests.support.voters import stored_ballots
from tests.support.world import World
from web.ballots.cli import verify_bulletin

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
CLOSES = NOW + timedelta(hours=1)
# Deputies with accounts; a fifth deputy has none and is signed in from paper.
LOGINS = ["deputy", "representative", "volunteer", "team_leader"]


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


@pytest.fixture
def session_cycle(engine: Engine, world: World) -> dict[str, int]:
    """A cycle in session: two deputies and the paper deputy signed in (3 of 5,
    the quorum), the ballot open until CLOSES; volunteer and team_leader absent."""
    people = world["people"]
    clerk = people["staff"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        congress = Congress(area_id=world["district"].id, term=1, session_number=1, name="会议")
        s.add(congress)
        s.flush()
        entries = [
            DeputyEntry(
                congress_id=congress.id,
                name=f"代表{n}",
                id_hash=f"{n:064d}",
                account_id=people[login].id if login else None,
            )
            for n, login in enumerate([*LOGINS, None])
        ]
        s.add_all(entries)
        cycle = cycle_in_session(s, congress.id, clerk, NOW)
        for login in ("deputy", "representative"):
            assert livelihood.sign_in_deputy(s, cycle, people[login].id, NOW)
        assert livelihood.register_attendance(s, cycle, entries[-1].id, clerk, NOW)
        box = livelihood.open_ballot(s, cycle, clerk, NOW, CLOSES)
    return {"cycle_id": cycle.id, "box_id": box.id, "paper_entry": entries[-1].id}


def counts(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_only_deputies_present_vote_and_late_sign_in_counts_until_close(
    engine: Engine, world: World, session_cycle: dict[str, int]
) -> None:
    people = world["people"]
    box_id, cycle_id = session_cycle["box_id"], session_cycle["cycle_id"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        box = get_box(s, box_id)
        assert box.requires_presence
        assert box.paper_issued == 3  # one paper ballot per deputy present at the opening
        keys = set(s.scalars(select(Presence.member_key).where(Presence.box_id == box_id)))
        assert keys == {
            f"account:{people['deputy'].id}",
            f"account:{people['representative'].id}",
            f"deputy:{session_cycle['paper_entry']}",
        }
        with pytest.raises(DomainError) as refused:
            cast_ballot(s, box, people["volunteer"].id, {"approved": ["c1"]}, NOW)
        assert refused.value.code == "ballot.not_present" and refused.value.status == 403
    assert counts(engine, CastBallot) == counts(engine, SealedBallot) == 0
    assert counts(engine, Participation) == 0

    with Session(engine, expire_on_commit=False) as s, s.begin():
        box = get_box(s, box_id)
        key = box_keys(s, box_id)[0]
        cast_ballot(s, box, people["deputy"].id, {"approved": [key]}, NOW)
        cycle = livelihood.get_cycle(s, cycle_id)
        late = NOW + timedelta(minutes=30)
        assert livelihood.sign_in_deputy(s, cycle, people["volunteer"].id, late)
        assert box.paper_issued == 4  # the late deputy is handed a paper ballot too
        cast_ballot(s, box, people["volunteer"].id, {"approved": [key]}, late)
    # Once voting has closed, signing in is refused and stores nothing.
    with Session(engine, expire_on_commit=False) as s, s.begin():
        cycle = livelihood.get_cycle(s, cycle_id)
        with pytest.raises(DomainError) as closed:
            livelihood.sign_in_deputy(s, cycle, people["team_leader"].id, CLOSES)
        assert closed.value.code == "ballot.presence_closed"
    assert counts(engine, Attendance) == 4 and counts(engine, Presence) == 4
    with Session(engine, expire_on_commit=False) as s, s.begin():
        box = get_box(s, box_id)
        publish_if_closed(s, box, CLOSES)
        bulletin = json.loads(box.bulletin_json or "{}")
    assert bulletin["box"]["present"] == 4 and bulletin["box"]["paper_issued"] == 4
    assert bulletin["tally"]["ballots"] == 2
    assert verify_bulletin(bulletin) == []  # "present" travels in the bulletin header


def box_keys(s: Session, box_id: int) -> list[str]:
    from participation.ballots.casting import item_costs

    return list(item_costs(s, get_box(s, box_id)))


def test_more_paper_ballots_than_deputies_present_void_the_round(
    engine: Engine, world: World, session_cycle: dict[str, int]
) -> None:
    people = world["people"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        box = get_box(s, session_cycle["box_id"])
        key = box_keys(s, box.id)[0]
        four = [{"approved": [key]}] * 4  # three deputies present, four ballots returned
        for teller in ("staff", "admin"):
            enter_batch(s, box, "第1箱", people[teller].id, four)
        publish_if_closed(s, box, CLOSES)
        tally = json.loads(box.bulletin_json or "{}")["tally"]
    assert tally["round_void"] and tally["selected"] == []


@pytest.mark.parametrize("signs_in", [True, False])
def test_signing_in_voting_and_closing_at_once(
    engine: Engine, world: World, session_cycle: dict[str, int], signs_in: bool
) -> None:
    voter = world["people"]["volunteer"].id
    box_id, cycle_id = session_cycle["box_id"], session_cycle["cycle_id"]
    just_before = CLOSES - timedelta(seconds=1)
    with Session(engine) as s:
        key = box_keys(s, box_id)[0]

    def sign_in(s: Session) -> object:
        return livelihood.sign_in_deputy(s, livelihood.get_cycle(s, cycle_id), voter, just_before)

    def vote(s: Session) -> object:
        return cast_ballot(s, get_box(s, box_id), voter, {"approved": [key]}, just_before)

    def close(s: Session) -> object:
        publish_if_closed(s, get_box(s, box_id), CLOSES)
        return None

    works: list[Callable[[Session], object]] = [vote] * 8
    works.append(close)
    if signs_in:
        works.append(sign_in)
    together(engine, works)
    with Session(engine) as s:
        box = get_box(s, box_id)
        stored = stored_ballots(s, box_id)
        present = is_present(s, box, f"account:{voter}")
        assert box.bulletin_json is not None
        bulletin = json.loads(box.bulletin_json)
    assert stored in (0, 1)
    if stored:
        assert present  # never a ballot from someone absent
    if not signs_in:
        assert stored == 0
    # Whatever won, every stored ballot is in the published bulletin.
    assert bulletin["tally"]["ballots"] == stored
