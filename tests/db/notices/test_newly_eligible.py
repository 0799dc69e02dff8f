"""Someone who becomes eligible while a ballot is open (verified on the roll of a
community in its area after it opened) gets the same "a ballot you may vote in is
open" notice as those told at the opening: once, with its e-mail copy; nobody
verified after the ballot closed, nor outside its area, is told; and verifying one
person looks up only the boxes of that person's area chain, by index."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation import accounts
from participation.accounts import Account, Identity
from participation.areas import Area, create_area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.casting import cast_ballot
from participation.ballots.models import BallotBox
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from participation.deputies import create_congress
from participation.notices import Notice
from participation.notifying import kinds, sweeps
from participation.outbox import OutboxMessage
from participation.rolls import DeputyEntry, RollEntry
from participation.rules.areas import AreaKind
from participation.verification import link_deputy_by_hand, verify
from tests.support.queries import statements

T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)


@dataclass
class Town:
    engine: Engine
    street: Area
    here: Area
    there: Area
    residents: list[int]
    count: int = 0

    def newcomer(self, community: Area, *, household: str | None = None) -> tuple[int, int]:
        """An account with an e-mail address and its unverified roll entry in ``community``."""
        self.count += 1
        n = self.count
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            account = accounts.sign_up(
                s, login=f"new{n}", password="Gz-secret-4711", display_name="x"
            )
            s.add(
                Identity(account_id=account.id, provider="t", subject=f"n{n}", email=f"n{n}@x.cn")
            )
            entry = RollEntry(
                community_id=community.id,
                name=f"新居民{n}",
                id_hash=f"n{n:063d}",
                birth_date=date(1990, 1, 1),
                household_code=household or f"HN{n}",
            )
            s.add(entry)
            s.flush()
            return account.id, entry.id

    def verify(self, who: tuple[int, int], at: datetime) -> None:
        account_id, entry_id = who
        with Session(self.engine) as s, s.begin():
            account, entry = s.get(Account, account_id), s.get(RollEntry, entry_id)
            assert account is not None and entry is not None
            verify(s, account, entry, at)

    def box(self, area: Area, opens: datetime, closes: datetime, **more: Any) -> int:
        with Session(self.engine) as s, s.begin():
            box = create_box(
                s,
                NewBox(
                    title=more.pop("title", "加装电梯"),
                    area=area,
                    roll=more.pop("roll", Roll.RESIDENTS),
                    opens_at=opens,
                    closes_at=closes,
                    form=BallotForm(FormKind.YES_NO),
                    rule={"rule": "threshold", "base": "cast"},
                    items=[NewItem("同意")],
                    **more,
                ),
                None,
            )
            return box.id

    def sweep(self, at: datetime) -> int:
        with Session(self.engine) as s, s.begin():
            return sweeps.sweep(s, at).opened

    def told(self, box_id: int) -> list[int]:
        """Who holds the opening notice of ``box_id`` (an account twice: told twice)."""
        with Session(self.engine) as s:
            return sorted(
                s.scalars(
                    select(Notice.account_id).where(Notice.event == f"ballot.opened:{box_id}")
                )
            )

    def notices_of(self, account_id: int) -> list[Notice]:
        with Session(self.engine) as s:
            return list(s.scalars(select(Notice).where(Notice.account_id == account_id)))

    def mailed(self, account_id: int) -> int:
        with Session(self.engine) as s:
            return (
                s.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.account_id == account_id)
                )
                or 0
            )


@pytest.fixture
def town(any_db_url: str) -> Iterator[Town]:
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        city = create_area(s, code="C1", name="市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D1", name="区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S1", name="街道", kind=AreaKind.STREET, parent=district)
        here = create_area(s, code="M1", name="一社区", kind=AreaKind.COMMUNITY, parent=street)
        other = create_area(s, code="S2", name="二街道", kind=AreaKind.STREET, parent=district)
        there = create_area(s, code="M2", name="二社区", kind=AreaKind.COMMUNITY, parent=other)
    place = Town(engine, street, here, there, [])
    for n in range(3):
        resident = place.newcomer(here)
        place.verify(resident, T0 - timedelta(days=30 - n))
        place.residents.append(resident[0])
    yield place
    engine.dispose()


def test_a_resident_verified_while_a_ballot_is_open_is_told_of_it_once(town: Town) -> None:
    box_id = town.box(town.street, T0 - timedelta(hours=1), T0 + timedelta(days=3))
    assert town.sweep(T0) == 3
    newcomer = town.newcomer(town.here)
    town.verify(newcomer, T0 + timedelta(hours=2))
    account_id = newcomer[0]
    assert town.told(box_id) == sorted([*town.residents, account_id])
    [notice] = town.notices_of(account_id)
    [theirs] = town.notices_of(town.residents[0])
    # The same notice as those told at the opening (told at the verification).
    assert (notice.kind, notice.message, notice.link, notice.values) == (
        theirs.kind,
        theirs.message,
        theirs.link,
        theirs.values,
    )
    assert (notice.kind, notice.message) == ("ballot.opened", kinds.BALLOT_OPENED)
    assert notice.created_at.replace(tzinfo=UTC) == T0 + timedelta(hours=2)
    assert town.mailed(account_id) == 1  # with its e-mail copy
    # The job's later runs tell nobody twice, nor the people told before again.
    assert town.sweep(T0 + timedelta(hours=3)) == 0
    assert town.told(box_id) == sorted([*town.residents, account_id])
    assert [town.mailed(a) for a in town.residents] == [1, 1, 1]
    assert town.mailed(account_id) == 1


def test_verified_before_the_job_told_the_opening_is_told_once(town: Town) -> None:
    box_id = town.box(town.here, T0 - timedelta(hours=1), T0 + timedelta(days=3))
    newcomer = town.newcomer(town.here)
    town.verify(newcomer, T0)  # open, and the job has not run yet
    assert town.told(box_id) == [newcomer[0]]
    assert town.sweep(T0 + timedelta(minutes=5)) == 3  # the others; not the newcomer again
    assert town.told(box_id) == sorted([*town.residents, newcomer[0]])
    assert town.mailed(newcomer[0]) == 1


def test_no_notice_before_the_opening_after_the_close_or_outside_the_area(town: Town) -> None:
    opens, closes = T0 + timedelta(hours=1), T0 + timedelta(days=1)
    box_id = town.box(town.here, opens, closes)
    early = town.newcomer(town.here)
    town.verify(early, T0)  # before it opens: the job tells them at the opening
    assert town.told(box_id) == []
    elsewhere = town.newcomer(town.there)
    town.verify(elsewhere, opens + timedelta(hours=1))  # another community, while open
    assert town.told(box_id) == []
    assert town.sweep(opens) == 4
    late = town.newcomer(town.here)
    town.verify(late, closes)  # closed
    assert town.told(box_id) == sorted([*town.residents, early[0]])
    for who in (elsewhere, late):
        assert town.notices_of(who[0]) == []
        assert town.mailed(who[0]) == 0


def test_boxes_the_job_does_not_announce_are_not_announced_at_verification(town: Town) -> None:
    during = T0 - timedelta(hours=1), T0 + timedelta(days=1)
    presence = town.box(town.here, *during, title="会议表决", requires_presence=True)
    published = town.box(town.here, *during, title="已公布")
    with Session(town.engine) as s, s.begin():
        box = s.get(BallotBox, published)
        assert box is not None
        box.published_at = T0 - timedelta(minutes=1)
    newcomer = town.newcomer(town.here)
    town.verify(newcomer, T0)
    assert town.told(presence) == town.told(published) == []


def test_a_newcomer_whose_household_voted_is_not_told_they_may_vote(town: Town) -> None:
    box_id = town.box(
        town.here, T0 - timedelta(hours=1), T0 + timedelta(days=2), roll=Roll.HOUSEHOLDS
    )
    with Session(town.engine) as s, s.begin():
        household = s.scalars(
            select(RollEntry.household_code).where(RollEntry.account_id == town.residents[0])
        ).one()
        box = s.get(BallotBox, box_id)
        assert box is not None
        cast_ballot(s, box, town.residents[0], {"choices": {"1": "yes"}}, T0)
    same_home = town.newcomer(town.here, household=household)
    own_home = town.newcomer(town.here)
    town.verify(same_home, T0 + timedelta(minutes=1))
    town.verify(own_home, T0 + timedelta(minutes=2))
    assert town.told(box_id) == [own_home[0]]


def _verify_statements(town: Town, at: datetime) -> list[str]:
    newcomer = town.newcomer(town.here)
    with Session(town.engine) as s, s.begin():
        account, entry = s.get(Account, newcomer[0]), s.get(RollEntry, newcomer[1])
        assert account is not None and entry is not None
        with statements() as seen:
            verify(s, account, entry, at)
    return seen


def test_verifying_one_person_does_not_grow_with_the_ballots_of_the_city(town: Town) -> None:
    during = T0 - timedelta(hours=1), T0 + timedelta(days=3)
    town.box(town.street, *during)
    town.box(town.there, *during)
    few = len(_verify_statements(town, T0))
    for n in range(20):  # open and closed boxes of other areas
        town.box(town.there, *during, title=f"别处{n}")
        town.box(town.here, T0 - timedelta(days=9), T0 - timedelta(days=8), title=f"旧{n}")
    many = _verify_statements(town, T0)
    assert len(many) == few
    # The open boxes are looked up by the area index of the person's area chain.
    [lookup] = [sql for sql in many if "FROM ballot_boxes" in sql]
    assert "ballot_boxes.area_id IN" in lookup


def test_the_open_boxes_of_an_area_chain_and_the_person_are_searched_by_index(
    sqlite_url: str,
) -> None:
    """SQLite's plans of what a verification runs to tell: the look-up of the open
    boxes, and the notice's INSERT (the box's audience narrowed to the person: their
    roll entry found by its key, not the area's entries scanned)."""
    engine = make_engine(sqlite_url)
    try:
        town = Town(engine, *_sqlite_areas(engine), [])
        box_id = town.box(town.street, T0 - timedelta(hours=1), T0 + timedelta(days=1))
        newcomer = town.newcomer(town.here)
        captured: list[tuple[str, Any]] = []

        def note(_c: Any, _cur: Any, sql: str, params: Any, *_rest: Any) -> None:
            if "FROM ballot_boxes" in sql or sql.startswith("INSERT INTO notices"):
                captured.append((sql, params))

        event.listen(Engine, "before_cursor_execute", note)
        try:
            town.verify(newcomer, T0)
        finally:
            event.remove(Engine, "before_cursor_execute", note)
        assert town.told(box_id) == [newcomer[0]]
        [lookup, insert] = captured
        with engine.connect() as conn:
            plans = [
                " | ".join(
                    str(row[-1])
                    for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
                )
                for sql, params in (lookup, insert)
            ]
        assert "ix_ballot_boxes_area_id" in plans[0], plans[0]
        assert "SEARCH roll_entries USING INDEX" in plans[1] and "(account_id=?)" in plans[1], (
            plans[1]
        )
        for plan in plans:
            assert "SCAN" not in plan, plan
    finally:
        engine.dispose()


def _sqlite_areas(engine: Engine) -> tuple[Area, Area, Area]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        city = create_area(s, code="C1", name="市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D1", name="区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S1", name="街道", kind=AreaKind.STREET, parent=district)
        here = create_area(s, code="M1", name="一社区", kind=AreaKind.COMMUNITY, parent=street)
        there = create_area(s, code="M2", name="二社区", kind=AreaKind.COMMUNITY, parent=street)
    return street, here, there


def _deputies(town: Town, count: int) -> tuple[int, list[int]]:
    """A congress at the street with ``count`` deputies on its roll, none linked."""
    with Session(town.engine) as s, s.begin():
        street = s.get(Area, town.street.id)
        assert street is not None
        congress = create_congress(s, street, 1, 1, "街道人大", actor_id=None)
        entries = [
            DeputyEntry(congress_id=congress.id, name=f"代表{n}", id_hash=f"d{n:063d}")
            for n in range(count)
        ]
        s.add_all(entries)
        s.flush()
        return congress.id, [e.id for e in entries]


def _link(town: Town, entry_id: int, account_id: int, at: datetime) -> None:
    with Session(town.engine) as s, s.begin():
        deputy, account = s.get(DeputyEntry, entry_id), s.get(Account, account_id)
        assert deputy is not None and account is not None
        link_deputy_by_hand(s, deputy, account, at, actor_id=None)


def test_a_deputy_linked_by_hand_while_the_congress_votes_is_told_once(town: Town) -> None:
    """Fails on the old code: linking a deputy by hand told them nothing, and the job
    had told the congress's ballot's opening before they were on the roll."""
    congress_id, entries = _deputies(town, 2)
    first, second = town.residents[:2]
    _link(town, entries[0], first, T0 - timedelta(days=1))
    box_id = town.box(
        town.street,
        T0 - timedelta(hours=1),
        T0 + timedelta(days=1),
        roll=Roll.DEPUTIES,
        congress_id=congress_id,
        title="民生实事票决",
    )
    assert town.sweep(T0) == 1  # the one deputy on the roll at the opening
    _link(town, entries[1], second, T0 + timedelta(hours=1))
    assert town.told(box_id) == sorted([first, second])
    [notice] = town.notices_of(second)
    assert (notice.kind, notice.link) == ("ballot.opened", f"/ballots/{box_id}")
    assert town.sweep(T0 + timedelta(hours=2)) == 0  # nobody twice
    assert town.told(box_id) == sorted([first, second])


def test_a_deputy_linked_after_the_vote_closed_or_to_another_congress_is_not_told(
    town: Town,
) -> None:
    congress_id, _ = _deputies(town, 1)
    other_congress, other_entries = _deputies_elsewhere(town)
    box_id = town.box(
        town.street,
        T0 - timedelta(hours=1),
        T0 + timedelta(hours=1),
        roll=Roll.DEPUTIES,
        congress_id=congress_id,
    )
    _link(town, other_entries[0], town.residents[0], T0)  # another congress's roll
    assert town.told(box_id) == []
    with Session(town.engine) as s:
        [entry] = s.scalars(select(DeputyEntry).where(DeputyEntry.congress_id == congress_id))
        entry_id = entry.id
    _link(town, entry_id, town.residents[1], T0 + timedelta(hours=2))  # closed
    assert town.told(box_id) == []
    assert other_congress != congress_id


def _deputies_elsewhere(town: Town) -> tuple[int, list[int]]:
    """A congress at the district with one deputy on its roll, not linked."""
    with Session(town.engine) as s, s.begin():
        street = s.get(Area, town.street.id)
        assert street is not None and street.parent_id is not None
        district = s.get(Area, street.parent_id)
        assert district is not None
        congress = create_congress(s, district, 1, 1, "区人大", actor_id=None)
        entry = DeputyEntry(congress_id=congress.id, name="区代表", id_hash="e" + "0" * 63)
        s.add(entry)
        s.flush()
        return congress.id, [entry.id]
