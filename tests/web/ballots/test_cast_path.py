"""The cast endpoint's hot path stays lean: a guard for the casting speed target.

``make bench`` measures ballots per second; this test pins down what that speed
rests on, so a change that quietly adds queries to every ballot fails here.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from participation.ballots.models import BallotBox, Participation, Presence
from participation.db import make_engine
from tests.support.voters import SECRET, prepare_voters, stored_ballots
from web.app import create_app
from web.settings import Settings


def logged_app(sqlite_url: str) -> tuple[Starlette, list[str]]:
    """The portal on ``sqlite_url`` and the list its engine logs every statement to."""
    settings = Settings(
        environment="test",
        database_url=sqlite_url,
        base_url="http://testserver",
        secret_key=SECRET,
        cheap_hashing=True,
    )
    app = create_app(settings)
    statements: list[str] = []
    event.listen(
        app.state.engine,
        "before_cursor_execute",
        lambda _conn, _cursor, sql, *_rest: statements.append(" ".join(sql.split())),
    )
    return app, statements


def cast_as(app: Starlette, box_id: int, cookie: str, token: str, item: str = "1") -> int:
    """Cast a ballot for one item as the signed-in person; the answer's status."""
    with TestClient(app, base_url="http://testserver") as client:
        client.cookies.set("gongzhi_session", cookie)
        response = client.post(
            f"/ballots/{box_id}/cast",
            data={"csrf_token": token, "item": item},
            follow_redirects=False,
        )
    return response.status_code


def test_a_ballot_costs_two_reads_and_two_inserts_in_short_transactions(sqlite_url: str) -> None:
    box_id, people = prepare_voters(sqlite_url, 3)
    app, statements = logged_app(sqlite_url)

    def cast(cookie: str, token: str, item: str = "1") -> int:
        return cast_as(app, box_id, cookie, token, item)

    try:
        assert cast(*people[0][1:]) == 303  # the first cast per worker reads the box once
        statements.clear()
        assert cast(*people[1][1:]) == 303
        kinds = [
            s.split()[0] + (" IMMEDIATE" if s == "BEGIN IMMEDIATE" else "") for s in statements
        ]
        # Read without the write lock (the sign-in check, the roll), then switch
        # the same connection to a write transaction for the two inserts.
        assert kinds == [
            "BEGIN",
            "SELECT",
            "SELECT",
            "COMMIT",
            "BEGIN IMMEDIATE",
            "INSERT",
            "INSERT",
        ]
        assert "ON CONFLICT DO NOTHING" in statements[5]
        # A second ballot by the same voter: refused (409), nothing more stored.
        assert cast(*people[1][1:], item="2") == 409
        with Session(app.state.engine) as s:
            assert stored_ballots(s) == 2
            assert s.scalar(select(func.count()).select_from(Participation)) == 2
    finally:
        app.state.engine.dispose()
    # The writers' queue lives beside the database.
    assert Path(sqlite_url.removeprefix("sqlite:///") + "-writers").exists()


def test_a_box_that_requires_presence_adds_one_lookup_in_the_write(sqlite_url: str) -> None:
    box_id, people = prepare_voters(sqlite_url, 3)
    engine = make_engine(sqlite_url)
    with Session(engine) as s, s.begin():
        s.execute(update(BallotBox).where(BallotBox.id == box_id).values(requires_presence=True))
        for account_id, _cookie, _token in people[:2]:  # the third voter is absent
            s.add(Presence(box_id=box_id, member_key=f"account:{account_id}"))
    engine.dispose()
    app, statements = logged_app(sqlite_url)

    def cast(cookie: str, token: str) -> int:
        return cast_as(app, box_id, cookie, token)

    try:
        assert cast(*people[0][1:]) == 303
        statements.clear()
        assert cast(*people[1][1:]) == 303
        kinds = [
            s.split()[0] + (" IMMEDIATE" if s == "BEGIN IMMEDIATE" else "") for s in statements
        ]
        assert kinds == [
            "BEGIN",
            "SELECT",
            "SELECT",
            "COMMIT",
            "BEGIN IMMEDIATE",
            "SELECT",  # the presence list, by its primary key
            "INSERT",
            "INSERT",
        ]
        assert "ballot_presence" in statements[5]
        assert cast(*people[2][1:]) == 403  # not on the presence list: nothing stored
        with Session(app.state.engine) as s:
            assert stored_ballots(s) == 2
            assert s.scalar(select(func.count()).select_from(Participation)) == 2
    finally:
        app.state.engine.dispose()
