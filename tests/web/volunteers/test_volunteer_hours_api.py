"""``/api/v1/volunteer/hours`` is public open data: totals per team and per month,
nothing about any one person (no names, logins or hours per person), whoever asks.

A guard, not a fix: the endpoint was found to give aggregates only (city scale
review); this keeps it so."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.support.volunteering import backfilled_hours
from tests.support.world import MakeClient, World
from volunteers.models import Team

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_an_anonymous_caller_gets_totals_and_no_personal_data(
    make_client: MakeClient, engine: Engine, world: World
) -> None:
    people = world["people"]
    with Session(engine) as s, s.begin():
        team = Team(area_id=world["community"].id, name="东门志愿队", kind="featured")
        s.add(team)
        s.flush()
        backfilled_hours(s, team, people["resident"].id, 600, NOW)
        backfilled_hours(s, team, people["volunteer"].id, 420, NOW)
    r = make_client().get("/api/v1/volunteer/hours")
    assert r.status_code == 200
    data = r.json()
    assert set(data) == {"total_minutes", "by_team", "by_month"}
    assert data["total_minutes"] == 1020
    assert data["by_team"] == [{"team": "东门志愿队", "minutes": 1020}]
    assert data["by_month"] == [{"month": "2026-11", "minutes": 1020}]
    for person in ("resident", "volunteer"):
        account = people[person]
        for said in (account.display_name, account.username):
            assert said and said not in r.text
    assert "600" not in r.text and "420" not in r.text  # no one person's minutes
