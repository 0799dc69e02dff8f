"""The volunteer back office shows and acts only within the area subtree of the
officer's grants (a grant without an area: the whole city).

A community's worker sees their community's teams, their hours (page, CSV,
XLSX) and star-scheme history, and none of another community's or of the
street above; a street's worker sees every community of the street; a
city-wide grant sees everything. Acting on another area (a team there, a
certificate for hours served there) is refused with a message, and nothing is
written."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation import accounts
from participation.areas import Area, get_area
from participation.rules.permissions import Role
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.volunteering import backfilled_hours
from tests.support.world import MakeClient, World
from volunteers import stars
from volunteers.models import Certificate, Membership, StarSchemeRecord, Team

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)

#: The teams (by name) and their minutes: one in the worker's community, one in the
#: other community of the same street, one of the street itself.
HERE, THERE, STREET = "东门志愿队", "西门志愿队", "街道志愿总队"
MINUTES = {HERE: 600, THERE: 420, STREET: 300}


def _hours(s: Session, team: Team, account_id: int, minutes: int) -> None:
    backfilled_hours(s, team, account_id, minutes, NOW)


def _officer(engine: Engine, login: str, area: Area | None) -> None:
    """A community worker (who manages volunteers) granted on ``area`` (None: everywhere)."""
    with Session(engine) as s, s.begin():
        account = accounts.sign_up(s, login=login, password=PASSWORD, display_name=login)
        accounts.grant_role(s, account, Role.COMMUNITY_WORKER, area)


@pytest.fixture
def teams3(app: Starlette, world: World, engine: Engine) -> dict[str, Team]:
    """Three teams with hours, a person serving in each: 'resident' in the worker's
    community, 'volunteer' in the other community, 'teamleader' in the street's."""
    app.state.fixed_now = NOW
    people = world["people"]
    resident, volunteer, leader = (people[p].id for p in ("resident", "volunteer", "team_leader"))
    areas = {HERE: world["community"], THERE: world["other"], STREET: world["street"]}
    made = {}
    with Session(engine, expire_on_commit=False) as s, s.begin():
        for name, area in areas.items():
            team = Team(area_id=area.id, name=name, kind="featured", join_mode="open")
            s.add(team)
            s.flush()
            who = {HERE: resident, THERE: volunteer, STREET: leader}[name]
            s.add(Membership(team_id=team.id, account_id=who, status="active"))
            _hours(s, team, who, MINUTES[name])
            made[name] = team
    return made


def _csv(client: FormClient) -> dict[str, int]:
    r = client.get("/admin/volunteers/hours.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))[1:]
    found: dict[str, int] = {}
    for _month, team, _area, minutes, _hours in rows:
        found[team] = found.get(team, 0) + int(minutes)
    return found


def _xlsx(client: FormClient) -> dict[str, int]:
    r = client.get("/admin/volunteers/hours.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    found: dict[str, int] = {}
    for _month, team, _area, minutes, _hours in list(sheet.iter_rows(values_only=True))[1:]:
        found[str(team)] = found.get(str(team), 0) + int(str(minutes))
    return found


def _shown(html: str) -> set[str]:
    return {name for name in MINUTES if name in html}


def test_a_community_worker_sees_only_their_communitys_teams_and_hours(
    client: FormClient, teams3: dict[str, Team]
) -> None:
    """Fails on the old code: every team of the city and its hours were listed."""
    client.sign_in("communityworker", PASSWORD)
    page = client.get("/admin/volunteers").text
    assert _shown(page) == {HERE}
    assert "10 小时</h2>" in page  # the total is theirs only (10 + 7 + 5 in all)
    assert f'href="/lead/teams/{teams3[THERE].id}"' not in page
    assert _csv(client) == {HERE: 600}
    assert _xlsx(client) == {HERE: 600}


def test_a_street_worker_sees_every_community_of_the_street(
    client: FormClient, engine: Engine, world: World, teams3: dict[str, Team]
) -> None:
    _officer(engine, "streetworker", world["street"])
    client.sign_in("streetworker", PASSWORD)
    page = client.get("/admin/volunteers").text
    assert _shown(page) == {HERE, THERE, STREET}
    assert "22 小时</h2>" in page
    assert _csv(client) == MINUTES
    assert _xlsx(client) == MINUTES


@pytest.mark.parametrize("login", ["admin", "cityworker"])
def test_a_city_wide_grant_sees_every_team(
    client: FormClient, engine: Engine, teams3: dict[str, Team], login: str
) -> None:
    if login == "cityworker":
        _officer(engine, "cityworker", None)
    client.sign_in(login, PASSWORD)
    page = client.get("/admin/volunteers").text
    assert _shown(page) == {HERE, THERE, STREET}
    assert "22 小时</h2>" in page
    assert _csv(client) == MINUTES
    assert _xlsx(client) == MINUTES


def test_two_grants_see_both_subtrees_and_nothing_between(
    client: FormClient, engine: Engine, world: World, teams3: dict[str, Team]
) -> None:
    with Session(engine) as s, s.begin():
        account = accounts.sign_up(s, login="two", password=PASSWORD, display_name="两社区")
        for area in (world["community"], world["other"]):
            accounts.grant_role(s, account, Role.COMMUNITY_WORKER, s.get(Area, area.id))
    client.sign_in("two", PASSWORD)
    assert _shown(client.get("/admin/volunteers").text) == {HERE, THERE}
    assert _csv(client) == {HERE: 600, THERE: 420}


def test_the_scoped_page_reads_as_many_statements_as_the_city_wide_one(
    app: Any, client: FormClient, make_client: MakeClient, teams3: dict[str, Team]
) -> None:
    client.sign_in("communityworker", PASSWORD)
    admin = make_client()
    admin.sign_in("admin", PASSWORD)
    scoped, _ = page_selects(app.state.engine, client, "/admin/volunteers")
    everything, _ = page_selects(app.state.engine, admin, "/admin/volunteers")
    assert scoped == everything


# --- acting on another area ----------------------------------------------------------


def _count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_new_team_form_offers_only_areas_the_worker_manages(
    client: FormClient, world: World, teams3: dict[str, Team]
) -> None:
    """Fails on the old code: the whole tree was offered, 二社区 among it."""
    client.sign_in("communityworker", PASSWORD)
    choice = client.get("/admin/volunteers").text.split('id="f-area_id"', 1)[1]
    choice = choice.split("</select>", 1)[0]
    assert f'<option value="{world["community"].id}"' in choice
    assert f'<option value="{world["other"].id}"' not in choice
    assert f'<option value="{world["street"].id}"' not in choice


def test_a_team_in_another_area_is_refused_with_a_message_and_not_made(
    client: FormClient, engine: Engine, world: World, teams3: dict[str, Team]
) -> None:
    """Fails on the old code: a bare 403 page, with no word of what was wrong."""
    client.sign_in("communityworker", PASSWORD)
    before = _count(engine, Team)
    r = client.submit(
        "/admin/volunteers/teams",
        {"name": "越界服务队", "area_id": str(world["other"].id), "kind": "featured"},
        page="/admin/volunteers",
    )
    assert r.status_code == 403
    assert 'id="f-area_id-error"' in r.text and "你不负责该区域的志愿服务" in r.text
    assert _count(engine, Team) == before
    # The page shown again is still scoped.
    assert _shown(r.text) == {HERE}


def test_a_certificate_for_hours_served_in_another_area_is_refused(
    client: FormClient, engine: Engine, teams3: dict[str, Team]
) -> None:
    client.sign_in("communityworker", PASSWORD)
    r = client.submit(
        "/admin/volunteers/certificates",
        {"login": "volunteer", "id_number": "", "issuer": "一社区志愿服务站"},
        page="/admin/volunteers",
    )
    assert r.status_code == 403
    assert "此人曾在你所辖区域以外的服务队服务" in r.text
    assert _count(engine, Certificate) == 0


def test_another_areas_certificate_is_not_listed_nor_revoked(
    client: FormClient,
    make_client: MakeClient,
    engine: Engine,
    world: World,
    teams3: dict[str, Team],
) -> None:
    """Fails on the old code for the message only: the refusal was a bare 403 page."""
    admin = make_client()
    admin.sign_in("admin", PASSWORD)
    r = admin.submit(
        "/admin/volunteers/certificates",
        {"login": "volunteer", "id_number": "", "issuer": "二社区志愿服务站"},
        page="/admin/volunteers",
    )
    assert r.status_code == 303, r.text
    number = r.headers["location"].rsplit("/", 1)[1]
    client.sign_in("communityworker", PASSWORD)
    assert number not in client.get("/admin/volunteers").text
    r = client.submit(
        f"/admin/volunteers/certificates/{number}/revoke",
        {"reason": "信息有误"},
        page="/admin/volunteers",
    )
    assert r.status_code == 403
    assert "这份证明所记的时长有在你所辖区域以外的服务队服务的" in r.text
    with Session(engine) as s:
        assert s.scalars(select(Certificate.revoked_at)).one() is None
    # The street's worker covers both communities: they see it and may revoke it.
    _officer(engine, "streetworker", world["street"])
    street = make_client()
    street.sign_in("streetworker", PASSWORD)
    assert number in street.get("/admin/volunteers").text
    r = street.submit(
        f"/admin/volunteers/certificates/{number}/revoke",
        {"reason": "信息有误"},
        page="/admin/volunteers",
    )
    assert r.status_code == 303


def test_the_star_scheme_history_shows_only_schemes_that_apply_here(
    client: FormClient, engine: Engine, world: World, teams3: dict[str, Team]
) -> None:
    """Fails on the old code: the history listed every area's schemes and who set
    them. Now: the schemes of the worker's areas and of the areas above them (which
    apply to their volunteers), not a neighbouring community's."""
    admin = world["people"]["admin"].id
    with Session(engine) as s, s.begin():
        for area, hours in (
            (world["district"], "2 4 8"),
            (world["other"], "3 6 9"),
            (world["community"], "1 5 7"),
        ):
            stars.set_scheme(s, get_area(s, area.id), hours, "0", admin, NOW - timedelta(days=1))
    client.sign_in("communityworker", PASSWORD)
    history = client.get("/admin/volunteers/stars").text.split('id="scheme-history"', 1)[1]
    assert "2 4 8" in history and "1 5 7" in history
    assert "3 6 9" not in history and "二社区" not in history
    # A refused scheme for the neighbour's area writes nothing and says why.
    before = _count(engine, StarSchemeRecord)
    r = client.submit(
        "/admin/volunteers/stars",
        {"area_id": str(world["other"].id), "hours": "1 2", "notice_days": "0"},
        page="/admin/volunteers/stars",
    )
    assert r.status_code == 403
    assert "你不负责该区域的志愿服务" in r.text
    assert _count(engine, StarSchemeRecord) == before


def test_a_revoke_without_a_reason_comes_back_to_its_form_and_writes_nothing(
    make_client: MakeClient, engine: Engine, teams3: dict[str, Team]
) -> None:
    """Fails on the old code: the refusal was the bare error page, not the list with
    the message at the certificate's own form."""
    from participation.audit import AuditEntry

    admin = make_client()
    admin.sign_in("admin", PASSWORD)
    r = admin.submit(
        "/admin/volunteers/certificates",
        {"login": "volunteer", "id_number": "", "issuer": "二社区志愿服务站"},
        page="/admin/volunteers",
    )
    number = r.headers["location"].rsplit("/", 1)[1]
    revoke = f"/admin/volunteers/certificates/{number}/revoke"
    r = admin.submit(revoke, {"reason": "   "}, page="/admin/volunteers")
    assert r.status_code == 422
    row = r.text.split(f'href="/volunteers/verify/{number}"', 1)[1].split("</tr>", 1)[0]
    assert '<p class="error" role="alert"' in row and "请说明撤销证明的理由。" in row
    assert 'aria-invalid="true"' in row
    assert r.text.count("请说明撤销证明的理由。") == 1  # at that form only
    with Session(engine) as s:
        assert s.scalars(select(Certificate.revoked_at)).one() is None
        assert (
            s.scalar(
                select(func.count()).where(AuditEntry.action == "volunteer.certificate_revoke")
            )
            == 0
        )
    assert admin.submit(revoke, {"reason": "信息有误"}, page="/admin/volunteers").status_code == 303
    # Revoked twice (another tab): the list again, saying so.
    r = admin.submit(revoke, {"reason": "信息有误"}, page="/admin/volunteers")
    assert r.status_code == 409 and 'class="error-summary"' in r.text
    assert "该证明已被撤销。" in r.text
