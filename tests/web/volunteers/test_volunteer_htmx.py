"""htmx on the volunteer pages: each action answers an htmx request with the
fragment it swaps (no <html>, the refusal's own status, nothing changed on a
refusal), the CSRF token travels in the X-CSRF-Token header, and the plain
form posts still redirect."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.accounts import Account
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.volunteering import make_shift, signups_of
from tests.support.world import MakeClient, World
from volunteers import teams
from volunteers.models import BackfillRequest, HoursEntry, Membership, SignUp

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def htmx(client: FormClient, target: str, page: str) -> dict[str, str]:
    """The headers htmx sends for a swap of ``target``, CSRF token included."""
    return {"HX-Request": "true", "HX-Target": target, "X-CSRF-Token": client.csrf(page)}


def is_fragment(html: str) -> bool:
    return "<html" not in html and "<body" not in html


@pytest.fixture
def shift(app: Starlette, world: World, engine: Engine) -> dict[str, int]:
    """A team led by 'teamleader' and a one-place shift three days ahead."""
    app.state.fixed_now = NOW
    people = world["people"]
    with Session(engine, expire_on_commit=False) as s, s.begin():
        leader = s.get(Account, people["team_leader"].id)
        assert leader is not None
        team = teams.create_team(
            s, area=world["community"], name="青年志愿服务队", kind="featured", join_mode="approval"
        )
        teams.invite(s, team, leader, leader.id)
        teams.join(s, team, leader.id)
        teams.set_role(s, team, leader.id, "leader", leader.id)
        row = make_shift(s, world["community"], NOW + timedelta(days=3), capacity=1, team=team)
        return {"team": team.id, "shift": row.id}


def signed_in(make_client: MakeClient, login: str) -> FormClient:
    c = make_client()
    c.sign_in(login, PASSWORD)
    return c


def test_sign_up_waitlist_and_cancel_swap_the_panel(
    shift: dict[str, int], make_client: MakeClient, engine: Engine
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    a, b = signed_in(make_client, "volunteer"), signed_in(make_client, "resident")

    r = a.post(f"{page}/signup", headers=htmx(a, "signup_panel", page), follow_redirects=False)
    assert r.status_code == 200 and is_fragment(r.text)
    assert r.text.lstrip().startswith('<section id="signup_panel"')
    assert "HX-Redirect" not in r.headers and "HX-Request" in r.headers["Vary"]
    assert 'data-status="confirmed"' in r.text and "报名成功" in r.text
    assert 'data-free="0"' in r.text  # the place count in the panel is fresh

    r = b.post(f"{page}/signup", headers=htmx(b, "signup_panel", page), follow_redirects=False)
    assert r.status_code == 200 and is_fragment(r.text)
    assert 'data-status="waitlisted"' in r.text and 'data-position="1"' in r.text
    assert 'data-waiting="1"' in r.text
    assert signups_of(engine) == {"volunteer": "confirmed", "resident": "waitlisted"}

    # A cancel frees the place: the panel says so and the waitlist moves up.
    r = a.post(f"{page}/cancel", headers=htmx(a, "signup_panel", page), follow_redirects=False)
    assert r.status_code == 200 and is_fragment(r.text)
    assert "报名已取消" in r.text and "data-status" not in r.text
    assert signups_of(engine) == {"volunteer": "cancelled", "resident": "confirmed"}


def test_refusals_come_back_in_the_panel_with_their_status(
    shift: dict[str, int], make_client: MakeClient, engine: Engine
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    a = signed_in(make_client, "volunteer")
    assert a.submit(f"{page}/signup", page=page).status_code == 303
    # Signing up twice: 409, the message inside the panel fragment, nothing stored.
    r = a.post(f"{page}/signup", headers=htmx(a, "signup_panel", page), follow_redirects=False)
    assert r.status_code == 409 and is_fragment(r.text)
    assert 'id="signup_panel"' in r.text and 'role="alert"' in r.text and "您已报名" in r.text
    # Taking a place that was never offered: 409 as well.
    r = a.post(f"{page}/accept", headers=htmx(a, "signup_panel", page), follow_redirects=False)
    assert r.status_code == 409 and is_fragment(r.text) and 'role="alert"' in r.text
    # Cancelling without a sign-up: 404, still the panel (it opts in to swapping 404).
    b = signed_in(make_client, "resident")
    r = b.post(f"{page}/cancel", headers=htmx(b, "signup_panel", page), follow_redirects=False)
    assert r.status_code == 404 and is_fragment(r.text)
    assert 'data-swap-status="404"' in r.text and 'role="alert"' in r.text
    assert signups_of(engine) == {"volunteer": "confirmed"}
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(SignUp)) == 1


def test_late_cancel_without_reason_is_422_beside_the_field(
    app: Starlette, shift: dict[str, int], make_client: MakeClient, engine: Engine
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    a = signed_in(make_client, "volunteer")
    assert a.submit(f"{page}/signup", page=page).status_code == 303
    app.state.fixed_now = NOW + timedelta(days=3) - timedelta(hours=1)
    r = a.post(f"{page}/cancel", headers=htmx(a, "signup_panel", page), follow_redirects=False)
    assert r.status_code == 422 and is_fragment(r.text)
    assert 'id="f-reason-error"' in r.text and 'aria-invalid="true"' in r.text
    assert signups_of(engine) == {"volunteer": "confirmed"}
    r = a.post(
        f"{page}/cancel",
        data={"reason": "家里临时有事"},
        headers=htmx(a, "signup_panel", page),
        follow_redirects=False,
    )
    assert r.status_code == 200 and "报名已取消" in r.text
    assert signups_of(engine) == {"volunteer": "cancelled"}


def test_csrf_travels_in_the_header_and_is_checked(
    shift: dict[str, int], make_client: MakeClient, engine: Engine
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    a = signed_in(make_client, "volunteer")
    a.get(page)
    forged = {"HX-Request": "true", "HX-Target": "signup_panel", "X-CSRF-Token": "forged"}
    r = a.post(f"{page}/signup", headers=forged, follow_redirects=False)
    assert r.status_code == 403
    assert signups_of(engine) == {}


def test_plain_forms_still_redirect(
    shift: dict[str, int], make_client: MakeClient, engine: Engine
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    a = signed_in(make_client, "volunteer")
    r = a.submit(f"{page}/signup", page=page)
    assert r.status_code == 303 and r.headers["location"] == page
    whole = a.get(page)
    assert "<html" in whole.text and "报名成功" in whole.text  # the flash, on the next page


def test_availability_polls_while_sign_up_can_change(
    app: Starlette, shift: dict[str, int], make_client: MakeClient
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    anon = make_client()
    whole = anon.get(page).text
    assert 'hx-trigger="every 15s"' in whole
    r = anon.get(page, headers={"HX-Request": "true", "HX-Target": "availability"})
    assert r.status_code == 200 and is_fragment(r.text)
    assert r.text.lstrip().startswith('<p id="availability"') and 'data-free="1"' in r.text
    assert "signup_panel" not in r.text  # only the small block, not the panel
    b = signed_in(make_client, "volunteer")
    assert b.submit(f"{page}/signup", page=page).status_code == 303
    r = anon.get(page, headers={"HX-Request": "true", "HX-Target": "availability"})
    assert 'data-free="0"' in r.text
    # Once the shift has started nothing changes any more: no polling.
    app.state.fixed_now = NOW + timedelta(days=3, minutes=1)
    assert "every 15s" not in anon.get(page).text


def test_marking_attendance_swaps_that_row_only(
    app: Starlette, shift: dict[str, int], world: World, make_client: MakeClient, engine: Engine
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    a = signed_in(make_client, "volunteer")
    assert a.submit(f"{page}/signup", page=page).status_code == 303
    person = world["people"]["volunteer"].id
    leader = signed_in(make_client, "teamleader")
    roster = f"/lead/shifts/{shift['shift']}"
    app.state.fixed_now = NOW + timedelta(days=3, hours=4)
    row = f"attendance-{person}"
    assert f'<tr id="{row}"' in leader.get(roster).text

    r = leader.post(
        f"{roster}/attendance",
        data={"account_id": str(person), "no_show": "1"},
        headers=htmx(leader, row, roster),
        follow_redirects=False,
    )
    assert r.status_code == 200 and is_fragment(r.text)
    assert r.text.lstrip().startswith(f'<tr id="{row}"') and r.text.count("<tr") == 1
    assert 'data-signup-status="no_show"' in r.text and "出勤已保存" in r.text
    assert signups_of(engine) == {"volunteer": "no_show"}

    # Check-out before check-in: 422, the message in the row, nothing changed.
    r = leader.post(
        f"{roster}/attendance",
        data={
            "account_id": str(person),
            "checked_in": "2026-12-04T12:00",
            "checked_out": "2026-12-04T10:00",
        },
        headers=htmx(leader, row, roster),
        follow_redirects=False,
    )
    assert r.status_code == 422 and is_fragment(r.text)
    assert r.text.lstrip().startswith(f'<tr id="{row}"') and 'role="alert"' in r.text
    assert signups_of(engine) == {"volunteer": "no_show"}

    # Present after all: the row shows the credited hours and no form any more.
    r = leader.post(
        f"{roster}/attendance",
        data={
            "account_id": str(person),
            "checked_in": "2026-12-04T09:00",
            "checked_out": "2026-12-04T12:00",
        },
        headers=htmx(leader, row, roster),
        follow_redirects=False,
    )
    assert r.status_code == 200 and 'data-signup-status="confirmed"' in r.text
    assert "已记时长" in r.text and "<form" not in r.text
    with Session(engine) as s:
        assert s.scalars(select(SignUp.credited)).one()


def test_check_in_code_refreshes_itself_when_it_changes(
    app: Starlette, shift: dict[str, int], make_client: MakeClient
) -> None:
    leader = signed_in(make_client, "teamleader")
    url = f"/lead/shifts/{shift['shift']}/checkin-code"
    app.state.fixed_now = NOW + timedelta(seconds=12)  # 18 s left in this 30 s window
    whole = leader.get(url)
    assert '<meta http-equiv="refresh" content="18">' in whole.text  # inside <noscript>
    assert "<noscript>" in whole.text and "Refresh" not in whole.headers
    assert 'hx-trigger="every 18s"' in whole.text
    first = whole.text.split('data-code="')[1][:16]

    app.state.fixed_now = NOW + timedelta(seconds=30)  # the next window: a new code
    r = leader.get(url, headers={"HX-Request": "true", "HX-Target": "qr_code"})
    assert r.status_code == 200 and is_fragment(r.text)
    assert r.text.lstrip().startswith('<div id="qr_code"') and "<svg" in r.text
    assert 'hx-trigger="every 30s"' in r.text and r.headers["Cache-Control"] == "no-store"
    assert "<noscript>" not in r.text
    assert r.text.split('data-code="')[1][:16] != first


def membership_of(engine: Engine, team_id: int, login: str) -> str | None:
    with Session(engine) as s:
        return s.scalar(
            select(Membership.status)
            .join(Account, Account.id == Membership.account_id)
            .where(Membership.team_id == team_id, Account.username == login)
        )


def test_join_approval_and_leave_swap_the_panel_and_the_row(
    shift: dict[str, int], world: World, make_client: MakeClient, engine: Engine
) -> None:
    team = f"/volunteers/teams/{shift['team']}"
    a = signed_in(make_client, "volunteer")
    r = a.post(f"{team}/join", headers=htmx(a, "membership", team), follow_redirects=False)
    assert r.status_code == 200 and is_fragment(r.text)
    assert r.text.lstrip().startswith('<section id="membership"')
    assert 'data-membership="pending"' in r.text and "申请已发送给队长" in r.text
    # Asking twice: 422 in the panel, nothing changed.
    r = a.post(f"{team}/join", headers=htmx(a, "membership", team), follow_redirects=False)
    assert r.status_code == 422 and is_fragment(r.text) and "您已在该服务队中或已申请加入" in r.text
    assert membership_of(engine, shift["team"], "volunteer") == "pending"

    # The leader approves on the roster: only that member's row comes back.
    leader = signed_in(make_client, "teamleader")
    roster = f"/lead/teams/{shift['team']}"
    person = world["people"]["volunteer"].id
    row = f"member-{person}"
    assert f'<tr id="{row}"' in leader.get(roster).text
    url = f"{roster}/members/{person}"
    r = leader.post(
        url, data={"action": "approve"}, headers=htmx(leader, row, roster), follow_redirects=False
    )
    assert r.status_code == 200 and is_fragment(r.text) and r.text.count("<tr") == 1
    assert r.text.lstrip().startswith(f'<tr id="{row}"') and 'data-membership="active"' in r.text
    assert membership_of(engine, shift["team"], "volunteer") == "active"
    # Approving again: no request any more, 422 in the row, nothing changed.
    r = leader.post(
        url, data={"action": "approve"}, headers=htmx(leader, row, roster), follow_redirects=False
    )
    assert r.status_code == 422 and r.text.lstrip().startswith(f'<tr id="{row}"')
    assert "此人没有加入申请" in r.text and 'role="alert"' in r.text

    r = a.post(f"{team}/leave", headers=htmx(a, "membership", team), follow_redirects=False)
    assert r.status_code == 200 and "您已退出服务队" in r.text and "申请加入" in r.text
    assert membership_of(engine, shift["team"], "volunteer") == "left"


def test_team_refusals_keep_their_status(
    world: World, shift: dict[str, int], make_client: MakeClient, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        closed = teams.create_team(
            s,
            area=world["community"],
            name="应急救援队",
            kind="professional",
            join_mode="invitation",
        )
    team = f"/volunteers/teams/{closed.id}"
    a = signed_in(make_client, "volunteer")
    r = a.post(f"{team}/join", headers=htmx(a, "membership", team), follow_redirects=False)
    assert r.status_code == 403 and is_fragment(r.text)
    assert 'data-swap-status="403"' in r.text and "该服务队仅通过邀请吸收新队员" in r.text
    # Without JavaScript: the team page again, with the message and the same status.
    r = a.submit(f"{team}/join", page=team)
    assert r.status_code == 403 and "<html" in r.text and "该服务队仅通过邀请吸收新队员" in r.text
    assert membership_of(engine, closed.id, "volunteer") is None
    # Leaving a team one is not in: 422 on the page.
    r = a.submit(f"{team}/leave", page=team)
    assert r.status_code == 422 and 'role="alert"' in r.text


def test_the_poll_brings_the_panel_when_ones_own_place_changed(
    shift: dict[str, int], make_client: MakeClient
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    a, b = signed_in(make_client, "volunteer"), signed_in(make_client, "resident")
    assert a.submit(f"{page}/signup", page=page).status_code == 303
    assert b.submit(f"{page}/signup", page=page).status_code == 303
    shown = b.get(page).text
    poll = re.search(r'hx-get="([^"]+)" hx-trigger="every 15s"', shown)
    assert poll is not None and "seen=waitlisted%3A1" in poll.group(1)
    url = poll.group(1).replace("&amp;", "&")
    polling = {"HX-Request": "true", "HX-Target": "availability"}
    # Nothing changed for b: just the counts.
    r = b.get(url, headers=polling)
    assert r.text.lstrip().startswith('<p id="availability"') and "HX-Retarget" not in r.headers
    # a cancels; b's next poll brings the whole panel, now confirmed.
    assert a.submit(f"{page}/cancel", page=page).status_code == 303
    r = b.get(url, headers=polling)
    assert r.status_code == 200 and is_fragment(r.text)
    assert r.headers["HX-Retarget"] == "#signup_panel" and r.headers["HX-Reswap"] == "outerHTML"
    assert r.text.lstrip().startswith('<section id="signup_panel"')
    assert 'data-status="confirmed"' in r.text


def test_taking_an_offer_swaps_the_panel(
    app: Starlette, shift: dict[str, int], make_client: MakeClient, engine: Engine
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    a, b = signed_in(make_client, "volunteer"), signed_in(make_client, "resident")
    for person in (a, b):
        assert person.submit(f"{page}/signup", page=page).status_code == 303
    # Ten hours before the start a freed place is offered, not given.
    app.state.fixed_now = NOW + timedelta(days=3) - timedelta(hours=10)
    assert a.submit(f"{page}/cancel", page=page).status_code == 303
    assert signups_of(engine) == {"volunteer": "cancelled", "resident": "offered"}
    shown = b.get(page).text
    assert 'data-status="offered"' in shown and 'hx-post="' + page + '/accept"' in shown
    r = b.post(f"{page}/accept", headers=htmx(b, "signup_panel", page), follow_redirects=False)
    assert r.status_code == 200 and is_fragment(r.text)
    assert 'data-status="confirmed"' in r.text and "名额已确认" in r.text
    assert signups_of(engine) == {"volunteer": "cancelled", "resident": "confirmed"}


def test_deciding_a_backfill_swaps_its_row(
    app: Starlette, shift: dict[str, int], world: World, make_client: MakeClient, engine: Engine
) -> None:
    page = f"/volunteers/shifts/{shift['shift']}"
    a = signed_in(make_client, "volunteer")
    assert a.submit(f"{page}/signup", page=page).status_code == 303
    app.state.fixed_now = NOW + timedelta(days=4)
    with Session(engine) as s:
        signup_id = s.scalars(select(SignUp.id)).one()
    r = a.submit(
        "/volunteers/me/backfill",
        {"signup_id": str(signup_id), "minutes": "90", "reason": "签到设备故障"},
        page="/volunteers/me",
    )
    assert r.status_code == 303
    with Session(engine) as s:
        backfill = s.scalars(select(BackfillRequest.id)).one()
    leader = signed_in(make_client, "teamleader")
    roster = f"/lead/teams/{shift['team']}"
    row = f"backfill-{backfill}"
    assert f'<tr id="{row}"' in leader.get(roster).text
    r = leader.post(
        f"/lead/backfills/{backfill}",
        data={"decision": "approve"},
        headers=htmx(leader, row, roster),
        follow_redirects=False,
    )
    assert r.status_code == 200 and is_fragment(r.text) and r.text.count("<tr") == 1
    assert 'data-decision="approved"' in r.text and "<form" not in r.text
    # Deciding again: 409 in the row, the ledger holds the 90 minutes once.
    r = leader.post(
        f"/lead/backfills/{backfill}",
        data={"decision": "reject"},
        headers=htmx(leader, row, roster),
        follow_redirects=False,
    )
    assert r.status_code == 409 and r.text.lstrip().startswith(f'<tr id="{row}"')
    assert 'role="alert"' in r.text
    with Session(engine) as s:
        assert s.scalars(select(HoursEntry.minutes)).all() == [90]
