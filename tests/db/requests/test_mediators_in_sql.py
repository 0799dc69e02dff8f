"""A mediation body's mediators are read in SQL (a city's handling staff are
thousands): whoever handles requests where it sits, above it or everywhere, and is
active; not the staff of another community."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from participation import accounts
from participation.requests import mediation, units
from participation.rules.permissions import Role
from tests.support.world import World


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """On SQLite and on PostgreSQL: the grant's path is matched in SQL."""
    return any_db_url


def test_mediators_are_those_granted_where_the_body_sits_above_or_everywhere(
    session: Session, world: World
) -> None:
    body = units.add_mediation_body(session, world["community"], "一社区调委会", None)
    elsewhere = accounts.sign_up(
        session, login="elsewhere", password="correct horse", display_name="别处"
    )
    accounts.grant_role(session, elsewhere, Role.UNIT_STAFF, world["other"])
    gone = accounts.sign_up(session, login="gone", password="correct horse", display_name="离职")
    accounts.grant_role(session, gone, Role.UNIT_STAFF, world["community"])
    gone.is_active = False
    session.flush()
    found = {a.id for a in mediation.mediators(session, body)}
    people = world["people"]
    assert {people["unit_staff"].id, people["staff"].id, people["admin"].id} <= found
    assert elsewhere.id not in found and gone.id not in found
    assert people["resident"].id not in found
