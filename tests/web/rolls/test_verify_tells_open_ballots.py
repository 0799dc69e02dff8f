"""Verifying oneself while a ballot of one's area is open: the inbox shows its
opening notice, once (the same one the job told the others)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.notifying import sweeps
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.people import person, roll_csv
from tests.support.world import World

NOW = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)
OPENED = "您可参加的投票已开始：加装电梯"


def test_self_verification_while_a_ballot_is_open_brings_its_notice(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    client.sign_in("admin", PASSWORD)
    imported = client.submit(
        "/admin/rolls/import",
        files={"file": ("roll.csv", roll_csv(3).encode())},
        page="/admin/rolls",
    )
    assert imported.status_code == 303
    client.post("/logout", data={"csrf_token": client.csrf("/")})
    with Session(engine) as s, s.begin():
        create_box(
            s,
            NewBox(
                title="加装电梯",
                area=world["street"],
                roll=Roll.RESIDENTS,
                opens_at=NOW - timedelta(hours=2),
                closes_at=NOW + timedelta(days=2),
                form=BallotForm(FormKind.YES_NO),
                rule={"rule": "threshold", "base": "cast"},
                items=[NewItem("同意加装")],
            ),
            None,
        )
        sweeps.sweep(s, NOW - timedelta(hours=1))  # told at the opening: nobody verified yet
    client.sign_in("nobody", PASSWORD)
    assert OPENED not in client.get("/account/notices").text
    name, number, born = person(1)
    ok = client.submit(
        "/verify",
        {"name": name, "id_number": number, "birth_date": born.isoformat()},
        page="/verify",
    )
    assert ok.status_code == 303
    with Session(engine) as s, s.begin():
        sweeps.sweep(s, NOW + timedelta(minutes=1))  # the job's next run adds nothing
    assert client.get("/account/notices").text.count(OPENED) == 1
