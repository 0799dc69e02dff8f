"""Where a person stands with a request (participation.requests.standing), on SQLite
and PostgreSQL: the lead unit by a grant over its area or by membership, a helping
unit, routing where it was filed, the mediation body and mediator, and the level
above that decides an extension (its office not made by asking)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation import accounts
from participation.requests import handling, mediation, standing, units
from participation.requests.membership import UnitMember
from participation.requests.models import HandlingUnit, ResidentRequest
from participation.rules.permissions import Role
from tests.support.mediation import open_dispute
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import World


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _stand(
    session: Session, world: World, role: str, request: ResidentRequest
) -> standing.Standing:
    person = world["people"][role].id
    return standing.stand(session, request, person, accounts.grants_of(session, person))


def test_lead_helper_router_and_the_level_above(session: Session, world: World) -> None:
    route_to_community(session, world)
    request, _ = file(session, world)
    assert request.unit_id is not None
    staff = world["people"]["unit_staff"].id
    handling.accept(session, request, request.unit_id, NOW, staff)
    helper = units.office_of(session, world["other"])
    handling.join(session, request, request.unit_id, helper, NOW, staff)
    offices = session.scalar(select(func.count()).select_from(HandlingUnit))

    unit = _stand(session, world, "unit_staff", request)
    assert (unit.lead, unit.acting, unit.router, unit.decides) == (
        request.unit_id,
        request.unit_id,
        False,
        False,
    )
    worker = _stand(session, world, "community_worker", request)
    assert worker.lead == request.unit_id and worker.router and not worker.decides
    district = _stand(session, world, "staff", request)  # the street's office is above
    assert district.lead == request.unit_id and district.router and district.decides
    assert _stand(session, world, "admin", request).decides
    assert _stand(session, world, "resident", request) == standing.NOBODY
    # Asking made no office of the level above.
    assert session.scalar(select(func.count()).select_from(HandlingUnit)) == offices

    # Once the lead unit has members, only they act for it; a helper's staff acts
    # for the helper.
    session.add(UnitMember(unit_id=request.unit_id, account_id=staff))
    session.flush()
    worker = _stand(session, world, "community_worker", request)
    assert worker.lead is None and worker.acting is None and worker.router and worker.sees
    other = accounts.sign_up(
        session, login="otherunit", password="correct horse", display_name="二"
    )
    accounts.grant_role(session, other, Role.UNIT_STAFF, world["other"])
    seen = standing.stand(session, request, other.id, accounts.grants_of(session, other.id))
    assert seen.lead is None and seen.acting == helper.id and not seen.router


def test_the_mediation_body_and_mediator(session: Session, world: World) -> None:
    request, case = open_dispute(session, world)
    mediator = _stand(session, world, "unit_staff", request)
    assert mediator.body and mediator.mediator
    assert {w.value for w in mediator.roles} == {"lead", "body", "mediator"}
    worker = _stand(session, world, "community_worker", request)
    assert worker.body and not worker.mediator and worker.router
    assert mediation.case_of(session, request.id) == case
