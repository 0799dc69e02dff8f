"""participation.ballots.home: the boxes open to a person, and whether they (or
their household) voted, never what; and a bounded number of statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from participation.areas import Area, create_area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.casting import cast_ballot
from participation.ballots.home import open_ballots, voted_boxes
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.rules.areas import AreaKind
from tests.support.areas import one_community
from tests.support.people import verified_voters
from tests.support.queries import statements

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return any_db_url


def _box(s: Session, area, title: str, roll: Roll = Roll.RESIDENTS, **when: datetime):  # type: ignore[no-untyped-def]
    return create_box(
        s,
        NewBox(
            title=title,
            area=area,
            roll=roll,
            opens_at=when.get("opens_at", NOW - timedelta(hours=1)),
            closes_at=when.get("closes_at", NOW + timedelta(hours=1)),
            form=BallotForm(FormKind.CHOOSE, 1, 1),
            rule={"rule": "approval"},
            items=[NewItem("甲"), NewItem("乙")],
        ),
        None,
    )


def test_open_ballots_say_who_voted_never_what(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        community = one_community(s)
        street = s.get(Area, community.parent_id)
        other = create_area(s, code="X2", name="别的社区", kind=AreaKind.COMMUNITY, parent=street)
        first, second, _ = verified_voters(s, community, 3, per_household=2)
        households = _box(s, community, "户代表表决", Roll.HOUSEHOLDS)
        residents = _box(s, community, "居民表决")
        _box(s, other, "别处的表决")
        _box(s, community, "已结束", closes_at=NOW - timedelta(minutes=1))
        _box(s, community, "未开始", opens_at=NOW + timedelta(minutes=1))
        cast_ballot(s, households, first, {"approved": ["1"]}, NOW)
        cast_ballot(s, residents, first, {"approved": ["2"]}, NOW)
    with Session(engine) as s:
        mine = {
            b.title: b.voted
            for b in open_ballots(s, community_path=community.path, account_id=first, now=NOW)
        }
        assert mine == {"户代表表决": True, "居民表决": True}
        # The other member of the household: the household has voted, they have not.
        theirs = {
            b.title: b.voted
            for b in open_ballots(s, community_path=None, account_id=second, now=NOW)
        }
        assert theirs == {"户代表表决": True, "居民表决": False}
        visitor = open_ballots(s, community_path=community.path, account_id=None, now=NOW)
        assert {b.title for b in visitor} == {"户代表表决", "居民表决"}
        assert all(b.voted is None for b in visitor)
        boxes, total = voted_boxes(s, second, 0, 10)
        assert total == 1 and [b.title for b in boxes] == ["户代表表决"]
        assert not hasattr(boxes[0], "content")


def test_open_ballots_run_the_same_statements_for_many_boxes(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        community = one_community(s)
        (voter,) = verified_voters(s, community, 1)
        _box(s, community, "表决0")

    def count() -> int:
        with Session(engine) as s, statements() as seen:
            open_ballots(s, community_path=community.path, account_id=voter, now=NOW)
        return len(seen)

    few = count()
    with Session(engine) as s, s.begin():
        for n in range(1, 30):
            _box(s, s.merge(community), f"表决{n}")
    assert count() == few
