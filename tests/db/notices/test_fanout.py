"""Notices for every journey: who is told (and who is not), once, in a bounded
number of statements; preferences and the daily digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, func, insert, select
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
from participation.notices import Notice
from participation.notifying import digest, sweeps
from participation.notifying.fanout import fan_out
from participation.notifying.models import NoticeEvent, erase_account
from participation.notifying.preferences import save_preferences
from participation.outbox import OutboxMessage
from participation.rolls import RollEntry, rebuild_counts
from participation.rules.areas import AreaKind
from tests.support.concurrency import together
from tests.support.queries import statements

T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def _tree(s: Session) -> tuple[Area, Area]:
    city = create_area(s, code="C1", name="市", kind=AreaKind.CITY, parent=None)
    district = create_area(s, code="D1", name="区", kind=AreaKind.DISTRICT, parent=city)
    street = create_area(s, code="S1", name="街道", kind=AreaKind.STREET, parent=district)
    here = create_area(s, code="M1", name="一社区", kind=AreaKind.COMMUNITY, parent=street)
    there = create_area(s, code="M2", name="二社区", kind=AreaKind.COMMUNITY, parent=street)
    return here, there


def _people(
    s: Session, community: Area, count: int, start: int, *, email: bool = True
) -> list[int]:
    """``count`` accounts verified on ``community``'s roll (Core inserts: fast), each
    with an e-mail address when ``email``."""
    accounts_table = cast(Table, Account.__table__)
    ids = list(
        s.connection()
        .execute(
            insert(accounts_table).returning(accounts_table.c.id, sort_by_parameter_order=True),
            [
                {"display_name": f"p{start + n}", "username": f"p{start + n}", "created_at": T0}
                for n in range(count)
            ],
        )
        .scalars()
    )
    s.connection().execute(
        insert(cast(Table, RollEntry.__table__)),
        [
            {
                "community_id": community.id,
                "name": f"p{start + n}",
                "id_hash": f"{start + n:064d}",
                "birth_date": date(1980, 1, 1),
                "household_code": f"H{start + n}",
                "account_id": account_id,
            }
            for n, account_id in enumerate(ids)
        ],
    )
    # The roll went in past the ORM: its per-community counts are counted afresh.
    rebuild_counts(s)
    if email:
        s.connection().execute(
            insert(cast(Table, Identity.__table__)),
            [
                {
                    "account_id": a,
                    "provider": "test",
                    "subject": f"s{a}",
                    "email": f"p{a}@example.cn",
                    "linked_at": T0,
                }
                for a in ids
            ],
        )
    return ids


def _box(
    s: Session, area: Area, *, opens: datetime, closes: datetime, title: str = "加装电梯"
) -> int:
    box = create_box(
        s,
        NewBox(
            title=title,
            area=area,
            roll=Roll.RESIDENTS,
            opens_at=opens,
            closes_at=closes,
            form=BallotForm(FormKind.YES_NO),
            rule={"rule": "threshold", "base": "cast"},
            items=[NewItem("同意加装")],
        ),
        None,
    )
    return box.id


def _told(s: Session, event: str) -> set[int]:
    return set(s.scalars(select(Notice.account_id).where(Notice.event == event)))


def _mailed(s: Session) -> list[int | None]:
    return sorted(s.scalars(select(OutboxMessage.account_id)), key=lambda a: a or 0)


@pytest.fixture
def town(engine: Engine) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        here, there = _tree(s)
        residents = _people(s, here, 3, 0)
        elsewhere = _people(s, there, 2, 100)
        unverified = accounts.sign_up(
            s, login="stranger", password="Gz-secret-4711", display_name="x"
        )
        s.add(Identity(account_id=unverified.id, provider="t", subject="x", email="x@example.cn"))
    return {
        "here": here,
        "there": there,
        "residents": residents,
        "elsewhere": elsewhere,
        "unverified": unverified.id,
    }


def test_a_ballot_opening_tells_who_may_vote_and_no_one_else(
    engine: Engine, town: dict[str, Any]
) -> None:
    with Session(engine) as s, s.begin():
        box_id = _box(s, town["here"], opens=T0 + timedelta(hours=1), closes=T0 + timedelta(days=3))
    with Session(engine) as s, s.begin():
        assert sweeps.sweep(s, T0).opened == 0  # not open yet: nobody told
    with Session(engine) as s, s.begin():
        assert sweeps.sweep(s, T0 + timedelta(hours=1)).opened == 3
    with Session(engine) as s:
        assert _told(s, f"ballot.opened:{box_id}") == set(town["residents"])
        [notice] = s.scalars(select(Notice).where(Notice.account_id == town["residents"][0])).all()
        assert (notice.kind, notice.link) == ("ballot.opened", f"/ballots/{box_id}")
        assert notice.values == {"title": "加装电梯"}
        assert _mailed(s) == sorted(town["residents"])  # an e-mail copy each
    with Session(engine) as s, s.begin():  # the next run: told already, nothing new
        assert sweeps.sweep(s, T0 + timedelta(hours=2)).opened == 0
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 3
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_closing_within_a_day_tells_those_who_have_not_voted_once(
    engine: Engine, town: dict[str, Any]
) -> None:
    closes = T0 + timedelta(days=2)
    with Session(engine) as s, s.begin():
        box_id = _box(s, town["here"], opens=T0 - timedelta(days=1), closes=closes)
    voter = town["residents"][0]
    with Session(engine) as s, s.begin():
        box = s.get(BallotBox, box_id)
        assert box is not None
        cast_ballot(s, box, voter, {"choices": {"1": "yes"}}, T0)
    with Session(engine) as s, s.begin():
        assert sweeps.sweep(s, closes - timedelta(hours=25)).closing == 0  # not yet
    for run in range(2):
        with Session(engine) as s, s.begin():
            swept = sweeps.sweep(s, closes - timedelta(hours=23, minutes=run))
            assert swept.closing == (2 if run == 0 else 0)
    with Session(engine) as s:
        assert _told(s, f"ballot.closing:{box_id}") == set(town["residents"][1:])


def test_a_fan_out_raced_by_two_workers_tells_each_person_once(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    try:
        with Session(engine) as s, s.begin():
            here, _ = _tree(s)
            people = _people(s, here, 20, 0)
            box_id = _box(s, here, opens=T0 - timedelta(hours=1), closes=T0 + timedelta(days=3))
        outcomes = together(engine, [lambda s: sweeps.sweep(s, T0).opened] * 2)
        assert sorted(cast(list[int], outcomes)) == [0, 20]  # one told all, the other none
        with Session(engine) as s:
            assert _told(s, f"ballot.opened:{box_id}") == set(people)
            assert s.scalar(select(func.count()).select_from(Notice)) == 20
            assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 20
            assert s.scalar(select(func.count()).select_from(NoticeEvent)) == 1
    finally:
        engine.dispose()


def test_the_unique_key_holds_when_two_fan_outs_of_one_event_race(any_db_url: str) -> None:
    """Without the job's record of events told: the notices' own key decides."""
    engine = make_engine(any_db_url)
    try:
        with Session(engine) as s, s.begin():
            here, _ = _tree(s)
            people = _people(s, here, 10, 0)
            path = here.path

        def tell(s: Session) -> int:
            from participation.notifying.audiences import verified_residents

            return fan_out(
                s,
                event="consultation.announced:1",
                kind="consultation.announced",
                message="m",
                recipients=verified_residents(path),
                now=T0,
            )

        assert sorted(cast(list[int], together(engine, [tell, tell]))) == [0, 10]
        with Session(engine) as s:
            assert _told(s, "consultation.announced:1") == set(people)
            assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 10
    finally:
        engine.dispose()


def _fan_out_statements(engine: Engine, count: int, start: int) -> int:
    with Session(engine) as s, s.begin():
        community = s.scalars(select(Area).where(Area.code == "M1")).one()
        _people(s, community, count, start)
        path = community.path
    from participation.notifying.audiences import verified_residents

    with Session(engine) as s, s.begin(), statements() as seen:
        told = fan_out(
            s,
            event=f"test:{start}",
            kind="consultation.announced",
            message="m",
            recipients=verified_residents(path),
            now=T0,
        )
    assert told == start + count  # everyone verified so far
    return len(seen)


def test_statements_of_a_fan_out_do_not_grow_with_the_people(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    try:
        with Session(engine) as s, s.begin():
            _tree(s)
        small = _fan_out_statements(engine, 40, 0)
        large = _fan_out_statements(engine, 80, 40)  # 3N people now
    finally:
        engine.dispose()
    assert small == large <= 4  # (BEGIN,) the notices' INSERT, the copies' INSERT


def test_preferences_inbox_only_and_digest(engine: Engine, town: dict[str, Any]) -> None:
    quiet, digested, plain = town["residents"]
    with Session(engine) as s, s.begin():
        save_preferences(s, quiet, {"ballot.opened": False}, digest=False)
        save_preferences(s, digested, {}, digest=True)
        _box(s, town["here"], opens=T0, closes=T0 + timedelta(days=5))
        sweeps.sweep(s, T0)
    with Session(engine) as s:
        assert _told(s, "ballot.opened:1") == {quiet, digested, plain}  # all in the inbox
        assert _mailed(s) == [plain]  # one e-mail at once: the others chose otherwise

    def both(message: str) -> tuple[str, str]:
        return f"zh:{message}", f"en:{message}"

    day_after = T0 + timedelta(days=1)
    for _run in range(2):  # the digest is once per person per day
        with Session(engine) as s, s.begin():
            digest.queue_digests(s, day_after, both, "https://gz.example.cn")
    with Session(engine) as s:
        digests = s.scalars(
            select(OutboxMessage).where(OutboxMessage.key.startswith("digest:"))
        ).all()
        assert [(m.account_id, m.key) for m in digests] == [
            (digested, f"digest:{digested}:2026-05-04")
        ]
        assert "en:A ballot I may vote in opens" in digests[0].body
        assert "https://gz.example.cn/ballots/1" in digests[0].body
        assert "加装电梯" not in digests[0].body  # kinds and links, no content


def test_a_digest_skips_kinds_kept_in_the_inbox_and_other_days(
    engine: Engine, town: dict[str, Any]
) -> None:
    person = town["residents"][0]
    with Session(engine) as s, s.begin():
        save_preferences(s, person, {"plan.updated": False}, digest=True)
        for kind, at in (
            ("plan.updated", T0),
            ("ballot.opened", T0 - timedelta(days=1)),
            ("ballot.closing", T0),
        ):
            fan_out(
                s,
                event=f"{kind}:x",
                kind=kind,
                message="m",
                recipients=select(Account.id).where(Account.id == person),
                now=at,
            )
        digest.queue_day(s, date(2026, 5, 4), T0, lambda m: (m, m))
    with Session(engine) as s:
        [mail] = s.scalars(select(OutboxMessage)).all()
        assert "within a day" in mail.body and "gets an update" not in mail.body
        assert "opens" not in mail.body  # the day before is its own digest


def test_closing_an_account_erases_its_follows_and_preferences(
    engine: Engine, town: dict[str, Any]
) -> None:
    from participation.notifying import follows
    from participation.notifying.models import Follow, NoticePreference, NoticeSetting

    person = town["residents"][0]
    with Session(engine) as s, s.begin():
        save_preferences(s, person, {"plan.late": False}, digest=True)
        s.add(Follow(account_id=person, target_kind="team", target_id=1, created_at=T0))
    with Session(engine) as s, s.begin():
        erase_account(s, person)
    with Session(engine) as s:
        for model in (Follow, NoticePreference, NoticeSetting):
            assert s.scalar(select(func.count()).select_from(model)) == 0
        assert follows.following(s, person) == []


def test_a_household_ballot_reminds_no_member_of_a_household_that_voted(
    engine: Engine,
) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        here, _ = _tree(s)
        first, second, alone = _people(s, here, 3, 0)
        for entry in s.scalars(select(RollEntry).where(RollEntry.account_id.in_([first, second]))):
            entry.household_code = "H-together"
        closes = T0 + timedelta(hours=10)
        box = create_box(
            s,
            NewBox(
                title="户代表表决",
                area=here,
                roll=Roll.HOUSEHOLDS,
                opens_at=T0 - timedelta(days=1),
                closes_at=closes,
                form=BallotForm(FormKind.YES_NO),
                rule={"rule": "threshold", "base": "cast"},
                items=[NewItem("同意")],
            ),
            None,
        )
    with Session(engine) as s, s.begin():
        voted_box = s.get(BallotBox, box.id)
        assert voted_box is not None
        cast_ballot(s, voted_box, first, {"choices": {"1": "yes"}}, T0)
    with Session(engine) as s, s.begin():
        sweeps.sweep(s, T0)
    with Session(engine) as s:
        assert _told(s, f"ballot.opened:{box.id}") == {first, second, alone}
        assert _told(s, f"ballot.closing:{box.id}") == {alone}  # the household voted


def test_a_single_notice_keeps_to_the_inbox_when_its_kind_is_inbox_only(
    engine: Engine, town: dict[str, Any]
) -> None:
    from participation import notices

    quiet, loud, _ = town["residents"]
    with Session(engine) as s, s.begin():
        save_preferences(s, quiet, {"budget.proposal": False}, digest=False)
        for person in (quiet, loud):
            notices.notify(s, person, "budget.proposal", "m", now=T0)
        notices.notify_many(
            s,
            [notices.NewNotice(p, "budget.proposal", "m2") for p in (quiet, loud)],
            T0,
        )
    with Session(engine) as s:
        assert _mailed(s) == [loud, loud]


def test_a_representatives_ballot_tells_the_representatives_of_its_area(
    engine: Engine,
) -> None:
    from participation.rules.permissions import Role

    with Session(engine, expire_on_commit=False) as s, s.begin():
        here, there = _tree(s)
        rep, resident = _people(s, here, 2, 0)
        far_rep = _people(s, there, 1, 10)[0]
        for account_id, area in ((rep, here), (far_rep, there)):
            account = s.get(Account, account_id)
            assert account is not None
            accounts.grant_role(s, account, Role.REPRESENTATIVE, area)
        box = create_box(
            s,
            NewBox(
                title="议事代表表决",
                area=here,
                roll=Roll.REPRESENTATIVES,
                opens_at=T0 - timedelta(hours=1),
                closes_at=T0 + timedelta(days=3),
                form=BallotForm(FormKind.YES_NO),
                rule={"rule": "threshold", "base": "cast"},
                items=[NewItem("同意")],
            ),
            None,
        )
    with Session(engine) as s, s.begin():
        sweeps.sweep(s, T0)
    with Session(engine) as s:
        assert _told(s, f"ballot.opened:{box.id}") == {rep}
        assert resident not in _told(s, f"ballot.opened:{box.id}")


def test_a_deputies_ballot_tells_the_deputies_of_its_congress_session(engine: Engine) -> None:
    from participation.rolls import Congress, DeputyEntry

    with Session(engine, expire_on_commit=False) as s, s.begin():
        here, _ = _tree(s)
        deputy, resident = _people(s, here, 2, 0)
        district = s.scalars(select(Area).where(Area.code == "D1")).one()
        congress = Congress(area_id=district.id, term=1, session_number=1, name="区人大一次会议")
        s.add(congress)
        s.flush()
        s.add(
            DeputyEntry(congress_id=congress.id, name="代表", id_hash="d" * 64, account_id=deputy)
        )
        box = create_box(
            s,
            NewBox(
                title="民生实事票决",
                area=district,
                roll=Roll.DEPUTIES,
                congress_id=congress.id,
                opens_at=T0 - timedelta(hours=1),
                closes_at=T0 + timedelta(hours=3),
                form=BallotForm(FormKind.YES_NO),
                rule={"rule": "threshold", "base": "cast"},
                items=[NewItem("同意")],
            ),
            None,
        )
    with Session(engine) as s, s.begin():
        sweeps.sweep(s, T0)
    with Session(engine) as s:
        assert _told(s, f"ballot.opened:{box.id}") == {deputy}
        assert _told(s, f"ballot.closing:{box.id}") == {deputy}
        assert resident not in _told(s, f"ballot.opened:{box.id}")
