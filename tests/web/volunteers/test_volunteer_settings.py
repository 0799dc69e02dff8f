"""Settings through the pages: a team's sign-up rules, an activity's overrides,
and star-level schemes per area (with their effect on the profile and the
public page)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.audit import AuditEntry
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.volunteering import attend_whole_shift, make_shift
from tests.support.world import MakeClient, World
from volunteers import attendance, signups, teams
from volunteers.models import Activity, StarSchemeRecord, Team
from volunteers.rules.settings import RULE_NAMES
from volunteers.rules.signup import ShiftRules
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def team_id(app: Starlette, engine: Engine, world: World) -> int:
    """A team of the community led by 'teamleader'."""
    app.state.fixed_now = NOW
    leader = world["people"]["team_leader"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        team = teams.create_team(
            s, area=world["community"], name="设置测试队", kind="featured", join_mode="open"
        )
        teams.invite(s, team, leader, leader.id)
        teams.join(s, team, leader.id)
        teams.set_role(s, team, leader.id, "leader", leader.id)
    return team.id


def _team(engine: Engine, team_id: int) -> Team:
    with Session(engine) as s:
        team = s.get(Team, team_id)
        assert team is not None
        s.expunge(team)
        return team


def _field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="f-{name}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_the_team_rules_page_saves_every_rule_or_nothing(
    client: FormClient, team_id: int, engine: Engine
) -> None:
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/teams/{team_id}/rules"
    html = client.get(page).text
    for name in RULE_NAMES:
        assert f'name="{name}"' in html, name
    form = {k: str(v) for k, v in vars(ShiftRules()).items()}
    r = client.submit(page, form | {"coverage_percent": "0", "no_show_lock": "3"}, page=page)
    assert r.status_code == 422
    assert _field_error(r.text, "coverage_percent") == "请输入 1 至 100 之间的整数。"
    assert 'value="3"' in r.text  # what was typed is kept
    assert _team(engine, team_id).no_show_lock == 2  # nothing stored
    r = client.submit(page, form | {"no_show_lock": "3", "consent_age": "16"}, page=page)
    assert r.status_code == 303 and r.headers["location"] == page
    team = _team(engine, team_id)
    assert (team.no_show_lock, team.consent_age) == (3, 16)
    with Session(engine) as s:
        actions = s.scalars(select(AuditEntry.action)).all()
    assert actions.count("volunteer.team_rules") == 1


def test_team_rules_an_activitys_own_settings_would_not_fit_are_refused(
    client: FormClient, team_id: int, engine: Engine, world: World
) -> None:
    """An activity lets 12-year-olds sign up alone; the team may not then say that
    consent is needed only under 11 (the activity would be senseless)."""
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        shift = make_shift(s, world["community"], NOW + timedelta(days=2), team=team)
        activity = s.get(Activity, shift.activity_id)
        assert activity is not None
        activity.title, activity.self_signup_age = "少年科普营", 12
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/teams/{team_id}/rules"
    form = {k: str(v) for k, v in vars(ShiftRules()).items()}
    r = client.submit(page, form | {"consent_age": "11"}, page=page)
    assert r.status_code == 422
    assert "少年科普营" in r.text and "请先修改这些活动" in r.text
    assert _team(engine, team_id).consent_age == 14  # nothing stored
    r = client.submit(page, form | {"consent_age": "12"}, page=page)
    assert r.status_code == 303 and _team(engine, team_id).consent_age == 12


def test_the_team_rules_page_is_for_the_teams_leaders(
    make_client: MakeClient, team_id: int
) -> None:
    (volunteer,) = [make_client()]
    volunteer.sign_in("volunteer", PASSWORD)
    assert volunteer.get(f"/lead/teams/{team_id}/rules").status_code == 403


def _new_shift_form(world: World, **rules: str) -> dict[str, str]:
    start = (NOW + timedelta(days=3)).astimezone(LOCAL_TZ)
    return {
        "title": "社区义诊",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "5",
        "area_id": str(world["community"].id),
    } | rules


def test_a_new_activity_takes_overrides_checked_against_the_team(
    client: FormClient, team_id: int, engine: Engine, world: World
) -> None:
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/teams/{team_id}"
    # Signing up alone from 15 while the team needs consent only under 14: senseless.
    r = client.submit(f"{page}/shifts", _new_shift_form(world, self_signup_age="15"), page=page)
    assert r.status_code == 422
    assert _field_error(r.text, "self_signup_age") == "该年龄不能高于无需监护人同意的年龄。"
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Activity)) == 0
    r = client.submit(f"{page}/shifts", _new_shift_form(world, consent_age="16"), page=page)
    assert r.status_code == 303
    with Session(engine) as s:
        activity = s.scalars(select(Activity)).one()
        assert activity.consent_age == 16
        assert activity.no_show_lock is None and activity.opens_hours_before is None


def test_the_activity_form_shows_the_team_setting_and_saves_overrides(
    client: FormClient, team_id: int, engine: Engine, world: World
) -> None:
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        shift = make_shift(s, world["community"], NOW + timedelta(days=2), team=team)
        activity_id, shift_id = shift.activity_id, shift.id
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/activities/{activity_id}"
    html = client.get(page).text
    assert 'placeholder="14"' in html and "留空：与服务队相同（14）" in html
    details = {"title": "社区清洁行动", "service_content": "环境整治"}
    r = client.submit(page, details | {"offer_minutes": "1", "title": ""}, page=page)
    assert r.status_code == 422
    assert _field_error(r.text, "offer_minutes") == "请输入 5 至 1440 之间的整数。"
    assert _field_error(r.text, "title")  # both parts are checked at once
    r = client.submit(
        page, details | {"no_show_lock": "3", "offer_minutes": "45", "consent_age": "16"}, page=page
    )
    assert r.status_code == 303
    assert "未满 16 周岁须监护人同意" in client.get(f"/volunteers/shifts/{shift_id}").text
    with Session(engine) as s:
        activity = s.get(Activity, activity_id)
        assert activity is not None
        rules = (activity.no_show_lock, activity.offer_minutes, activity.consent_age)
        assert rules == (3, 45, 16)
        assert activity.opens_hours_before is None  # left empty: the team's
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "volunteer.activity_rules")
            )
            == 1
        )


def test_the_roster_locks_by_the_teams_rule(
    client: FormClient, team_id: int, engine: Engine, world: World
) -> None:
    volunteer = world["people"]["volunteer"].id
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        assert team is not None
        teams.join(s, team, volunteer)
        for days in (9, 5):
            past = make_shift(s, world["community"], NOW - timedelta(days=days), team=team)
            signups.sign_up(s, past.id, volunteer, past.starts_at - timedelta(days=1))
            attendance.mark(
                s,
                past.id,
                volunteer,
                checked_in=None,
                checked_out=None,
                no_show=True,
                actor_id=volunteer,
                now=NOW,
            )
    client.sign_in("teamleader", PASSWORD)
    locked = "因多次未到被限制报名"
    assert locked in client.get(f"/lead/teams/{team_id}").text
    with Session(engine) as s, s.begin():
        team = s.get(Team, team_id)
        assert team is not None
        team.no_show_lock = 3
    assert locked not in client.get(f"/lead/teams/{team_id}").text


def _serve(engine: Engine, world: World, account_id: int, hours: int) -> None:
    """``hours`` of attended service, recorded well before NOW (past any notice)."""
    with Session(engine) as s, s.begin():
        shift = make_shift(s, world["community"], NOW - timedelta(days=30), hours=hours)
        attend_whole_shift(s, shift, account_id, actor_id=None, now=NOW - timedelta(days=29))


def test_a_district_scheme_changes_the_stars_shown(
    app: Starlette, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    _serve(engine, world, world["people"]["volunteer"].id, 3)
    admin, worker, volunteer = make_client(), make_client(), make_client()
    admin.sign_in("admin", PASSWORD)
    worker.sign_in("communityworker", PASSWORD)
    volunteer.sign_in("volunteer", PASSWORD)
    assert 'data-stars="0"' in volunteer.get("/volunteers/me").text
    page = "/admin/volunteers/stars"
    scheme = {"area_id": str(world["district"].id), "hours": "2 4 8", "notice_days": "0"}
    # A community's worker does not set the district's scheme.
    assert worker.submit(page, scheme, page=page).status_code == 403
    r = admin.submit(page, scheme | {"hours": "4 2"}, page=page)
    assert r.status_code == 422
    assert _field_error(r.text, "hours") == "每一级的小时数须高于前一级。"
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(StarSchemeRecord)) == 0
    assert admin.submit(page, scheme, page=page).status_code == 303
    me = volunteer.get("/volunteers/me").text
    assert 'data-stars="1"' in me and "★☆☆" in me  # three levels in this scheme
    assert "星级标准（由一区设定）" in me
    public = make_client().get("/volunteers").text
    assert "一区" in public and "一星" in public and "2 小时" in public
    assert "八星" not in public
    data = make_client().get("/api/v1/volunteer/star-levels").json()
    assert data["default"] == {"hours": [100, 300, 600, 1000, 1500], "notice_days": 7}
    assert data["items"] == [
        {
            "area_id": world["district"].id,
            "area_name": "一区",
            "hours": [2, 4, 8],
            "notice_days": 0,
        }
    ]
