"""A refused phase move keeps nothing of what it did before it was refused, not even
on the page shown with the refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_ballot
from participation.livelihood import services as livelihood
from participation.livelihood.models import LivelihoodCandidate
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.projects import DEPUTIES, seed_cycle
from tests.support.world import World

NOW = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)


def test_publishing_refused_by_the_plan_shows_nothing_adopted(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    # A 2027 cycle whose project is due by the end of 2026: adopting it flags it as
    # adopted and publishes the box, then the plan refuses an item due before it starts.
    cycle_id = seed_cycle(engine, world, to_session=True, year=2027)
    people = world["people"]
    assert isinstance(people, dict)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        cycle = livelihood.get_cycle(s, cycle_id)
        box = livelihood.open_ballot(s, cycle, people["staff"].id, NOW, NOW + timedelta(hours=1))
        first = livelihood.candidates_of(s, cycle)[0]
        for login in DEPUTIES[:2]:
            cast_ballot(s, box, people[login].id, {"approved": [first.ballot_key]}, NOW)
    app.state.fixed_now = NOW + timedelta(hours=2)
    client.sign_in("staff", PASSWORD)
    page = f"/admin/livelihood/{cycle_id}"
    refused = client.submit(f"{page}/advance", {"from": "session"}, page=page)
    assert refused.status_code == 422
    assert "完成日期早于开始日期" in refused.text  # the plan's reason
    assert "<strong>adopted</strong>" not in refused.text  # the page reads what is stored
    with Session(engine) as s:
        assert get_box(s, box.id).published_at is None
        statuses = s.scalars(
            select(LivelihoodCandidate.status).where(LivelihoodCandidate.cycle_id == cycle_id)
        )
        assert "adopted" not in set(statuses)
        assert livelihood.get_cycle(s, cycle_id).phase == "session"
