"""Races played for real: threads acting on one request at the same moment, each in
its own transaction, on SQLite and PostgreSQL. One wins, the others are refused
with a clear 409, and nothing is lost or doubled (every step recorded belongs to the
winner). No timing: a barrier starts them together, the database decides.

(tests/db/requests/test_races.py plays the same races step by step.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.errors import DomainError
from participation.requests import closing, handling, merging, routing, units
from participation.requests.models import RequestStep, ResidentRequest
from tests.support.concurrency import together
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import World


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _get(s: Session, request_id: int) -> ResidentRequest:
    found = s.get(ResidentRequest, request_id)
    assert found is not None
    return found


def _steps(engine: Engine, request_id: int, kind: str) -> list[RequestStep]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(RequestStep).where(
                    RequestStep.request_id == request_id, RequestStep.kind == kind
                )
            )
        )


#: A refusal that says the request changed, or that it is no longer open to merge into.
REFUSED = {"request.changed", "request.merge_target"}


def _outcomes(results: list[object]) -> tuple[int, list[DomainError]]:
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(refusals) + sum(1 for r in results if r == "won") == len(results), results
    assert all(r.status == 409 or r.code in REFUSED for r in refusals), [r.code for r in refusals]
    return sum(1 for r in results if r == "won"), refusals


def _won(work: Callable[[Session], object]) -> Callable[[Session], str]:
    def run(s: Session) -> str:
        work(s)
        return "won"

    return run


def test_two_units_accepting_one_request_at_once(engine: Engine, world: World) -> None:
    """The unit it was routed to accepts while routing staff send it to another unit
    which accepts it at once. Either may come first; what the database lets through
    is a history that could have happened one after the other: the request ends with
    one unit, accepted once since it last moved, by that unit; a 409 for the rest."""
    staff = world["people"]["unit_staff"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, _ = file(s, world)
        first = request.unit_id or 0
        second = units.office_of(s, world["street"]).id

    def by_first(s: Session) -> None:
        handling.accept(s, _get(s, request.id), first, NOW, staff)

    def by_second(s: Session) -> None:
        found = _get(s, request.id)
        routing.redirect(s, found, units.get_unit(s, second), "归街道办理", NOW, staff)
        handling.accept(s, found, second, NOW, staff)

    won, _ = _outcomes(together(engine, [_won(by_first), _won(by_second), _won(by_first)]))
    assert won >= 1
    with Session(engine) as s:
        stored = _get(s, request.id)
        timeline = list(
            s.scalars(
                select(RequestStep)
                .where(RequestStep.request_id == request.id)
                .order_by(RequestStep.id)
            )
        )
    assert stored.status == "accepted"
    moved = max((i for i, t in enumerate(timeline) if t.kind == "redirected"), default=-1)
    since = [t for t in timeline[moved + 1 :] if t.kind == "accepted"]
    assert len(since) == 1 and since[0].unit_id == stored.unit_id
    # Before it moved, the first unit accepted at most once.
    assert len([t for t in timeline[:moved] if t.kind == "accepted"]) <= 1
    assert len([t for t in timeline if t.kind == "accepted"]) == won


def test_many_acceptances_of_one_request_at_once(engine: Engine, world: World) -> None:
    staff = world["people"]["unit_staff"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, _ = file(s, world)

    def accept(s: Session) -> None:
        handling.accept(s, _get(s, request.id), request.unit_id or 0, NOW, staff)

    won, refused = _outcomes(together(engine, [_won(accept)] * 4))
    assert won == 1 and len(refused) == 3
    assert len(_steps(engine, request.id, "accepted")) == 1


def test_two_merges_of_one_request_at_once(engine: Engine, world: World) -> None:
    staff = world["people"]["staff"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        into_a, _ = file(s, world, "小区门口垃圾堆积")
        into_b, _ = file(s, world, "小区门口垃圾堆积好几天", requester="volunteer")
        merged, _ = file(s, world, "门口垃圾没人清", requester="deputy")

    def merge_into(target: int) -> Callable[[Session], str]:
        return _won(lambda s: merging.merge(s, _get(s, merged.id), _get(s, target), NOW, staff))

    won, _ = _outcomes(together(engine, [merge_into(into_a.id), merge_into(into_b.id)]))
    assert won == 1
    with Session(engine) as s:
        stored = _get(s, merged.id)
        assert stored.closure == "merged" and stored.merged_into_id in (into_a.id, into_b.id)
        loser = into_b.id if stored.merged_into_id == into_a.id else into_a.id
    assert len(_steps(engine, merged.id, "merged")) == 1
    assert len(_steps(engine, stored.merged_into_id, "merged_in")) == 1
    assert _steps(engine, loser, "merged_in") == []


def test_two_requests_merged_into_each_other_at_once_leave_one_open(
    engine: Engine, world: World
) -> None:
    """Merging A into B while someone merges B into A must not close both (the
    matter would be lost, each pointing at the other)."""
    staff = world["people"]["staff"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        a, _ = file(s, world, "小区门口垃圾堆积")
        b, _ = file(s, world, "小区门口垃圾堆积好几天", requester="volunteer")

    def merge(one: int, other: int) -> Callable[[Session], str]:
        return _won(lambda s: merging.merge(s, _get(s, one), _get(s, other), NOW, staff))

    won, _ = _outcomes(together(engine, [merge(a.id, b.id), merge(b.id, a.id)]))
    assert won == 1
    with Session(engine) as s:
        statuses = sorted(_get(s, i).status for i in (a.id, b.id))
        assert statuses == ["closed", "routed"]
        assert s.scalar(select(func.count()).where(RequestStep.kind == "merged")) == 1


def test_double_confirmation_at_once(engine: Engine, world: World) -> None:
    """The requester's two browsers (or a confirmation and a rejection) answer one
    proposed closure at once: one answer counts."""
    staff = world["people"]["unit_staff"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, _ = file(s, world)
        handling.accept(s, request, request.unit_id or 0, NOW, staff)
        handling.propose_closure(s, request, request.unit_id or 0, "已清理", NOW, staff)
        requester = request.requester_id

    def confirm(s: Session) -> None:
        closing.confirm(s, _get(s, request.id), NOW, requester)

    def reject(s: Session) -> None:
        closing.reject(s, _get(s, request.id), "没有解决", NOW, requester)

    won, _ = _outcomes(together(engine, [_won(confirm), _won(confirm), _won(reject)]))
    assert won == 1
    confirmed = _steps(engine, request.id, "confirmed")
    rejected = _steps(engine, request.id, "rejected")
    assert len(confirmed) + len(rejected) == 1
    with Session(engine) as s:
        stored = _get(s, request.id)
        if confirmed:
            assert stored.status == "closed" and stored.rejections == 0
        else:
            assert stored.status == "accepted" and stored.rejections == 1
