"""The home (/) runs a small, fixed number of statements for every persona it
serves, whatever the amount of data its blocks read (issue 17): the blocks, the
person's own parts and the to-do list each read what they show and no more."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation import portal_counts
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.home import fill
from tests.support.people import enrol
from tests.support.queries import statements_of_page
from tests.support.world import MakeClient, World

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)

#: Statements of / per persona (login; None: a visitor who chose the community),
#: the session's own reads (account, ended sessions, grants, unread notices) included.
BOUNDS = {
    None: 8,
    "resident": 19,
    "volunteer": 10,
    "teamleader": 13,
    "communityworker": 13,
    "staff": 11,
    "admin": 13,
}


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return any_db_url


@pytest.fixture
def town(app: Starlette, world: World, engine: Engine) -> World:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        enrol(s, world, ["resident", "household_rep"])
        fill(s, world, 2, NOW)
        portal_counts.refresh(s, NOW)  # as the worker's home-counts job does
    return world


def _counts(make_client: MakeClient, town: World) -> dict[str | None, int]:
    seen: dict[str | None, int] = {}
    for login in BOUNDS:
        client: FormClient = make_client()
        if login is None:
            client.get(f"/?at={town['community'].id}")  # chosen, remembered
        else:
            client.sign_in(login, PASSWORD)
        client.get("/")  # warm: the first view may load what later ones reuse
        seen[login] = len(statements_of_page(client, "/"))
    return seen


def test_the_home_runs_a_bounded_number_of_statements_for_every_persona(
    make_client: MakeClient, town: World, engine: Engine
) -> None:
    """Fails on the old code (resident 23, volunteer 13, team leader 16, ...): the
    to-do list ran a count per line, the
    person's requests took two statements, their roll entry and community two,
    their teams and next shift two, the evaluations and their responses two."""
    few = _counts(make_client, town)
    assert all(few[login] <= bound for login, bound in BOUNDS.items()), few
    with Session(engine) as s, s.begin():
        fill(s, town, 6, NOW, start=2)  # three times the ballots, shifts, requests, items...
    assert _counts(make_client, town) == few
