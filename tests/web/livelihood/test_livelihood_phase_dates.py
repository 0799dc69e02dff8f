"""Closing times typed in the livelihood back office are read by the one form reader:
an unreadable one gets its own message beside the field and opens nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.livelihood.models import LivelihoodCycle
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.projects import seed_cycle
from tests.support.world import World

NOW = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)


def test_an_unreadable_ballot_closing_time_is_marked_and_opens_nothing(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    cycle_id = seed_cycle(engine, world, to_session=True)
    client.sign_in("staff", PASSWORD)
    page = f"/admin/livelihood/{cycle_id}"
    for typed in ("明天下午", "2026-01-32T10:00"):
        refused = client.submit(f"{page}/ballot", {"closes_at": typed}, page=page)
        assert refused.status_code == 422
        assert 'id="f-closes_at-error"' in refused.text
        assert "请按 YYYY-MM-DD HH:MM 格式填写日期和时间" in refused.text
    missing = client.submit(f"{page}/ballot", {"closes_at": ""}, page=page)
    assert missing.status_code == 422 and "请填写日期和时间" in missing.text
    with Session(engine) as s:
        cycle = s.get(LivelihoodCycle, cycle_id)
        assert cycle is not None and cycle.box_id is None
