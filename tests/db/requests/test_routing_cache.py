"""Intake routes from a per-process memory of the routing table (participation.
requests.routing.route_for), checked against the database by one statement on every
filing: a rule added or removed, an office made or gone with a rollback, and the next
filing is routed as if nothing were remembered."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.departments import Department
from participation.requests import routing, units
from participation.requests.models import HandlingUnit
from tests.support.requests import file, route_to_community
from tests.support.world import World


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _unit(session: Session, request_unit_id: int | None) -> HandlingUnit:
    assert request_unit_id is not None
    found = session.get(HandlingUnit, request_unit_id)
    assert found is not None
    return found


def test_a_rule_added_or_removed_routes_the_next_filing(session: Session, world: World) -> None:
    route_to_community(session, world)
    first, _ = file(session, world, "一处")
    assert _unit(session, first.unit_id).area_id == world["community"].id
    street_rule = routing.add_rule(
        session,
        routing.NewRule("environment", world["street"].id, "any", "street", None),
        None,
    )
    second, _ = file(session, world, "二处")
    assert _unit(session, second.unit_id).area_id == world["street"].id
    department = session.scalars(select(Department).order_by(Department.id)).first()
    assert department is not None
    named = units.unit_of_department(session, department)
    routing.add_rule(
        session,
        routing.NewRule("environment", world["community"].id, "any", "department", named.id),
        None,
    )
    third, _ = file(session, world, "三处")
    assert third.unit_id == named.id
    routing.remove_rule(session, street_rule.id, None)
    fourth, _ = file(session, world, "四处")
    assert fourth.unit_id == named.id  # the deepest rule still holds
    for rule in routing.rules(session):
        routing.remove_rule(session, rule.rule.id, None)
    fifth, _ = file(session, world, "五处")
    assert fifth.unit_id is None and fifth.status == "unrouted"


def test_an_office_made_in_a_rolled_back_filing_is_made_again(
    session: Session, world: World
) -> None:
    route_to_community(session, world)
    session.commit()
    offices = select(func.count()).select_from(HandlingUnit)
    before = session.scalar(offices)
    first, _ = file(session, world, "一处")  # makes the community's office
    made = first.unit_id
    assert session.scalar(offices) == (before or 0) + 1
    session.rollback()  # the office is gone with the filing
    assert session.get(HandlingUnit, made) is None
    again, _ = file(session, world, "再一处")
    assert again.unit_id is not None
    assert _unit(session, again.unit_id).area_id == world["community"].id
    session.commit()
    later, _ = file(session, world, "三处")
    assert later.unit_id == again.unit_id
