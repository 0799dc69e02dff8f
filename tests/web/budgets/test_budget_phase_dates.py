"""The closing time typed when voting opens is read by the one form reader: full-width
digits are read, an unreadable time gets its own message beside the field (never
"now", never a 500) and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.budgets.models import BudgetRound
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.projects import seed_round
from tests.support.world import World
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def screened_round(client: FormClient, engine: Engine, world: World) -> str:
    """A round in screening with both proposals accepted; the back-office page."""
    round_id, ids = seed_round(engine, world)
    client.sign_in("communityworker", PASSWORD)
    page = f"/admin/budgets/{round_id}"
    assert client.submit(f"{page}/advance", {"from": "proposal"}, page=page).status_code == 303
    for proposal_id in ids:
        screened = client.submit(
            f"/admin/budgets/proposals/{proposal_id}/screen",
            {"decision": "accept", "feasibility": "可行", "legality": "合规"},
            page=page,
        )
        assert screened.status_code == 303
    return page


def phase(engine: Engine, page: str) -> str:
    with Session(engine) as s:
        found = s.get(BudgetRound, int(page.rsplit("/", 1)[1]))
        assert found is not None
        return found.phase


def test_an_unreadable_closing_time_is_marked_and_changes_nothing(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    page = screened_round(client, engine, world)
    for typed in ("next tuesday", "2026-02-30T10:00", "2026-05-10"):
        refused = client.submit(
            f"{page}/advance", {"from": "screening", "closes_at": typed}, page=page
        )
        assert refused.status_code == 422
        assert 'id="f-closes_at-error"' in refused.text
        assert "请按 YYYY-MM-DD HH:MM 格式填写日期和时间" in refused.text
        assert f'value="{typed}"' in refused.text  # what was typed is kept
        assert phase(engine, page) == "screening"


def test_a_closing_time_in_full_width_digits_is_read(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    page = screened_round(client, engine, world)
    closes = (NOW + timedelta(hours=2)).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")
    opened = client.submit(
        f"{page}/advance",
        {"from": "screening", "closes_at": closes.translate(FULL_WIDTH)},
        page=page,
    )
    assert opened.status_code == 303, opened.text
    assert phase(engine, page) == "voting"
