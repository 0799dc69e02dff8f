"""The volunteer back office: its overview reads in a fixed number of queries
however many certificates were issued; a refused new team leaves nothing behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.volunteering import attend_whole_shift, make_person, make_shift
from volunteers import certificates
from volunteers.models import Team
from volunteers.teams import is_leader

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _certify(engine: Engine, world: dict[str, Any], count: int) -> None:
    """``count`` new volunteers, each with one attended shift and a certificate."""
    with Session(engine) as s, s.begin():
        for n in range(count):
            person = make_person(s, f"持证志愿者{n}-{datetime.now(UTC).timestamp()}")
            shift = make_shift(s, world["community"], NOW - timedelta(days=5))
            attend_whole_shift(s, shift, person, actor_id=person, now=NOW - timedelta(days=4))
            certificates.issue(
                s,
                person,
                id_number="",
                issuer="测试志愿服务联合会",
                actor_id=person,
                id_key=b"",
                now=NOW - timedelta(days=3),
            )


def test_the_overview_reads_in_a_fixed_number_of_queries(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: it asked which areas each of the last 100
    certificates covers, one query per certificate."""
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    _certify(engine, world, 2)
    few, _ = page_selects(app.state.engine, client, "/admin/volunteers")
    _certify(engine, world, 6)
    many, html = page_selects(app.state.engine, client, "/admin/volunteers")
    assert html.count("/revoke") == 8
    assert many == few


def test_a_leader_nobody_has_is_refused_and_no_team_is_left_behind(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: a mistyped leader's login was ignored, leaving a new
    team without a leader. Now it is a field message, and the team the service
    had already written is rolled back before the page is shown again."""
    client.sign_in("communityworker", PASSWORD)
    form = {
        "name": "无人带领服务队",
        "area_id": str(world["community"].id),
        "kind": "featured",
        "join_mode": "open",
        "leader": "no-such-login",
    }
    r = client.submit("/admin/volunteers/teams", form, page="/admin/volunteers")
    assert r.status_code == 422, r.text
    assert 'id="f-leader-error"' in r.text and "无人带领服务队</" not in r.text
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Team)) == 0
    r = client.submit(
        "/admin/volunteers/teams", form | {"leader": "teamleader"}, page="/admin/volunteers"
    )
    assert r.status_code == 303
    with Session(engine) as s:
        team = s.scalar(select(Team))
        assert team is not None and team.name == "无人带领服务队"
        assert is_leader(s, team.id, world["people"]["team_leader"].id)
