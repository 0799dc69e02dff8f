"""One action of the budget back office, one audit row: written by the service, with
the address it came from, never a second one by the route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from starlette.applications import Starlette

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.projects import last_row, rows_since, seed_round
from tests.support.world import World
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)


def test_each_phase_move_writes_one_audit_row(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    round_id, ids = seed_round(engine, world)
    client.sign_in("communityworker", PASSWORD)
    page = f"/admin/budgets/{round_id}"

    before = last_row(engine)
    assert client.submit(f"{page}/advance", {"from": "proposal"}, page=page).status_code == 303
    (moved,) = rows_since(engine, before)  # one row, not two
    assert moved.action == "budget.round_phase" and moved.target == f"budget_round:{round_id}"
    assert '"screening"' in moved.detail and moved.ip  # the address the route knows

    for proposal_id in ids:
        screened = client.submit(
            f"/admin/budgets/proposals/{proposal_id}/screen",
            {"decision": "accept", "feasibility": "可行", "legality": "合规"},
            page=page,
        )
        assert screened.status_code == 303
    before = last_row(engine)
    closes = (NOW + timedelta(hours=2)).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")
    opened = client.submit(f"{page}/advance", {"from": "screening", "closes_at": closes}, page=page)
    assert opened.status_code == 303, opened.text
    assert [r.action for r in rows_since(engine, before)] == ["budget.round_phase"]


def test_a_refused_phase_move_writes_no_audit_row(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    round_id, _ = seed_round(engine, world)
    client.sign_in("communityworker", PASSWORD)
    page = f"/admin/budgets/{round_id}"
    before = last_row(engine)
    stale = client.submit(f"{page}/advance", {"from": "voting"}, page=page)
    assert stale.status_code == 409
    assert rows_since(engine, before) == []
