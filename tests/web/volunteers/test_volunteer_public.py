"""The volunteer's own page: it reads in a fixed number of queries however many
shifts they wait for, and shows refused settings beside their fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.volunteering import make_person, make_shift
from volunteers import signups
from volunteers.models import VolunteerProfile

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _wait(engine: Engine, world: dict[str, Any], count: int, first_day: int) -> None:
    """``count`` full shifts (one place, taken) on which 'volunteer' waits second."""
    volunteer = world["people"]["volunteer"].id
    with Session(engine) as s, s.begin():
        for n in range(count):
            start = NOW + timedelta(days=first_day + n, hours=1)
            shift = make_shift(s, world["community"], start, capacity=1, hours=2)
            signups.sign_up(s, shift.id, make_person(s, f"先到{first_day + n}"), NOW)
            assert signups.sign_up(s, shift.id, volunteer, NOW).status == "waitlisted"


def test_my_page_reads_in_a_fixed_number_of_queries(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: it asked for the waitlist position of each shift
    the volunteer waits for, one query each."""
    app.state.fixed_now = NOW
    client.sign_in("volunteer", PASSWORD)
    _wait(engine, world, 2, first_day=2)
    few, _ = page_selects(app.state.engine, client, "/volunteers/me")
    _wait(engine, world, 5, first_day=4)
    many, html = page_selects(app.state.engine, client, "/volunteers/me")
    assert html.count("候补第 1 位") == 7
    assert many == few


def test_bad_reminder_settings_come_back_beside_the_field_and_change_nothing(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: a refused email address gave the generic error page,
    without the form, the field's message or what was typed."""
    client.sign_in("volunteer", PASSWORD)
    page = "/volunteers/me"
    ok = client.submit(
        f"{page}/settings", {"email": "zhao@example.cn", "reminder_minutes": "60"}, page=page
    )
    assert ok.status_code == 303
    r = client.submit(
        f"{page}/settings", {"email": "not-an-address", "reminder_minutes": "60"}, page=page
    )
    assert r.status_code == 422
    assert 'id="f-email-error"' in r.text and 'value="not-an-address"' in r.text
    assert "我的服务" in r.text or 'id="total-hours"' in r.text  # the volunteer's own page
    with Session(engine) as s:
        profile = s.get(VolunteerProfile, world["people"]["volunteer"].id)
        assert profile is not None and profile.email == "zhao@example.cn"
