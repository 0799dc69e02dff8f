"""Mediation for tests: a community's mediation committee, disputes routed to it, a
case opened with its mediator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from participation.requests import mediation, routing, units
from participation.requests.models import HandlingUnit, ResidentRequest
from participation.requests.rules.mediation import Who
from tests.support.requests import NOW, file

BODY = frozenset({Who.BODY})
MEDIATOR = frozenset({Who.MEDIATOR})


def body_routing_disputes(session: Session, world: Mapping[str, Any]) -> HandlingUnit:
    """一社区人民调解委员会, sitting in the world's community; disputes go to it."""
    body = units.add_mediation_body(session, world["community"], "一社区人民调解委员会", None)
    routing.add_rule(
        session,
        routing.NewRule("dispute", world["district"].id, "any", "mediation", body.id),
        None,
    )
    return body


def open_dispute(
    session: Session,
    world: Mapping[str, Any],
    *,
    other_contact: str = "13800000002",
    body: HandlingUnit | None = None,
) -> tuple[ResidentRequest, mediation.MediationCase]:
    """A resident's dispute, routed to the committee (``body``: made already), opened
    as a case whose mediator is the world's unit staff."""
    body = body or body_routing_disputes(session, world)
    request, _ = file(session, world, "楼上邻居装修噪音扰民，多次沟通无果", category="dispute")
    case = mediation.open_case(
        session,
        request,
        body,
        mediation.NewCase(
            "王小明",
            "13800000001",
            "李大华",
            other_contact,
            mediator_id=world["people"]["unit_staff"].id,
        ),
        NOW,
        world["people"]["unit_staff"].id,
        BODY,
    )
    return request, case
