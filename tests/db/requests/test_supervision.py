"""Supervision notices (督办单) and extensions (延期) on a controlled clock across the
2025 National Day holiday (1–8 October) and its make-up working Saturday (11 October):
the sweep reminds, then issues a notice to the unit, then climbs community → street →
district as working days of lateness grow, each level told once however often it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from participation import accounts
from participation.accounts import Identity
from participation.errors import DomainError
from participation.notices import Notice
from participation.outbox import OutboxMessage
from participation.requests import handling, supervision
from participation.requests.models import RequestStep, ResidentRequest
from participation.rules.permissions import Role
from tests.conftest import PASSWORD
from tests.support.requests import file, route_to_community
from tests.support.world import World

FILED = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)  # Tuesday: accept by Thursday 9 October


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """On SQLite and on PostgreSQL (migration 0025 and the unique key on both)."""
    return any_db_url


def at(day: int) -> datetime:
    return datetime(2025, 10, day, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def _notices(session: Session) -> list[tuple[int, str, str]]:
    rows = session.execute(
        select(
            supervision.SupervisionNotice.level,
            supervision.SupervisionNotice.kind,
            supervision.SupervisionNotice.stage,
        ).order_by(supervision.SupervisionNotice.id)
    )
    return [(lv, k, st) for lv, k, st in rows]


def _inbox(session: Session, account_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Notice.account_id == account_id, Notice.kind == "request.supervision"
            )
        )
        or 0
    )


def test_the_notice_climbs_the_tree_across_the_holiday_once_per_level(
    session: Session, world: World
) -> None:
    route_to_community(session, world)
    street_staff = accounts.sign_up(
        session, login="streetstaff", password=PASSWORD, display_name="街道承办人"
    )
    accounts.grant_role(session, street_staff, Role.UNIT_STAFF, world["street"])
    session.add(
        Identity(account_id=street_staff.id, provider="t", subject="s", email="s@example.org")
    )
    request, _ = file(session, world, now=FILED)
    assert request.accept_due == date(2025, 10, 9)
    unit_staff = world["people"]["unit_staff"].id
    district_staff = world["people"]["staff"].id

    def sweep_twice(day: int) -> supervision.SweepReport:
        first = supervision.sweep(session, at(day))
        again = supervision.sweep(session, at(day))
        assert again == supervision.SweepReport(0, 0, 0, 0), "the second run issued something"
        return first

    supervision.sweep(session, datetime(2025, 9, 29, 2, 0, tzinfo=UTC))  # before it was filed
    assert _notices(session) == []
    sweep_twice(7)  # in the holiday: the next working day is the due day, a reminder
    assert _notices(session) == [(0, "soon", "accept")]
    sweep_twice(8)
    assert not request.supervised
    sweep_twice(9)  # due today: nothing new
    assert len(_notices(session)) == 1
    report = sweep_twice(10)  # one working day late: the notice goes to the community
    assert report.notices == 1 and report.escalations == 0
    assert _notices(session)[-1] == (0, "overdue", "accept")
    assert request.supervised
    assert _inbox(session, unit_staff) == 2  # the reminder and the notice
    sweep_twice(11)  # the make-up Saturday is worked: two days late, still the unit
    sweep_twice(12)  # Sunday: not a working day, still two
    assert [n[0] for n in _notices(session) if n[1] == "overdue"] == [0]
    report = sweep_twice(13)  # three working days late: the street is told
    assert (report.notices, report.escalations) == (1, 1)
    assert _inbox(session, street_staff.id) == 1
    assert (
        session.scalar(select(func.count()).where(OutboxMessage.to_address == "s@example.org")) == 1
    )
    assert _inbox(session, district_staff) == 0
    sweep_twice(14)
    sweep_twice(15)  # five working days late: the district
    assert [n[0] for n in _notices(session) if n[1] == "overdue"] == [0, 1, 2]
    assert _inbox(session, district_staff) == 1
    sweep_twice(31)  # far later: nothing climbs past the district
    assert len(_notices(session)) == 4
    kinds = session.scalars(
        select(RequestStep.kind)
        .where(RequestStep.request_id == request.id)
        .order_by(RequestStep.id)
    ).all()
    assert kinds[-4:] == ["due_reminder", "supervision", "supervision_up", "supervision_up"]
    requester = world["people"]["resident"].id
    assert (
        session.scalar(
            select(func.count()).where(
                Notice.account_id == requester, Notice.message.like("%overdue%")
            )
        )
        == 3
    )


def test_a_new_clock_starts_a_new_ladder(session: Session, world: World) -> None:
    """Once accepted, lateness is measured against the time to resolve: a fresh ladder."""
    route_to_community(session, world)
    request, _ = file(session, world, now=FILED)
    supervision.sweep(session, at(10))
    assert request.unit_id is not None
    handling.accept(session, request, request.unit_id, at(10), world["people"]["unit_staff"].id)
    assert request.resolve_due == date(2025, 10, 16)
    supervision.sweep(session, at(13))  # on time to resolve
    assert _notices(session) == [(0, "overdue", "accept")]
    supervision.sweep(session, at(17))
    assert _notices(session)[-1] == (0, "overdue", "resolve")


def _accepted(session: Session, world: World):  # type: ignore[no-untyped-def]
    route_to_community(session, world)
    request, _ = file(session, world, now=FILED)
    assert request.unit_id is not None
    handling.accept(session, request, request.unit_id, at(9), world["people"]["unit_staff"].id)
    return request


def test_an_extension_moves_the_due_date_by_working_days(session: Session, world: World) -> None:
    request = _accepted(session, world)
    assert request.resolve_due == date(2025, 10, 16)
    unit_id = request.unit_id
    assert unit_id is not None
    supervision.ask_extension(
        session, request, unit_id, 3, "需协调物业", at(10), world["people"]["unit_staff"].id
    )
    assert _inbox(session, world["people"]["staff"].id) == 0  # the street decides, not the district
    decided = supervision.decide_extension(
        session, request, True, "", at(13), world["people"]["staff"].id
    )
    assert decided.status == "granted"
    assert request.resolve_due == date(2025, 10, 21)  # Fri 17, Mon 20, Tue 21
    supervision.sweep(session, at(17))
    assert _notices(session) == []  # not late against the extended date


def test_an_extension_with_a_holiday_in_it() -> None:
    from participation.requests.rules.calendar import add_working_days

    # Asked before the holiday: three working days from 30 September land after it.
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)


@pytest.mark.parametrize(
    ("days", "reason", "code"),
    [(3, "", "extension.form"), (8, "需协调物业", "extension.form"), (0, "原因", "extension.form")],
)
def test_bad_extensions_are_refused(
    session: Session, world: World, days: int, reason: str, code: str
) -> None:
    request = _accepted(session, world)
    unit_id = request.unit_id
    assert unit_id is not None
    with pytest.raises(DomainError) as refused:
        supervision.ask_extension(
            session, request, unit_id, days, reason, at(10), world["people"]["unit_staff"].id
        )
    assert refused.value.code == code
    if days == 8:  # environment: 7 working days to resolve, so at most 7 more
        assert refused.value.message == supervision.PAST_CAP


def test_one_extension_per_request_whatever_the_answer(session: Session, world: World) -> None:
    request = _accepted(session, world)
    unit_id = request.unit_id
    assert unit_id is not None
    worker = world["people"]["unit_staff"].id
    supervision.ask_extension(session, request, unit_id, 2, "原因", at(10), worker)
    with pytest.raises(DomainError) as own:
        supervision.decide_extension(session, request, True, "", at(10), worker)
    assert own.value.code == "extension.own"
    with pytest.raises(DomainError):  # refusing needs a reason
        supervision.decide_extension(
            session, request, False, "", at(10), world["people"]["staff"].id
        )
    supervision.decide_extension(
        session, request, False, "理由不足", at(10), world["people"]["staff"].id
    )
    assert request.resolve_due == date(2025, 10, 16)
    with pytest.raises(DomainError) as twice:
        supervision.ask_extension(session, request, unit_id, 2, "再次申请", at(13), worker)
    assert twice.value.code == "extension.twice"


def test_two_decisions_at_once_one_wins(engine, world: World) -> None:  # type: ignore[no-untyped-def]
    """Both deciders read the extension pending; the second to write is refused."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite transactions begin IMMEDIATE: two writers never interleave")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request = _accepted(s, world)
        assert request.unit_id is not None
        supervision.ask_extension(
            s, request, request.unit_id, 2, "原因", at(10), world["people"]["unit_staff"].id
        )
    deciders = (world["people"]["staff"].id, world["people"]["admin"].id)
    with Session(engine) as a, Session(engine) as b:
        first, second = a.get(type(request), request.id), b.get(type(request), request.id)
        assert first is not None and second is not None
        assert supervision.extension_of(a, first.id).status == "pending"  # type: ignore[union-attr]
        assert supervision.extension_of(b, second.id).status == "pending"  # type: ignore[union-attr]
        supervision.decide_extension(a, first, False, "不予延期", at(13), deciders[0])
        a.commit()
        with pytest.raises(DomainError) as late:
            supervision.decide_extension(b, second, True, "", at(13), deciders[1])
        assert late.value.code in ("extension.none", "request.changed")
        b.rollback()
    with Session(engine) as s:
        final = supervision.extension_of(s, request.id)
        assert final is not None and final.status == "refused"
        again = s.get(type(request), request.id)
        assert again is not None and again.resolve_due == date(2025, 10, 16)


def test_the_sweep_in_small_chunks_issues_what_one_chunk_does_and_never_twice(
    session: Session, world: World
) -> None:
    """The sweep reads its candidates a chunk at a time (the partial due-date indexes)
    and the notices already issued once per chunk: chunks of one request issue exactly
    what one chunk of all does, and a second run nothing."""
    route_to_community(session, world)
    for i in range(5):
        file(session, world, f"第{i}处路面塌陷", now=FILED)
    savepoint = session.begin_nested()
    whole = supervision.sweep(session, at(15))
    issued = sorted(_notices(session))
    savepoint.rollback()
    assert whole.notices >= 5 and _notices(session) == []
    assert supervision.sweep(session, at(15), chunk=1) == whole
    assert sorted(_notices(session)) == issued
    assert supervision.sweep(session, at(15), chunk=2) == supervision.SweepReport(0, 0, 0, 0)


def _two_overdue(engine, world: World) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        first, _ = file(s, world, "路灯不亮", now=FILED)
        second, _ = file(s, world, "井盖缺失", now=FILED)
    return first.id, second.id


def test_a_handler_who_read_before_the_sweep_is_refused_after_it(engine, world: World) -> None:  # type: ignore[no-untyped-def]
    """The sweep marks a request supervised with its version bumped, as any change
    does: a handler acting on what they read before the sweep committed is refused
    (409), not silently mixed with the sweep's change."""
    first_id, _ = _two_overdue(engine, world)
    with Session(engine, expire_on_commit=False) as handler:
        read = handler.get(ResidentRequest, first_id)
        assert read is not None and read.unit_id is not None
        version_read = read.version
        handler.commit()  # the page is shown; the form comes back later
        with Session(engine) as s, s.begin():
            assert supervision.sweep(s, at(10)).notices == 2
        with pytest.raises(DomainError) as refused:
            handling.accept(handler, read, read.unit_id, at(10), world["people"]["unit_staff"].id)
        assert refused.value.code == "request.changed"
        handler.rollback()
    with Session(engine) as s:
        again = s.get(ResidentRequest, first_id)
        assert again is not None and again.supervised and again.status == "routed"
        assert again.version == version_read + 1


def test_a_request_a_handler_changes_during_the_sweep_is_left_to_the_next_run(
    engine: Engine, world: World
) -> None:
    """The unit accepts one request after the sweep read it and before it writes:
    the accepting stands, the sweep issues nothing for that request (its state is no
    longer the one it judged) and everything for the others; the next run judges the
    request as it is now, and issues nothing twice."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite transactions begin IMMEDIATE: two writers never interleave")
    first_id, second_id = _two_overdue(engine, world)
    unit_staff = world["people"]["unit_staff"].id

    done: list[bool] = []

    def accept_first_meanwhile(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if not done and statement.lstrip().upper().startswith("UPDATE RESIDENT_REQUESTS"):
            done.append(True)
            with Session(engine) as handler, handler.begin():
                read = handler.get(ResidentRequest, first_id)
                assert read is not None and read.unit_id is not None
                handling.accept(handler, read, read.unit_id, at(10), unit_staff)

    event.listen(engine, "before_cursor_execute", accept_first_meanwhile)
    try:
        with Session(engine) as s, s.begin():
            report = supervision.sweep(s, at(10))
    finally:
        event.remove(engine, "before_cursor_execute", accept_first_meanwhile)
    assert done and report.notices == 1
    with Session(engine) as s:
        first, second = s.get(ResidentRequest, first_id), s.get(ResidentRequest, second_id)
        assert first is not None and second is not None
        assert first.status == "accepted" and not first.supervised
        assert second.supervised
        issued = s.scalars(select(supervision.SupervisionNotice.request_id)).all()
        assert issued == [second_id]
        kinds = s.scalars(
            select(RequestStep.kind)
            .where(RequestStep.request_id == first_id)
            .order_by(RequestStep.id)
        ).all()
        assert "supervision" not in kinds and kinds[-1] == "accepted"
    with Session(engine) as s, s.begin():  # accepted on the 10th: not late to resolve
        assert supervision.sweep(s, at(10)) == supervision.SweepReport(0, 0, 0, 0)
