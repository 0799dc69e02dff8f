"""The leader's rarer forms on pages of their own, so that the roster (25 members
a page, visited often) stays light: a new shift at /lead/teams/<id>/shifts/new
(the form still posts to /lead/teams/<id>/shifts, a refused form comes back on
it), a member's qualifications and guardian's consent at
/lead/teams/<id>/members/<account> (the forms post to the same address and come
back to it). The roster's rows link to both; nothing a leader could do is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.volunteering import make_person
from volunteers import profiles, teams
from volunteers.models import Shift, Team
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def team_id(app: Any, engine: Engine, world: dict[str, Any]) -> int:
    """A team of the community led by 'teamleader', with the 'volunteer' a member."""
    app.state.fixed_now = NOW
    leader = world["people"]["team_leader"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        team = teams.create_team(
            s, area=world["community"], name="表单页测试队", kind="featured", join_mode="open"
        )
        teams.invite(s, team, leader, leader.id)
        teams.join(s, team, leader.id)
        teams.set_role(s, team, leader.id, "leader", leader.id)
        teams.join(s, team, world["people"]["volunteer"].id)
    return team.id


def test_the_roster_links_to_the_new_shift_page_which_publishes(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Fails on the old code: the new-shift form (with its area choice) was on
    the roster, and /shifts/new did not exist."""
    client.sign_in("teamleader", PASSWORD)
    roster = client.get(f"/lead/teams/{team_id}").text
    assert 'id="new-shift-form"' not in roster
    page = f"/lead/teams/{team_id}/shifts/new"
    assert f'href="{page}"' in roster
    html = client.get(page).text
    assert 'id="new-shift-form"' in html and f'action="/lead/teams/{team_id}/shifts"' in html
    assert 'id="f-area_id"' in html and 'id="new-activity-rules"' in html
    start = (NOW + timedelta(days=3)).astimezone(LOCAL_TZ)
    form = {
        "title": "社区义诊",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": "明天中午",
        "capacity": "5",
        "area_id": str(world["community"].id),
        "q_first_aid": "1",
    }
    # Refused: the new-shift page again, with what was typed, and nothing stored.
    r = client.submit(f"/lead/teams/{team_id}/shifts", form, page=page)
    assert r.status_code == 422 and 'id="f-ends_at-error"' in r.text
    assert 'id="new-shift-form"' in r.text and 'value="社区义诊"' in r.text
    assert 'name="q_first_aid" value="1" checked' in r.text
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Shift)) == 0
    form["ends_at"] = (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = client.submit(f"/lead/teams/{team_id}/shifts", form, page=page)
    assert r.status_code == 303 and r.headers["location"] == f"/lead/teams/{team_id}"
    assert "社区义诊" in client.get(f"/lead/teams/{team_id}").text


def test_a_members_page_records_a_qualification_and_a_guardians_consent(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """Fails on the old code: the two forms were in every roster row (most of the
    page's weight) and the member's page did not exist."""
    volunteer = world["people"]["volunteer"].id
    client.sign_in("teamleader", PASSWORD)
    roster = client.get(f"/lead/teams/{team_id}").text
    page = f"/lead/teams/{team_id}/members/{volunteer}"
    row = roster.split(f'<tr id="member-{volunteer}"', 1)[1].split("</tr>", 1)[0]
    assert f'<a href="{page}">' in row and 'name="guardian"' not in row
    assert 'name="role"' in row  # the role stays on the roster
    html = client.get(page).text
    assert 'name="code"' in html and 'name="guardian"' in html
    r = client.submit(page, {"action": "qualify", "code": "first_aid", "back": "member"}, page=page)
    assert r.status_code == 303 and r.headers["location"] == page
    with Session(engine) as s:
        assert "first_aid" in profiles.qualifications_of(s, volunteer, NOW.date())
    # A consent without the guardian's name: the member's page with the message.
    r = client.submit(page, {"action": "consent", "guardian": " ", "back": "member"}, page=page)
    assert r.status_code == 422 and "请输入监护人姓名" in r.text and 'name="guardian"' in r.text
    with Session(engine) as s:
        profile = profiles.profile_of(s, volunteer)
        assert profile is None or profile.guardian_consent_at is None
    r = client.submit(page, {"action": "consent", "guardian": "王芳", "back": "member"}, page=page)
    assert r.status_code == 303 and r.headers["location"] == page
    with Session(engine) as s:
        profile = profiles.profile_of(s, volunteer)
        assert profile is not None and profile.guardian_name == "王芳"


def test_a_members_page_is_only_for_someone_in_the_team(
    client: FormClient, engine: Engine, team_id: int
) -> None:
    with Session(engine) as s, s.begin():
        stranger = make_person(s, "路人甲")
    client.sign_in("teamleader", PASSWORD)
    assert client.get(f"/lead/teams/{team_id}/members/{stranger}").status_code == 404


def test_a_locked_member_is_marked_and_unlocked_from_the_roster(
    client: FormClient, engine: Engine, world: dict[str, Any], team_id: int
) -> None:
    """The lock now comes with the roster's own statement (a missed-shift count a
    member): the mark and the unlock button show for the locked member alone."""
    from tests.support.volunteering import make_shift
    from volunteers import attendance, signups

    volunteer = world["people"]["volunteer"].id
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        assert team is not None
        team.no_show_lock = 1
        missed = make_shift(s, world["community"], NOW - timedelta(days=9), team=team)
        signups.sign_up(s, missed.id, volunteer, missed.starts_at - timedelta(days=1))
        attendance.mark(
            s,
            missed.id,
            volunteer,
            checked_in=None,
            checked_out=None,
            no_show=True,
            actor_id=volunteer,
            now=NOW,
        )
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/teams/{team_id}"
    html = client.get(page).text
    assert html.count("因多次未到被限制报名") == 1 and html.count('value="unlock"') == 1
    row = html.split(f'<tr id="member-{volunteer}"', 1)[1].split("</tr>", 1)[0]
    assert "因多次未到被限制报名" in row and 'value="unlock"' in row
    member = f"{page}/members/{volunteer}"
    assert client.submit(member, {"action": "unlock"}, page=page).status_code == 303
    assert "因多次未到被限制报名" not in client.get(page).text
