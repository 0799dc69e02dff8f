"""``/api/v1/volunteer/hours`` is public open data: totals per team and per month,
nothing about any one person (no names, logins or hours per person), whoever asks.

A team's or month's total made of fewer than three people's hours is withheld
(volunteers.rules.disclosure): a team of one or two would give their hours to anyone
who knows who serves there. The total keeps every minute."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import statements_of_page
from tests.support.volunteering import backfilled_hours, make_person
from tests.support.world import MakeClient, World
from volunteers.models import HoursEntry, Team

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
KEYS = {"total_minutes", "by_team", "teams_withheld", "by_month", "months_withheld"}


def _team(s: Session, world: World, name: str, minutes: list[int]) -> Team:
    """A team whose hours come from ``len(minutes)`` new people, one line each."""
    team = Team(area_id=world["community"].id, name=name, kind="featured")
    s.add(team)
    s.flush()
    for n, m in enumerate(minutes):
        backfilled_hours(s, team, make_person(s, f"{name}{n}"), m, NOW)
    return team


def test_an_anonymous_caller_gets_totals_and_no_personal_data(
    make_client: MakeClient, engine: Engine, world: World
) -> None:
    """Two people's team: its total (and its one month's) is theirs alone, withheld."""
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
    assert set(data) == KEYS
    assert data["total_minutes"] == 1020
    assert data["by_team"] == [] and data["teams_withheld"] == 1
    assert data["by_month"] == [] and data["months_withheld"] == 1
    assert "东门志愿队" not in r.text
    for person in ("resident", "volunteer"):
        account = people[person]
        for said in (account.display_name, account.username):
            assert said and said not in r.text
    assert "600" not in r.text and "420" not in r.text  # no one person's minutes


@pytest.mark.parametrize("signed_in", [False, True])
def test_teams_of_one_or_two_people_are_withheld_and_the_total_keeps_them(
    make_client: MakeClient, engine: Engine, world: World, signed_in: bool
) -> None:
    with Session(engine) as s, s.begin():
        _team(s, world, "独行队", [300])
        _team(s, world, "双人队", [200, 100])
        _team(s, world, "三人队", [60, 60, 60])
        # Three people, but the third's only line is corrected away: two people's hours.
        zeroed = _team(s, world, "更正队", [500, 400, 90])
        line = s.query(HoursEntry).filter_by(team_id=zeroed.id, minutes=90).one()
        s.add(
            HoursEntry(
                account_id=line.account_id,
                team_id=zeroed.id,
                area_id=zeroed.area_id,
                served_on=date(2026, 11, 2),
                minutes=-90,
                kind="correction",
                reason="误记",
                corrects_id=line.id,
            )
        )
    client = make_client()
    if signed_in:
        client.sign_in("volunteer", PASSWORD)
    data = client.get("/api/v1/volunteer/hours").json()
    assert data["total_minutes"] == 300 + 300 + 180 + 900
    assert data["by_team"] == [{"team": "三人队", "minutes": 180}]
    assert data["teams_withheld"] == 3
    assert data["by_month"] == [{"month": "2026-11", "minutes": 1680}]
    assert data["months_withheld"] == 0


def test_a_lone_month_is_withheld_with_the_smallest_other_so_the_total_hides_it(
    make_client: MakeClient, engine: Engine, world: World
) -> None:
    """One person back-fills a month of 2019 alone: that month is withheld, and so is
    the smallest listed month (else the total minus the listed months gives it)."""
    with Session(engine) as s, s.begin():
        team = _team(s, world, "老队", [100, 100, 100, 100])
        s.add(
            HoursEntry(
                account_id=make_person(s, "老队员"),
                team_id=team.id,
                area_id=team.area_id,
                served_on=date(2019, 3, 1),
                minutes=777,
                kind="backfill",
                reason="往年记录",
            )
        )
    data = make_client().get("/api/v1/volunteer/hours").json()
    assert data["total_minutes"] == 1177
    assert data["by_team"] == [{"team": "老队", "minutes": 1177}]
    assert data["by_month"] == [] and data["months_withheld"] == 2


def test_the_openapi_document_says_what_is_withheld(client: FormClient) -> None:
    doc = client.get("/api/openapi.json").json()
    hours = doc["paths"]["/api/v1/volunteer/hours"]["get"]
    assert "at least 3 distinct people" in hours["description"]
    schema = hours["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == KEYS


def _hours_statements(engine: Engine, world: World, client: FormClient, teams: int) -> int:
    with Session(engine) as s, s.begin():
        for n in range(teams):
            _team(s, world, f"队{teams}-{n}", [30, 40, 50 + n])
    seen = statements_of_page(client, "/api/v1/volunteer/hours")
    assert not any("FROM vol_hours " in sql for sql in seen)  # summaries, not the ledger
    return len(seen)


def test_the_endpoint_runs_as_many_statements_for_3n_teams_as_for_n(
    make_client: MakeClient, engine: Engine, world: World
) -> None:
    client = make_client()
    few = _hours_statements(engine, world, client, 4)
    assert client.get("/api/v1/volunteer/hours").json()["teams_withheld"] == 0
    many = _hours_statements(engine, world, client, 8)  # 4 + 8: three times as many
    data = client.get("/api/v1/volunteer/hours").json()
    assert len(data["by_team"]) == 12 and data["teams_withheld"] == 0
    assert few == many <= 4
