"""What the public volunteer pages read (volunteers/listings.py), on SQLite and on
PostgreSQL: the page of coming shifts with its count and waiting figures, the teams,
the star schemes in force in tree order, a shift with the viewer's waitlist place,
a team with its member count, leaders and the viewer's membership."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.support.volunteering import make_person, make_shift
from tests.support.world import World
from volunteers import listings, signups, stars, teams
from volunteers.models import Activity, Team

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def test_the_listings_read_what_the_pages_show(world: World, session: Session) -> None:
    made = [make_shift(session, world["community"], NOW + timedelta(days=1 + k)) for k in range(5)]
    make_shift(session, world["community"], NOW - timedelta(days=2))  # over
    full = made[-1]
    first, second, third = (make_person(session, f"报名{n}") for n in "甲乙丙")
    for person in (first, second, third):
        signups.sign_up(session, full.id, person, NOW)  # two places: the third waits
    rows, number, total = listings.coming_shifts(session, 2, 3, NOW, public_only=True)
    assert (number, total) == (2, 5)
    assert [r.id for r in rows] == [made[3].id, made[4].id]
    assert (rows[1].free, rows[1].waiting, rows[1].title) == (0, 1, "社区清洁行动")
    assert listings.coming_shifts(session, 9, 3, NOW, public_only=True)[1:] == (2, 5)
    team_id = session.get_one(Activity, full.activity_id).team_id
    mine = listings.coming_shifts(session, 1, 3, NOW, team_id=team_id)
    assert ([r.id for r in mine[0]], mine[1:]) == ([full.id], (1, 1))

    lines, number, total = listings.teams_page(session, 2, 4)
    assert (number, total, len(lines)) == (2, 6, 2)
    assert lines[0].area_name == "一社区"

    stars.set_scheme(session, world["community"], "1 2", "0", world["people"]["admin"].id, NOW)
    stars.set_scheme(session, world["district"], "5 9", "3", world["people"]["admin"].id, NOW)
    in_force = listings.schemes_in_force(session, NOW)
    assert [(name, scheme.hours) for name, scheme in in_force] == [
        ("一区", (5, 9)),
        ("一社区", (1, 2)),
    ]

    anonymous = listings.shift_view(session, full.id, None)
    assert (anonymous.area_name, anonymous.waiting, anonymous.mine) == ("一社区", 1, None)
    waiting = listings.shift_view(session, full.id, third)
    assert waiting.mine is not None and waiting.mine.status == "waitlisted"
    assert waiting.position == 1
    confirmed = listings.shift_view(session, full.id, first)
    assert confirmed.mine is not None and (confirmed.mine.status, confirmed.position) == (
        "confirmed",
        None,
    )

    team = session.get_one(Team, team_id)
    leader = world["people"]["team_leader"]
    teams.invite(session, team, leader, leader.id)
    teams.join(session, team, leader.id)
    teams.set_role(session, team, leader.id, "leader", leader.id)
    teams.join(session, team, first)
    view = listings.team_view(session, team_id, first)
    assert (view.area_name, view.member_count, view.leaders) == ("一社区", 2, [leader.display_name])
    assert view.mine is not None and view.mine.status == "active"
    assert listings.team_view(session, team_id, None).mine is None
