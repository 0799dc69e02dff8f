"""Who may do this, here, to whom: volunteer certificates, team leaders' member
actions, shift places, roll-import jobs and a team's last leader (issue 13, item 5).

Each refusal is a 403 page or a form error, and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation import accounts
from participation.rules.permissions import Role
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.people import roll_csv
from tests.support.volunteering import backfilled_hours
from tests.support.world import MakeClient, World
from volunteers import teams
from volunteers.models import (
    Certificate,
    HoursEntry,
    Membership,
    Qualification,
    Shift,
    Team,
    VolunteerProfile,
)
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def local(dt: datetime) -> str:
    return dt.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def _team(s: Session, area_id: int, name: str, leader_id: int | None = None) -> Team:
    team = Team(area_id=area_id, name=name, kind="featured", join_mode="open")
    s.add(team)
    s.flush()
    if leader_id is not None:
        s.add(Membership(team_id=team.id, account_id=leader_id, role="leader", status="active"))
    return team


def _hours(s: Session, team: Team, account_id: int, minutes: int = 600) -> None:
    backfilled_hours(s, team, account_id, minutes, NOW)


@pytest.fixture
def scoped(app: Starlette, world: World, engine: Engine) -> dict[str, Team]:
    """Team A in the worker's community (led by 'teamleader'), team B in the
    other community; 'volunteer' served only in team B."""
    app.state.fixed_now = NOW
    people = world["people"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        a = _team(s, world["community"].id, "一社区服务队", people["team_leader"].id)
        b = _team(s, world["other"].id, "二社区服务队")
        s.add(Membership(team_id=b.id, account_id=people["volunteer"].id, status="active"))
        _hours(s, b, people["volunteer"].id)
    return {"a": a, "b": b}


def _count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# --- certificates --------------------------------------------------------------------


def test_worker_cannot_issue_a_certificate_for_hours_served_elsewhere(
    client: FormClient, scoped: dict[str, Team], engine: Engine
) -> None:
    client.sign_in("communityworker", PASSWORD)
    r = client.submit(
        "/admin/volunteers/certificates",
        {"login": "volunteer", "id_number": "", "issuer": "一社区志愿服务站"},
        page="/admin/volunteers",
    )
    assert r.status_code == 403
    assert _count(engine, Certificate) == 0


def _admin_issues(make_client: MakeClient) -> str:
    admin = make_client()
    admin.sign_in("admin", PASSWORD)
    r = admin.submit(
        "/admin/volunteers/certificates",
        {"login": "volunteer", "id_number": "", "issuer": "二社区志愿服务站"},
        page="/admin/volunteers",
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"].rsplit("/", 1)[1])


def test_worker_cannot_revoke_or_download_another_areas_certificate(
    client: FormClient, make_client: MakeClient, scoped: dict[str, Team], engine: Engine
) -> None:
    number = _admin_issues(make_client)
    client.sign_in("communityworker", PASSWORD)
    r = client.submit(
        f"/admin/volunteers/certificates/{number}/revoke",
        {"reason": "信息有误"},
        page="/admin/volunteers",
    )
    assert r.status_code == 403
    with Session(engine) as s:
        assert s.scalars(select(Certificate.revoked_at)).one() is None
    assert client.get(f"/volunteers/certificates/{number}.pdf").status_code == 403
    # ... nor is it listed on their back-office page.
    assert number not in client.get("/admin/volunteers").text


def test_worker_of_the_area_revokes_its_certificate(
    client: FormClient,
    make_client: MakeClient,
    world: World,
    scoped: dict[str, Team],
    engine: Engine,
) -> None:
    number = _admin_issues(make_client)
    with Session(engine) as s, s.begin():
        worker = accounts.sign_up(s, login="worker2", password=PASSWORD, display_name="二社区")
        accounts.grant_role(s, worker, Role.COMMUNITY_WORKER, world["other"])
    client.sign_in("worker2", PASSWORD)
    r = client.submit(
        f"/admin/volunteers/certificates/{number}/revoke",
        {"reason": "信息有误"},
        page="/admin/volunteers",
    )
    assert r.status_code == 303


# --- team leaders and their members --------------------------------------------------


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("qualify", {"code": "first_aid"}),
        ("consent", {"guardian": "王监护"}),
        ("unlock", {}),
        ("role", {"role": "core"}),
    ],
)
def test_leader_cannot_act_on_someone_outside_the_team(
    client: FormClient,
    world: World,
    scoped: dict[str, Team],
    engine: Engine,
    action: str,
    extra: dict[str, str],
) -> None:
    target = world["people"]["volunteer"].id  # a member of team B only
    client.sign_in("teamleader", PASSWORD)
    team_id = scoped["a"].id
    r = client.submit(
        f"/lead/teams/{team_id}/members/{target}",
        {"action": action, **extra},
        page=f"/lead/teams/{team_id}",
    )
    assert r.status_code == 403
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Qualification)) == 0
        profile = s.get(VolunteerProfile, target)
        assert profile is None or (profile.guardian_name, profile.no_shows_cleared_at) == (
            None,
            None,
        )


def test_leader_qualifies_a_member_of_the_team(
    client: FormClient, world: World, scoped: dict[str, Team], engine: Engine
) -> None:
    target = world["people"]["resident"].id
    with Session(engine) as s, s.begin():
        s.add(Membership(team_id=scoped["a"].id, account_id=target, status="active"))
    client.sign_in("teamleader", PASSWORD)
    team_id = scoped["a"].id
    r = client.submit(
        f"/lead/teams/{team_id}/members/{target}",
        {"action": "qualify", "code": "first_aid"},
        page=f"/lead/teams/{team_id}",
    )
    assert r.status_code == 303
    assert _count(engine, Qualification) == 1


def test_leader_cannot_publish_a_shift_outside_the_teams_area(
    client: FormClient, world: World, scoped: dict[str, Team], engine: Engine
) -> None:
    client.sign_in("teamleader", PASSWORD)
    team_id = scoped["a"].id
    start = NOW + timedelta(days=3)
    form = {
        "title": "社区敬老服务",
        "service_content": "敬老助老",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=2)),
        "capacity": "5",
        "area_id": str(world["other"].id),
        "place": "二社区活动中心",
    }
    r = client.submit(f"/lead/teams/{team_id}/shifts", form, page=f"/lead/teams/{team_id}")
    assert r.status_code == 422
    assert "服务队所在区域" in r.text
    assert _count(engine, Shift) == 0
    form["area_id"] = str(world["grid"].id)  # a grid inside the team's community
    r = client.submit(f"/lead/teams/{team_id}/shifts", form, page=f"/lead/teams/{team_id}")
    assert r.status_code == 303
    assert _count(engine, Shift) == 1


def test_last_leader_cannot_leave_or_step_down(
    client: FormClient, world: World, scoped: dict[str, Team], engine: Engine
) -> None:
    client.sign_in("teamleader", PASSWORD)
    team_id = scoped["a"].id
    r = client.submit(f"/volunteers/teams/{team_id}/leave", page=f"/volunteers/teams/{team_id}")
    assert r.status_code == 409
    assert "唯一的队长" in r.text
    me = world["people"]["team_leader"].id
    r = client.submit(
        f"/lead/teams/{team_id}/members/{me}",
        {"action": "role", "role": "member"},
        page=f"/lead/teams/{team_id}",
    )
    assert r.status_code == 409
    with Session(engine) as s:
        assert teams.is_leader(s, team_id, me)
    # With a second leader, the first may go.
    other = world["people"]["resident"].id
    with Session(engine) as s, s.begin():
        s.add(Membership(team_id=team_id, account_id=other, role="leader", status="active"))
    r = client.submit(f"/volunteers/teams/{team_id}/leave", page=f"/volunteers/teams/{team_id}")
    assert r.status_code == 303


# --- roll-import jobs ----------------------------------------------------------------


def test_worker_cannot_read_another_areas_import_job(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    with Session(engine) as s, s.begin():
        worker = accounts.sign_up(s, login="worker2", password=PASSWORD, display_name="二社区")
        accounts.grant_role(s, worker, Role.COMMUNITY_WORKER, world["other"])
    other = make_client()
    other.sign_in("worker2", PASSWORD)
    r = other.submit(
        "/admin/rolls/import",
        files={"file": ("roll.csv", roll_csv(3, community="M2").encode())},
        page="/admin/rolls",
    )
    assert r.status_code == 303
    job_url = str(r.headers["location"])
    assert other.get(job_url).status_code == 200
    client.sign_in("communityworker", PASSWORD)
    assert client.get(job_url).status_code == 403
    assert job_url not in client.get("/admin/rolls").text
    admin = make_client()
    admin.sign_in("admin", PASSWORD)
    assert admin.get(job_url).status_code == 200


# --- attendance on the roster (issue 13, item 6) -------------------------------------


def test_roster_a_few_minutes_into_a_shift_credits_nothing_ahead(
    app: Starlette, client: FormClient, world: World, scoped: dict[str, Team], engine: Engine
) -> None:
    from tests.support.volunteering import make_shift
    from volunteers import signups

    people = world["people"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        team = s.get(Team, scoped["a"].id)
        shift = make_shift(s, world["community"], NOW - timedelta(minutes=5), hours=1, team=team)
        signups.sign_up(s, shift.id, people["resident"].id, NOW - timedelta(days=1))
        shift_id, starts, ends = shift.id, shift.starts_at, shift.ends_at
    client.sign_in("teamleader", PASSWORD)
    page = f"/lead/shifts/{shift_id}"
    roster = client.get(page).text
    assert 'name="checked_out" value=""' in roster  # the end is not offered before it came
    r = client.submit(
        f"{page}/attendance",
        {
            "account_id": str(people["resident"].id),
            "checked_in": local(starts),
            "checked_out": local(ends),
        },
        page=page,
    )
    assert r.status_code == 422 and "这个时间还没到" in r.text
    assert _count(engine, HoursEntry) == 1  # only the fixture's back-fill
