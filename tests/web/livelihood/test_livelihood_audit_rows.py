"""One action of the livelihood back office, one audit row: written by the service,
with the address it came from, never a second one by the route."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from starlette.applications import Starlette

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.projects import CYCLE_NOW as NOW
from tests.support.projects import last_row, rows_since, seed_cycle
from tests.support.world import World
from web.kit.i18n import LOCAL_TZ


def test_a_phase_move_writes_one_audit_row(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    cycle_id = seed_cycle(engine, world, to_session=False)
    client.sign_in("staff", PASSWORD)
    page = f"/admin/livelihood/{cycle_id}"
    before = last_row(engine)
    moved = client.submit(f"{page}/advance", {"from": "solicitation"}, page=page)
    assert moved.status_code == 303, moved.text
    (row,) = rows_since(engine, before)  # one row, not two
    assert row.action == "livelihood.phase" and row.target == f"livelihood_cycle:{cycle_id}"
    assert '"screening"' in row.detail and row.ip  # the address the route knows


def test_opening_the_ballot_writes_one_audit_row(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    cycle_id = seed_cycle(engine, world, to_session=True)
    client.sign_in("staff", PASSWORD)
    page = f"/admin/livelihood/{cycle_id}"
    before = last_row(engine)
    closes = (NOW + timedelta(hours=1)).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")
    opened = client.submit(f"{page}/ballot", {"closes_at": closes}, page=page)
    assert opened.status_code == 303, opened.text
    (row,) = rows_since(engine, before)  # one row, not two
    assert row.action == "livelihood.ballot_opened"
    assert row.target == f"livelihood_cycle:{cycle_id}" and row.ip
    assert '"box"' in row.detail  # the box it opened, as the route's row used to say
