"""The rules of the flow as services apply them: the time to return, the second
rejection, a phone visit by staff, a visit only once per handling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from participation.errors import DomainError
from participation.requests import closing, handling
from participation.requests.models import HandlingUnit
from tests.support.requests import NOW, file, route_to_community


def test_a_return_after_the_time_to_accept_is_refused(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    route_to_community(session, world)
    request, _ = file(session, world)
    assert request.accept_due is not None
    late = NOW + timedelta(days=7)
    with pytest.raises(DomainError) as refused:
        handling.return_request(session, request, request.unit_id or 0, "不归我们", late, 1)
    assert refused.value.code == "request.return_late" and request.status == "routed"
    assert (
        handling.return_request(session, request, request.unit_id or 0, "不归我们", NOW, 1) is False
    )
    assert request.status == "unrouted" and request.unit_id is None and request.handoffs == 1


def test_the_second_rejection_escalates_to_the_level_above(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    route_to_community(session, world)
    request, _ = file(session, world)
    for round_ in range(2):
        if request.status == "routed":
            handling.accept(session, request, request.unit_id or 0, NOW, 1)
        handling.propose_closure(session, request, request.unit_id or 0, "已办", NOW, 1)
        closing.reject(session, request, f"没有解决{round_}", NOW, None)
    unit = session.get(HandlingUnit, request.unit_id)
    assert unit is not None and unit.area_id == world["street"].id
    assert request.status == "routed" and request.escalations == 1 and request.supervised


def test_a_return_visit_once_per_handling_and_a_rating_is_required(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    route_to_community(session, world)
    request, _ = file(session, world)
    handling.accept(session, request, request.unit_id or 0, NOW, 1)
    handling.propose_closure(session, request, request.unit_id or 0, "已办", NOW, 1)
    closing.confirm(session, request, NOW, None)
    visitor = world["people"]["staff"].id  # outside the unit: it handled nothing
    with pytest.raises(DomainError):
        closing.visit(session, request, "", "", "phone", NOW, visitor)
    assert closing.visit(session, request, "basic", "还行", "phone", NOW, visitor) is False
    with pytest.raises(DomainError) as twice:
        closing.visit(session, request, "satisfied", "", "online", NOW, None)
    assert twice.value.status == 409 and request.rating == "basic"
