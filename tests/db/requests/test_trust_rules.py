"""Rules the flow must keep whoever calls it: supervision ends with the handling it
supervised; a return visit is the requester's (online) or made by staff outside the
handling unit, never the unit rating itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts
from participation.errors import DomainError
from participation.requests import closing, handling, merging, supervision
from participation.requests.membership import UnitMember
from participation.requests.models import ResidentRequest
from participation.rules.permissions import Role
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import World


def _handled_and_confirmed(session: Session, world: World, staff: int) -> ResidentRequest:
    route_to_community(session, world)
    request, _ = file(session, world)
    handling.accept(session, request, request.unit_id or 0, NOW, staff)
    handling.propose_closure(session, request, request.unit_id or 0, "已清理", NOW, staff)
    closing.confirm(session, request, NOW, request.requester_id)
    return request


def _rating(request: ResidentRequest) -> str:
    return request.rating


def _people(world: World) -> tuple[int, int, int]:
    p = world["people"]
    return p["unit_staff"].id, p["staff"].id, p["resident"].id


def test_supervision_of_a_reopened_request_ends_when_it_closes_again(
    session: Session, world: World
) -> None:
    unit_staff, _staff, resident = _people(world)
    request = _handled_and_confirmed(session, world, unit_staff)
    assert closing.visit(session, request, "dissatisfied", "还是脏", "online", NOW, resident)
    assert request.supervised and request.status == "accepted"
    handling.propose_closure(session, request, request.unit_id or 0, "再次清理", NOW, unit_staff)
    assert request.supervised  # still the supervised handling, until it closes
    closing.confirm(session, request, NOW, resident)
    assert request.status == "closed" and not request.supervised


def test_supervision_after_escalation_ends_when_the_level_above_closes_it(
    session: Session, world: World
) -> None:
    unit_staff, _, _ = _people(world)
    route_to_community(session, world)
    request, _ = file(session, world)
    for round_ in range(2):
        if request.status == "routed":
            handling.accept(session, request, request.unit_id or 0, NOW, unit_staff)
        handling.propose_closure(session, request, request.unit_id or 0, "已办", NOW, unit_staff)
        closing.reject(session, request, f"没有解决{round_}", NOW, None)
    assert request.supervised and request.escalations == 1
    handling.accept(session, request, request.unit_id or 0, NOW, unit_staff)
    handling.propose_closure(session, request, request.unit_id or 0, "街道已办", NOW, unit_staff)
    assert request.supervised
    assert closing.close_unconfirmed(session, NOW + timedelta(days=30)) == 1
    assert request.closure == "not_confirmed" and not request.supervised


def test_supervision_of_an_overdue_request_ends_when_it_is_merged_away(
    session: Session, world: World
) -> None:
    route_to_community(session, world)
    late, _ = file(session, world, "小区门口垃圾堆积三天没人清理")
    report = supervision.sweep(session, NOW + timedelta(days=30))
    assert report.notices >= 1 and late.supervised
    other, _ = file(session, world, "小区门口的垃圾堆了好几天", now=NOW + timedelta(days=30))
    merging.merge(session, late, other, NOW + timedelta(days=30), world["people"]["staff"].id)
    assert late.status == "closed" and not late.supervised


def test_a_unit_does_not_record_its_own_return_visit(session: Session, world: World) -> None:
    unit_staff, staff, _resident = _people(world)
    request = _handled_and_confirmed(session, world, unit_staff)
    # Whoever handled it for the unit cannot rate it, by phone or by pretending online.
    for method in ("phone", "online"):
        with pytest.raises(DomainError) as refused:
            closing.visit(session, request, "satisfied", "很好", method, NOW, unit_staff)
        assert refused.value.status == 403 and not request.rating
    # Nor can a member of the unit who did not touch it.
    colleague = accounts.sign_up(
        session, login="colleague", password="correct horse", display_name="同事"
    )
    accounts.grant_role(session, colleague, Role.UNIT_STAFF, world["community"])
    session.add_all(
        UnitMember(unit_id=request.unit_id or 0, account_id=a) for a in (unit_staff, colleague.id)
    )
    session.flush()
    with pytest.raises(DomainError) as member:
        closing.visit(session, request, "satisfied", "", "phone", NOW, colleague.id)
    assert member.value.status == 403 and not request.rating
    # A phone visit needs the staff member who made it.
    with pytest.raises(DomainError):
        closing.visit(session, request, "satisfied", "", "phone", NOW, None)
    # Staff outside the unit (the district's, who routes) record it.
    assert closing.visit(session, request, "basic", "电话回访", "phone", NOW, staff) is False
    assert _rating(request) == "basic"


def test_the_requester_rates_online_and_no_one_else_does(session: Session, world: World) -> None:
    unit_staff, staff, resident = _people(world)
    request = _handled_and_confirmed(session, world, unit_staff)
    with pytest.raises(DomainError) as someone:
        closing.visit(session, request, "satisfied", "", "online", NOW, staff)
    assert someone.value.status == 403 and not request.rating
    # The requester signed in, or whoever holds number and secret (no account).
    assert closing.visit(session, request, "satisfied", "", "online", NOW, resident) is False
    assert _rating(request) == "satisfied"


def test_supervision_notices_go_to_the_unit_s_members_once_it_has_any(
    session: Session, world: World
) -> None:
    from participation.notices import Notice

    route_to_community(session, world)
    request, _ = file(session, world)
    member = accounts.sign_up(
        session, login="member", password="correct horse", display_name="成员"
    )
    accounts.grant_role(session, member, Role.UNIT_STAFF, world["district"])
    session.add(UnitMember(unit_id=request.unit_id or 0, account_id=member.id))
    session.flush()
    supervision.sweep(session, NOW + timedelta(days=30))
    told = set(
        session.scalars(select(Notice.account_id).where(Notice.kind == "request.supervision"))
    )
    # The member is told, wherever their role is granted; the community's other
    # handling staff, who no longer act for the unit, are not.
    assert member.id in told
    assert world["people"]["unit_staff"].id not in told
