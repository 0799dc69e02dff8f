"""The leader's team page reads (volunteers.team_page), on SQLite and PostgreSQL:
statements built once with bound values and plain columns give the same answers
as the services they replace on that page (teams.roster_rows and roster_counts,
profiles.locked_accounts, activities.shifts_page, reports.team_minutes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.support.volunteering import make_person, make_shift
from volunteers import activities, attendance, profiles, reports, signups, team_page, teams

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
EVERYONE = ("active", "pending", "invited")


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def test_the_team_page_reads_agree_with_the_services(engine: Engine, world: dict[str, Any]) -> None:
    with Session(engine) as s, s.begin():
        team = teams.create_team(
            s, area=world["community"], name="读数队", kind="featured", join_mode="approval"
        )
        team.no_show_lock = 1
        people = [make_person(s, f"队员{k}") for k in range(6)]
        for person in people[:4]:
            teams.join(s, team, person)
            teams.decide(s, team, person, True, person)
        teams.join(s, team, people[4])  # asks to join
        teams.set_role(s, team, people[0], "core", people[0])
        missed = make_shift(s, world["community"], NOW - timedelta(days=9), team=team)
        signups.sign_up(s, missed.id, people[1], missed.starts_at - timedelta(days=1))
        attendance.mark(
            s,
            missed.id,
            people[1],
            checked_in=None,
            checked_out=None,
            no_show=True,
            actor_id=people[1],
            now=NOW,
        )
        for day in range(5):
            make_shift(s, world["community"], NOW + timedelta(days=1 + day), team=team)
        make_shift(s, world["community"], NOW - timedelta(days=30), team=team)  # long past
        team_id = team.id
    since = NOW - timedelta(days=7)
    with Session(engine) as s:
        figures = team_page.team_figures(s, team_id, since)
        counts = teams.roster_counts(s, team_id)
        assert figures.counts == {k: counts.get(k, 0) for k in EVERYONE}
        assert figures.minutes == reports.team_minutes(s, team_id)
        rows, _, total = activities.shifts_page(s, 1, 3, since=since, team_id=team_id)
        assert figures.coming_shifts == total == 5  # not the ones that ended a week ago
        for offset in (0, 2):
            entries = team_page.roster_entries(s, team_id, EVERYONE, offset, 3)
            old = teams.roster_rows(s, team_id, offset, 3, EVERYONE)
            assert [(e.account_id, e.status, e.role) for e in entries] == [
                (r.account.id, r.membership.status, r.membership.role) for r in old
            ]
        entries = team_page.roster_entries(s, team_id, EVERYONE, 0, 10)
        locked = profiles.locked_accounts(s, [e.account_id for e in entries], 1)
        assert {e.account_id for e in entries if e.locked(1)} == locked == {people[1]}
        assert team_page.roster_entry(s, team_id, people[4]).status == "pending"
        lines = team_page.coming_shifts(s, team_id, since, 0, 3)
        assert [(x.id, x.confirmed, x.waiting) for x in lines] == [
            (r.shift.id, r.shift.confirmed, r.waiting) for r in rows
        ]
        assert len(team_page.history_lines(s, team_id, 3)) == 3
        titles = team_page.activity_titles(s, team_id, 0, 100)
        assert len(titles) == figures.activities > 3 and all(t for _, t in titles)
        assert [i for i, _ in titles] == sorted((i for i, _ in titles), reverse=True)
        assert team_page.activity_titles(s, team_id, 2, 2) == titles[2:4]
