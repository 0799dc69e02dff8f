"""Volunteering through the web pages: team, shift, sign-up, waitlist, promotion,
attendance, hours approval, certificate, calendar."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.audit import AuditEntry
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.volunteering import make_shift
from tests.support.volunteering import signups_of as statuses
from tests.support.world import MakeClient, World
from volunteers.models import HoursEntry, Shift, SignUp, Team
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def local(dt: datetime) -> str:
    return dt.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def team_and_shift(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> Iterator[tuple[int, int, FormClient]]:
    """A community worker creates a team led by 'teamleader'; the leader publishes
    a 2-place shift three days ahead."""
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    r = client.submit(
        "/admin/volunteers/teams",
        {
            "name": "青年志愿服务队",
            "area_id": str(world["community"].id),
            "kind": "featured",
            "join_mode": "open",
            "leader": "teamleader",
        },
        page="/admin/volunteers",
    )
    assert r.status_code == 303, r.text
    team_id = int(r.headers["location"].rsplit("/", 1)[1])
    leader = client.__class__(app, base_url="http://testserver")
    leader.__enter__()
    leader.sign_in("teamleader", PASSWORD)
    start = NOW + timedelta(days=3)
    r = leader.submit(
        f"/lead/teams/{team_id}/shifts",
        {
            "title": "社区敬老服务",
            "service_content": "敬老助老",
            "starts_at": local(start),
            "ends_at": local(start + timedelta(hours=3)),
            "capacity": "2",
            "area_id": str(world["community"].id),
            "place": "社区活动中心",
        },
        page=f"/lead/teams/{team_id}",
    )
    assert r.status_code == 303, r.text
    with Session(engine) as s:
        shift_id = s.scalars(select(Shift.id)).one()
    yield team_id, shift_id, leader
    leader.__exit__(None, None, None)


def people(make_client: MakeClient, *logins: str) -> list[FormClient]:
    out = []
    for login in logins:
        c = make_client()
        c.sign_in(login, PASSWORD)
        out.append(c)
    return out


def test_signup_waitlist_cancel_promotes(
    app: Starlette,
    team_and_shift: tuple[int, int, FormClient],
    make_client: MakeClient,
    engine: Engine,
) -> None:
    _team_id, shift_id, _ = team_and_shift
    a, b, c = people(make_client, "volunteer", "resident", "nobody")
    page = f"/volunteers/shifts/{shift_id}"
    for person in (a, b):
        assert person.submit(f"{page}/signup", page=page).status_code == 303
    r = c.submit(f"{page}/signup", page=page)
    assert r.status_code == 303
    text = c.get(page).text
    assert 'data-status="waitlisted"' in text and "候补第 1 位" in text
    assert "候补第 1 位" in c.get("/volunteers/me").text
    # Signing up twice is refused with a message, and changes nothing.
    again = a.submit(f"{page}/signup", page=page)
    assert again.status_code == 409 and "您已报名" in again.text
    # A cancel three days ahead promotes the first on the waitlist at once.
    assert a.submit(f"{page}/cancel", page=page).status_code == 303
    assert statuses(engine) == {
        "volunteer": "cancelled",
        "resident": "confirmed",
        "nobody": "confirmed",
    }
    assert 'data-status="confirmed"' in c.get(page).text
    # Availability is public, without names.
    anon = make_client()
    assert "0 / 2" in anon.get(page).text or "2 个名额中剩 0 个" in anon.get(page).text


def test_late_cancel_needs_reason(
    app: Starlette,
    team_and_shift: tuple[int, int, FormClient],
    make_client: MakeClient,
    engine: Engine,
) -> None:
    _, shift_id, _ = team_and_shift
    [a] = people(make_client, "volunteer")
    page = f"/volunteers/shifts/{shift_id}"
    a.submit(f"{page}/signup", page=page)
    app.state.fixed_now = NOW + timedelta(days=3) - timedelta(hours=2)
    r = a.submit(f"{page}/cancel", page=page)
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    assert statuses(engine) == {"volunteer": "confirmed"}
    r = a.submit(f"{page}/cancel", {"reason": "临时加班"}, page=page)
    assert r.status_code == 303
    with Session(engine) as s:
        assert s.scalar(select(SignUp.late_cancel_reason)) == "临时加班"


def test_attendance_backfill_certificate_and_calendar(
    app: Starlette,
    team_and_shift: tuple[int, int, FormClient],
    make_client: MakeClient,
    engine: Engine,
    world: World,
) -> None:
    team_id, shift_id, leader = team_and_shift
    a, b = people(make_client, "volunteer", "resident")
    page = f"/volunteers/shifts/{shift_id}"
    for person in (a, b):
        person.submit(f"{page}/signup", page=page)
    with Session(engine) as s:
        shift = s.get(Shift, shift_id)
        assert shift is not None
        start, end = shift.starts_at, shift.ends_at
    # Contacts are on the leader's roster, never on the public page.
    roster = leader.get(f"/lead/shifts/{shift_id}").text
    assert 'class="contact">volunteer<' in roster
    public = make_client().get(page).text
    assert "测试volunteer" not in public and 'class="contact"' not in public
    app.state.fixed_now = end + timedelta(minutes=5)
    lead_page = f"/lead/shifts/{shift_id}"
    r = leader.submit(
        f"{lead_page}/attendance",
        {
            "account_id": str(world["people"]["volunteer"].id),
            "checked_in": local(start),
            "checked_out": local(end),
        },
        page=lead_page,
    )
    assert r.status_code == 303, r.text
    r = leader.submit(
        f"{lead_page}/attendance",
        {"account_id": str(world["people"]["resident"].id), "no_show": "1"},
        page=lead_page,
    )
    assert r.status_code == 303
    with Session(engine) as s:
        entries = s.scalars(select(HoursEntry)).all()
        assert [(e.kind, e.minutes) for e in entries] == [("system", 180)]
    me = a.get("/volunteers/me").text
    assert 'id="total-hours">3 小时<' in me
    # The resident asks for hours; they approve nothing themselves, the leader does.
    with Session(engine) as s:
        b_signup = s.scalar(
            select(SignUp.id).where(SignUp.account_id == world["people"]["resident"].id)
        )
    r = leader.submit(
        f"{lead_page}/attendance",
        {
            "account_id": str(world["people"]["resident"].id),
            "checked_in": local(start),
            "checked_out": local(start + timedelta(minutes=30)),
        },
        page=lead_page,
    )
    assert r.status_code == 303  # 30 of 180 minutes: below 60 %, nothing credited
    r = b.submit(
        "/volunteers/me/backfill",
        {"signup_id": str(b_signup), "minutes": "200", "reason": "x"},
        page="/volunteers/me",
    )
    assert r.status_code == 422  # beyond the shift's length
    r = b.submit(
        "/volunteers/me/backfill",
        {"signup_id": str(b_signup), "minutes": "150", "reason": "签到设备故障"},
        page="/volunteers/me",
    )
    assert r.status_code == 303
    team_page = leader.get(f"/lead/teams/{team_id}").text
    request_id = re.search(r'action="/lead/backfills/(\d+)"', team_page).group(1)  # type: ignore[union-attr]
    r = leader.submit(
        f"/lead/backfills/{request_id}", {"decision": "approve"}, page=f"/lead/teams/{team_id}"
    )
    assert r.status_code == 303
    with Session(engine) as s:
        kinds = [
            (e.kind, e.minutes, e.approved_by)
            for e in s.scalars(select(HoursEntry).order_by(HoursEntry.id))
        ]
    assert kinds[-1] == ("backfill", 150, world["people"]["team_leader"].id)

    # Certificate: issued by a community worker, downloadable by its holder, verifiable.
    # 'volunteer' is not on the roll: an ID number typed for them is refused, and
    # their certificate carries none.
    worker = make_client()
    worker.sign_in("communityworker", PASSWORD)
    form = {"login": "volunteer", "id_number": "11010519491231002X", "issuer": "一社区志愿服务站"}
    r = worker.submit("/admin/volunteers/certificates", form, page="/admin/volunteers")
    assert r.status_code == 422 and "身份证号留空" in r.text
    r = worker.submit(
        "/admin/volunteers/certificates", form | {"id_number": ""}, page="/admin/volunteers"
    )
    assert r.status_code == 303, r.text
    number = r.headers["location"].rsplit("/", 1)[1]
    verify = make_client().get(f"/volunteers/verify/{number}").text
    assert 'data-verdict="valid"' in verify and "未经名册核验" in verify
    pdf = a.get(f"/volunteers/certificates/{number}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert number in text and "未经名册核验" in text
    assert b.get(f"/volunteers/certificates/{number}.pdf").status_code == 403
    r = worker.submit(
        f"/admin/volunteers/certificates/{number}/revoke",
        {"reason": "信息有误"},
        page="/admin/volunteers",
    )
    assert r.status_code == 303
    assert 'data-verdict="revoked"' in make_client().get(f"/volunteers/verify/{number}").text

    # Calendar: per-shift .ics with a stable UID.
    ics = make_client().get(f"/volunteers/shifts/{shift_id}.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert f"UID:shift-{shift_id}@gongzhi" in ics.text
    with Session(engine) as s:
        audit = s.scalars(select(AuditEntry.action)).all()
    assert "volunteer.certificate_revoke" in audit


def test_checkin_with_rotating_code(
    app: Starlette,
    team_and_shift: tuple[int, int, FormClient],
    make_client: MakeClient,
    engine: Engine,
) -> None:
    _, shift_id, leader = team_and_shift
    [a] = people(make_client, "volunteer")
    page = f"/volunteers/shifts/{shift_id}"
    a.submit(f"{page}/signup", page=page)
    with Session(engine) as s:
        start = s.get(Shift, shift_id).starts_at  # type: ignore[union-attr]
    app.state.fixed_now = start - timedelta(minutes=5)
    qr = leader.get(f"/lead/shifts/{shift_id}/checkin-code")
    assert qr.status_code == 200 and "<svg" in qr.text
    assert '<noscript><meta http-equiv="refresh"' in qr.text  # reloads without JavaScript
    code = re.search(r'data-code="([0-9a-f]+)"', qr.text).group(1)  # type: ignore[union-attr]
    scan = f"/volunteers/checkin/{shift_id}?code={code}"
    assert a.submit(f"/volunteers/checkin/{shift_id}", {"code": code}, page=scan).status_code == 303
    # Two minutes later the same code no longer works.
    app.state.fixed_now = start + timedelta(hours=3, minutes=2)
    r = a.submit(f"/volunteers/checkin/{shift_id}", {"code": code}, page=scan)
    assert r.status_code == 422
    code = re.search(
        r'data-code="([0-9a-f]+)"', leader.get(f"/lead/shifts/{shift_id}/checkin-code").text
    ).group(1)  # type: ignore[union-attr]
    assert a.submit(f"/volunteers/checkin/{shift_id}", {"code": code}, page=scan).status_code == 303
    with Session(engine) as s:
        row = s.scalars(select(SignUp)).one()
        assert row.checked_in_at and row.checked_out_at and row.credited
        assert s.scalar(select(HoursEntry.minutes)) == 180


def test_leader_of_other_team_is_refused(
    app: Starlette, team_and_shift: tuple[int, int, FormClient], world: World, engine: Engine
) -> None:
    team_id, _shift_id, leader = team_and_shift
    with Session(engine) as s, s.begin():
        s.add(Team(area_id=world["other"].id, name="别队", kind="professional", join_mode="open"))
    with Session(engine) as s:
        other = s.scalar(select(Team.id).where(Team.name == "别队"))
    assert leader.get(f"/lead/teams/{other}").status_code == 403
    assert leader.get(f"/lead/teams/{team_id}").status_code == 200


def test_open_data_has_no_personal_data(
    app: Starlette, team_and_shift: tuple[int, int, FormClient], make_client: MakeClient
) -> None:
    _, shift_id, _ = team_and_shift
    [a] = people(make_client, "volunteer")
    a.submit(f"/volunteers/shifts/{shift_id}/signup", page=f"/volunteers/shifts/{shift_id}")
    shifts = make_client().get("/api/v1/volunteer/shifts").json()
    assert shifts["items"][0]["confirmed"] == 1 and shifts["items"][0]["free"] == 1
    assert "volunteer" not in str(shifts) and "测试volunteer" not in str(shifts)
    teams = make_client().get("/api/v1/volunteer/teams").json()
    assert teams["items"][0]["members"] == 1
    assert "/api/v1/volunteer/shifts" in make_client().get("/api/openapi.json").json()["paths"]


def test_personal_calendar_feed_is_secret_and_lists_my_shifts(
    app: Starlette,
    team_and_shift: tuple[int, int, FormClient],
    make_client: MakeClient,
    engine: Engine,
) -> None:
    _, shift_id, _ = team_and_shift
    [a] = people(make_client, "volunteer")
    a.submit(f"/volunteers/shifts/{shift_id}/signup", page=f"/volunteers/shifts/{shift_id}")
    r = a.submit(
        "/volunteers/me/settings",
        {"email": "zhao@example.cn", "reminder_minutes": "60"},
        page="/volunteers/me",
    )
    assert r.status_code == 303
    bad = a.submit(
        "/volunteers/me/settings",
        {"email": "not-an-address", "reminder_minutes": "60"},
        page="/volunteers/me",
    )
    assert bad.status_code == 422
    feed_path = re.search(
        r'href="(/volunteers/calendar/[^"]+\.ics)"', a.get("/volunteers/me").text
    ).group(1)  # type: ignore[union-attr]
    feed = make_client().get(feed_path)
    assert feed.status_code == 200 and f"UID:shift-{shift_id}@gongzhi" in feed.text
    assert make_client().get("/volunteers/calendar/guessed.ics").status_code == 404
    a.submit(f"/volunteers/shifts/{shift_id}/cancel", page=f"/volunteers/shifts/{shift_id}")
    assert "BEGIN:VEVENT" not in make_client().get(feed_path).text  # cancelled: gone from the feed


def test_leader_records_qualification_and_unlocks(
    app: Starlette,
    team_and_shift: tuple[int, int, FormClient],
    make_client: MakeClient,
    engine: Engine,
    world: World,
) -> None:
    team_id, _, leader = team_and_shift
    [a] = people(make_client, "volunteer")
    a.submit(f"/volunteers/teams/{team_id}/join", page=f"/volunteers/teams/{team_id}")
    roster = f"/lead/teams/{team_id}"
    start = NOW + timedelta(days=4)
    r = leader.submit(
        f"{roster}/shifts",
        {
            "title": "应急救护培训",
            "starts_at": local(start),
            "ends_at": local(start + timedelta(hours=2)),
            "capacity": "5",
            "area_id": str(world["community"].id),
            "q_first_aid": "1",
        },
        page=roster,
    )
    assert r.status_code == 303
    with Session(engine) as s:
        shift_id = s.scalar(select(Shift.id).where(Shift.qualifications == "first_aid"))
    page = f"/volunteers/shifts/{shift_id}"
    refused = a.submit(f"{page}/signup", page=page)
    assert refused.status_code == 409 and "资质" in refused.text
    member = f"{roster}/members/{world['people']['volunteer'].id}"
    assert (
        leader.submit(member, {"action": "qualify", "code": "first_aid"}, page=roster).status_code
        == 303
    )
    assert a.submit(f"{page}/signup", page=page).status_code == 303
    # Two no-shows (on past shifts) lock; the leader's unlock is audited and lets
    # them sign up again.
    with Session(engine) as s, s.begin():
        for days in (9, 2):
            past = make_shift(s, world["community"], NOW - timedelta(days=days))
            s.add(
                SignUp(
                    shift_id=past.id,
                    account_id=world["people"]["volunteer"].id,
                    arrival=1,
                    status="no_show",
                )
            )
    assert "因多次未到被限制报名" in leader.get(roster).text
    third = leader.submit(
        f"{roster}/shifts",
        {
            "title": "第三场",
            "starts_at": local(start + timedelta(days=1)),
            "ends_at": local(start + timedelta(days=1, hours=2)),
            "capacity": "5",
            "area_id": str(world["community"].id),
        },
        page=roster,
    )
    assert third.status_code == 303
    with Session(engine) as s:
        third_id = s.scalar(select(Shift.id).order_by(Shift.id.desc()))
    locked = a.submit(
        f"/volunteers/shifts/{third_id}/signup", page=f"/volunteers/shifts/{third_id}"
    )
    assert locked.status_code == 409 and "队长" in locked.text
    assert leader.submit(member, {"action": "unlock"}, page=roster).status_code == 303
    again = a.submit(f"/volunteers/shifts/{third_id}/signup", page=f"/volunteers/shifts/{third_id}")
    assert again.status_code == 303
    with Session(engine) as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "volunteer.unlock"))


def test_a_new_team_leader_gets_the_leaders_pages(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World
) -> None:
    client.sign_in("communityworker", PASSWORD)
    [resident] = people(make_client, "resident")
    r = client.submit(
        "/admin/volunteers/teams",
        {
            "name": "巾帼志愿服务队",
            "area_id": str(world["community"].id),
            "kind": "featured",
            "join_mode": "approval",
            "leader": "resident",
        },
        page="/admin/volunteers",
    )
    assert r.status_code == 303
    team_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert resident.get(f"/lead/teams/{team_id}").status_code == 200
    # Invalid input is answered beside the field and creates nothing.
    bad = client.submit(
        "/admin/volunteers/teams",
        {
            "name": "巾帼志愿服务队",
            "area_id": str(world["community"].id),
            "kind": "featured",
            "join_mode": "approval",
        },
        page="/admin/volunteers",
    )
    assert bad.status_code == 422 and "已有同名的服务队" in bad.text


def test_place_offered_after_the_cutoff_is_taken_on_the_page(
    app: Starlette,
    team_and_shift: tuple[int, int, FormClient],
    make_client: MakeClient,
    engine: Engine,
) -> None:
    _, shift_id, _leader = team_and_shift
    a, b, c = people(make_client, "volunteer", "resident", "nobody")
    page = f"/volunteers/shifts/{shift_id}"
    for person in (a, b, c):
        person.submit(f"{page}/signup", page=page)  # 2 places: c waits
    app.state.fixed_now = NOW + timedelta(days=2, hours=12)  # 12 h before: past the cut-off
    assert a.submit(f"{page}/cancel", page=page).status_code == 303
    offered = c.get(page).text
    assert 'data-status="offered"' in offered and "请在" in offered
    assert c.submit(f"{page}/accept", page=page).status_code == 303
    assert statuses(engine)["nobody"] == "confirmed"


def test_cancelled_shift_says_so_and_takes_no_sign_ups(
    app: Starlette, team_and_shift: tuple[int, int, FormClient], make_client: MakeClient
) -> None:
    _, shift_id, leader = team_and_shift
    [a] = people(make_client, "volunteer")
    page = f"/volunteers/shifts/{shift_id}"
    assert (
        leader.submit(
            f"/lead/shifts/{shift_id}/cancel", page=f"/lead/shifts/{shift_id}"
        ).status_code
        == 303
    )
    text = a.get(page).text
    assert "该班次已取消" in text and f'action="{page}/signup"' not in text
    refused = a.submit(f"{page}/signup", page=page)
    assert refused.status_code == 409


def test_signup_holds_the_write_lock_for_few_statements(
    app: Starlette, team_and_shift: tuple[int, int, FormClient], make_client: MakeClient
) -> None:
    """The sign-up burst is bounded by the time each sign-up holds SQLite's write
    lock: a new volunteer's sign-up runs at most five statements under it, and a
    refusal re-renders the page in a read transaction, not under the lock."""
    from sqlalchemy import event

    _team_id, shift_id, _ = team_and_shift
    [a] = people(make_client, "volunteer")
    page = f"/volunteers/shifts/{shift_id}"
    a.get(page)
    log: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        log.append(" ".join(statement.split()))

    event.listen(app.state.engine, "before_cursor_execute", record)
    try:
        assert a.submit(f"{page}/signup", page=page).status_code == 303
        signed_up, log[:] = list(log), []
        assert a.submit(f"{page}/signup", page=page).status_code == 409
        refused = list(log)
    finally:
        event.remove(app.state.engine, "before_cursor_execute", record)

    def under_lock(statements: list[str]) -> list[str]:
        if "BEGIN IMMEDIATE" not in statements:
            return []
        rest = statements[statements.index("BEGIN IMMEDIATE") + 1 :]
        return rest[: next((i for i, s in enumerate(rest) if s.startswith("BEGIN")), len(rest))]

    assert signed_up.count("BEGIN IMMEDIATE") == 1
    locked = under_lock(signed_up)
    assert 0 < len([s for s in locked if s != "COMMIT"]) <= 5, locked
    assert refused.count("BEGIN IMMEDIATE") == 1  # only the write phase that refused
    assert len(under_lock(refused)) <= 3
    assert "BEGIN" in refused[refused.index("BEGIN IMMEDIATE") + 1 :]  # page in a read


def test_signup_reads_the_shift_and_the_person_in_one_statement(
    app: Starlette, team_and_shift: tuple[int, int, FormClient], make_client: MakeClient
) -> None:
    """Fails on the old code: the read phase of a sign-up (before the write lock)
    read the shift with its activity and team, then the facts about the person
    (age, membership, consent, missed shifts, profile) in a second round trip.
    Now one statement after the signed-in account's."""
    from sqlalchemy import event

    _team_id, shift_id, _ = team_and_shift
    [a] = people(make_client, "volunteer")
    page = f"/volunteers/shifts/{shift_id}"
    a.get(page)
    log: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        log.append(" ".join(statement.split()))

    event.listen(app.state.engine, "before_cursor_execute", record)
    try:
        assert a.submit(f"{page}/signup", page=page).status_code == 303
    finally:
        event.remove(app.state.engine, "before_cursor_execute", record)
    write = log.index("BEGIN IMMEDIATE")
    read = max(i for i, s in enumerate(log[:write]) if s == "BEGIN")
    selects = [s for s in log[read:write] if s.startswith("SELECT")]
    assert len(selects) == 2, selects  # the account, then the shift with the person
    assert "FROM accounts" in selects[0] and "vol_memberships" in selects[1]
