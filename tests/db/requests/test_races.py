"""Two people acting on one request at once: one wins, the other is told, nothing is
lost. Each race is played out step by step (no timing): the loser read the request
before the winner wrote, then acts on what it read, as a concurrent request would;
the version counter refuses it. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.errors import DomainError
from participation.requests import closing, handling, merging
from participation.requests.models import RequestStep, ResidentRequest
from tests.support.requests import NOW, file, route_to_community


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _steps(engine: Engine, request_id: int, kind: str) -> int:
    with Session(engine) as s:
        return int(
            s.scalar(
                select(func.count()).where(
                    RequestStep.request_id == request_id, RequestStep.kind == kind
                )
            )
            or 0
        )


def _stale_copy(engine: Engine, request_id: int) -> tuple[Session, ResidentRequest]:
    """A session holding the request as read now, its read transaction over."""
    session = Session(engine, expire_on_commit=False)
    found = session.get(ResidentRequest, request_id)
    assert found is not None
    session.commit()
    return session, found


def test_two_acceptances_of_one_request(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, _ = file(s, world)
    loser, stale = _stale_copy(engine, request.id)
    with Session(engine) as winner, winner.begin():
        fresh = winner.get(ResidentRequest, request.id)
        assert fresh is not None
        handling.accept(winner, fresh, request.unit_id or 0, NOW, world["people"]["unit_staff"].id)
    with pytest.raises(DomainError) as refused:
        handling.accept(loser, stale, request.unit_id or 0, NOW, world["people"]["staff"].id)
    assert refused.value.status == 409
    loser.rollback()
    loser.close()
    assert _steps(engine, request.id, "accepted") == 1
    with Session(engine) as s:
        stored = s.get(ResidentRequest, request.id)
        assert stored is not None and stored.status == "accepted"


def test_two_confirmations_of_one_closure(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, _ = file(s, world)
        handling.accept(s, request, request.unit_id or 0, NOW, None)  # type: ignore[arg-type]
        handling.propose_closure(s, request, request.unit_id or 0, "已办结", NOW, None)  # type: ignore[arg-type]
    loser, stale = _stale_copy(engine, request.id)
    with Session(engine) as winner, winner.begin():
        fresh = winner.get(ResidentRequest, request.id)
        assert fresh is not None
        closing.confirm(winner, fresh, NOW, None)
    with pytest.raises(DomainError) as refused:
        closing.reject(loser, stale, "没办好", NOW, None)
    assert refused.value.status == 409
    loser.rollback()
    loser.close()
    assert _steps(engine, request.id, "confirmed") == 1
    assert _steps(engine, request.id, "rejected") == 0
    with Session(engine) as s:
        stored = s.get(ResidentRequest, request.id)
        assert stored is not None and stored.status == "closed" and stored.closure == "confirmed"


def test_two_merges_of_one_request(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        first, _ = file(s, world, "小区门口垃圾堆积")
        second, _ = file(s, world, "小区门口垃圾堆积好几天", requester="volunteer")
        third, _ = file(s, world, "门口垃圾没人清", requester="deputy")
    loser = Session(engine, expire_on_commit=False)
    stale = loser.get(ResidentRequest, third.id)
    other_target = loser.get(ResidentRequest, second.id)
    loser.commit()
    assert stale is not None
    with Session(engine) as winner, winner.begin():
        fresh = winner.get(ResidentRequest, third.id)
        target = winner.get(ResidentRequest, first.id)
        assert fresh is not None and target is not None
        merging.merge(winner, fresh, target, NOW, world["people"]["staff"].id)
    assert other_target is not None
    with pytest.raises(DomainError):
        merging.merge(loser, stale, other_target, NOW, world["people"]["staff"].id)
    loser.rollback()
    loser.close()
    with Session(engine) as s:
        stored = s.get(ResidentRequest, third.id)
        assert stored is not None and stored.merged_into_id == first.id
    assert _steps(engine, second.id, "merged_in") == 0
    assert _steps(engine, first.id, "merged_in") == 1
