"""What every page pays before its own work: who is signed in (the account, the
session not ended, their grants and unread notices for the menu) is read in a
bounded number of statements, whatever the number of grants or notices."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation import accounts, notices
from participation.accounts import Account
from participation.areas import Area
from participation.rules.permissions import Role
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import statements_of_page
from tests.support.world import MakeClient, World

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
#: The layout's reading of the signed-in person: account, session, grants, unread count.
SIGNED_IN_STATEMENTS = 1


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL (the grants are folded by
    group_concat on one, string_agg on the other)."""
    return any_db_url


def _badge(html: str) -> str | None:
    found = re.search(r'href="/account/notices">[^<]*<span class="badge"[^>]*>(\d+)<', html)
    return found.group(1) if found else None


def _more(engine: Engine, account: Account, areas: list[Area], unread: int) -> None:
    with Session(engine) as s, s.begin():
        person = s.get(Account, account.id)
        assert person is not None
        for area in areas:
            accounts.grant_role(s, person, Role.RESIDENT, s.get(Area, area.id))
        for i in range(unread):
            notices.notify(s, person.id, "test", "Hello", now=NOW + timedelta(minutes=i))


def test_a_signed_in_page_reads_the_person_in_one_statement(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    anonymous = len(statements_of_page(make_client(), "/areas"))
    client.sign_in("admin", PASSWORD)
    few = statements_of_page(client, "/areas")
    assert len(few) == anonymous + SIGNED_IN_STATEMENTS, few

    areas = [world[k] for k in ("city", "district", "street", "community", "other", "grid")]
    _more(engine, world["people"]["admin"], areas, unread=7)
    many = statements_of_page(client, "/areas")
    assert len(many) == len(few), many
    page = client.get("/areas").text
    assert _badge(page) == "7"
    assert 'href="/admin"' in page  # the back office link: the grants were read


def test_the_menu_without_grants_or_notices(client: FormClient, world: World) -> None:
    client.sign_in("nobody", PASSWORD)
    page = client.get("/areas").text
    assert _badge(page) is None
    assert 'href="/admin"' not in page
    assert 'href="/account"' in page
