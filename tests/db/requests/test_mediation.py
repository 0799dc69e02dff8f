"""Mediation cases against the database: the whole way to an agreement both parties
confirm, a referral, bad input that changes nothing, and two confirmations at once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.errors import DomainError
from participation.requests import mediation
from participation.requests.mediation import MediationCase, MediationSession, NewSession
from participation.requests.models import RequestStep, ResidentRequest
from participation.requests.rules.mediation import Who
from tests.support.mediation import BODY, MEDIATOR, body_routing_disputes, open_dispute
from tests.support.requests import NOW, file


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _kinds(session: Session, request_id: int) -> list[str]:
    return list(
        session.scalars(
            select(RequestStep.kind)
            .where(RequestStep.request_id == request_id)
            .order_by(RequestStep.id)
        )
    )


def _held(on: date = date(2026, 5, 12)) -> NewSession:
    return NewSession(on, True, "一社区调解室", True, True, "双方陈述，约定施工时间")


def test_a_dispute_is_routed_to_the_body_and_settled_by_both(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    staff = world["people"]["unit_staff"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, case = open_dispute(s, world)
        assert request.status == "accepted" and request.unit_id == case.unit_id
        mediation.add_session(s, case, _held(), NOW, staff, MEDIATOR)
        mediation.record_agreement(s, case, "每日 8:00 前、20:00 后不施工。", NOW, staff, MEDIATOR)
        assert not mediation.confirm_at_desk(s, case, "other", "signature", NOW, staff, MEDIATOR)
        assert request.status == "accepted"
        settled = mediation.confirm_online(
            s, case, "requester", NOW, world["people"]["resident"].id
        )
        assert settled
    with Session(engine) as s:
        stored = s.get(ResidentRequest, request.id)
        assert stored is not None and stored.status == "closed" and stored.closure == "mediated"
        kinds = _kinds(s, request.id)
        assert kinds[-7:] == [
            "med_opened",
            "med_mediator",
            "med_held",
            "med_agreed",
            "med_ok_other",
            "med_ok_requester",
            "med_settled",
        ]
        notes = " ".join(
            s.scalars(select(RequestStep.note).where(RequestStep.request_id == request.id))
        )
        # The timeline never carries the parties' names or contacts.
        for private in ("王小明", "李大华", "13800000001", "13800000002", "8:00"):
            assert private not in notes
        parties = mediation.parties(s, case.id)
        assert parties["other"].confirmed_way == "signature"
        assert parties["requester"].confirmed_way == "online"


def test_a_referral_closes_the_request(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    staff = world["people"]["unit_staff"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, case = open_dispute(s, world)
        mediation.refer(s, case, "court", "涉及房屋损坏赔偿金额，双方分歧大", NOW, staff, MEDIATOR)
        assert case.status == "referred" and request.closure == "referred"
        assert _kinds(s, request.id)[-1] == "med_to_court"
        with pytest.raises(DomainError):
            mediation.record_agreement(s, case, "和解", NOW, staff, MEDIATOR)


def test_a_non_dispute_is_classed_by_staff_with_a_reason(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        body = body_routing_disputes(s, world)
        request, _ = file(s, world, "物业与业主因停车费争执", category="property")
        new = mediation.NewCase("王小明", "", "某物业公司", "")
        with pytest.raises(DomainError) as refused:
            mediation.open_case(s, request, body, new, NOW, 1, frozenset({Who.ROUTER}))
        assert "reason" in refused.value.fields
        reasoned = mediation.NewCase("王小明", "", "某物业公司", "", reason="双方争执，需调解")
        mediation.open_case(s, request, body, reasoned, NOW, 1, frozenset({Who.ROUTER}))
        assert request.unit_id == body.id and request.status == "accepted"


@pytest.mark.parametrize(
    ("act", "field"),
    [
        ("agreement without text", "agreement"),
        ("future session held", "held_on"),
        ("desk way unknown", "way"),
    ],
)
def test_bad_input_changes_nothing(engine: Engine, world, act: str, field: str) -> None:  # type: ignore[no-untyped-def]
    staff = world["people"]["unit_staff"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, case = open_dispute(s, world)
        if act == "desk way unknown":
            mediation.record_agreement(s, case, "协议", NOW, staff, MEDIATOR)
    with Session(engine) as s:
        steps_before = len(_kinds(s, request.id))
    with Session(engine) as s:
        fresh = s.get(MediationCase, case.id)
        assert fresh is not None
        with pytest.raises(DomainError) as refused:
            if act == "agreement without text":
                mediation.record_agreement(s, fresh, "   ", NOW, staff, MEDIATOR)
            elif act == "future session held":
                mediation.add_session(s, fresh, _held(date(2026, 5, 20)), NOW, staff, MEDIATOR)
            else:
                mediation.confirm_at_desk(s, fresh, "other", "wink", NOW, staff, MEDIATOR)
        assert field in refused.value.fields
        s.rollback()
    with Session(engine) as s:
        assert len(_kinds(s, request.id)) == steps_before
        assert s.scalar(select(func.count()).select_from(MediationSession)) == 0


def test_no_one_confirms_for_someone_else(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    staff = world["people"]["unit_staff"].id
    resident = world["people"]["resident"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        _, case = open_dispute(s, world)
        mediation.record_agreement(s, case, "协议", NOW, staff, MEDIATOR)
        for side, who in (("other", resident), ("requester", world["people"]["volunteer"].id)):
            with pytest.raises(DomainError) as refused:
                mediation.confirm_online(s, case, side, NOW, who)
            assert refused.value.status == 403
        # Staff of the body who are not the mediator do not record desk confirmations.
        with pytest.raises(DomainError) as refused:
            mediation.confirm_at_desk(
                s, case, "other", "signature", NOW, world["people"]["community_worker"].id, BODY
            )
        assert refused.value.status == 403
        assert all(p.confirmed_at is None for p in mediation.parties(s, case.id).values())


def test_being_the_mediator_is_decided_from_the_case(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        _, case = open_dispute(s, world)
        with pytest.raises(DomainError) as refused:
            mediation.record_agreement(
                s, case, "协议", NOW, world["people"]["community_worker"].id, MEDIATOR
            )
        assert refused.value.status == 403 and case.status == "open"


def test_only_an_account_of_the_body_mediates(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        _, case = open_dispute(s, world)
        with pytest.raises(DomainError) as refused:
            mediation.assign(s, case, world["people"]["resident"].id, NOW, 1, BODY)
        assert "mediator_id" in refused.value.fields


def _stale_case(engine: Engine, case_id: int) -> tuple[Session, MediationCase]:
    session = Session(engine, expire_on_commit=False)
    found = session.get(MediationCase, case_id)
    assert found is not None
    mediation.parties(session, case_id)  # read as the page did
    session.commit()
    return session, found


@pytest.mark.parametrize("loser_side", ["requester", "other"])
def test_two_confirmations_at_once_count_once(engine: Engine, world, loser_side: str) -> None:  # type: ignore[no-untyped-def]
    """The requester confirms online while the mediator records a confirmation at the
    desk: the same party twice, or each party once. Whichever writes second read the
    case before the first wrote; the case's version refuses it, and nothing counts
    twice or settles on half the confirmations."""
    staff = world["people"]["unit_staff"].id
    resident = world["people"]["resident"].id
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, case = open_dispute(s, world)
        mediation.record_agreement(s, case, "协议", NOW, staff, MEDIATOR)
    loser, stale = _stale_case(engine, case.id)
    with Session(engine) as winner, winner.begin():
        fresh = winner.get(MediationCase, case.id)
        assert fresh is not None
        mediation.confirm_online(winner, fresh, "requester", NOW, resident)
    with pytest.raises(DomainError) as refused:
        mediation.confirm_at_desk(loser, stale, loser_side, "signature", NOW, staff, MEDIATOR)
    assert refused.value.status == 409
    loser.rollback()
    loser.close()
    with Session(engine) as s:
        stored = s.get(MediationCase, case.id)
        assert stored is not None and stored.confirmations == 1 and stored.status == "agreement"
        kinds = _kinds(s, request.id)
        assert kinds.count("med_ok_requester") == 1
        assert "med_ok_other" not in kinds
        assert "med_settled" not in kinds
