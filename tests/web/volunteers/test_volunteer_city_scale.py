"""Volunteer pages at a seeded size: the back office's hours report and the public
list of teams run as many SQL statements for 3N rows as for N, show the right
figures, and never read the whole hours ledger (1,000,000 lines in a city)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import reading, statements
from tests.support.volunteering import make_person, make_shift
from volunteers.models import HoursEntry, HoursTotal, Team

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _ledger(engine: Engine, world: dict[str, Any], lines: int, minutes: int) -> None:
    """``lines`` ledger lines of ``minutes`` each, in three months of 2026, on one shift
    (as the ORM writes them: the demo and the services add entries this way)."""
    with Session(engine) as s, s.begin():
        person = make_person(s, f"志愿者{lines}-{datetime.now(UTC).timestamp()}")
        shift = make_shift(s, world["community"], NOW)
        team_id = s.get(Team, _team_of(s, shift)).id  # type: ignore[union-attr]
        for n in range(lines):
            s.add(
                HoursEntry(
                    account_id=person,
                    team_id=team_id,
                    area_id=shift.area_id,
                    shift_id=shift.id,
                    served_on=date(2026, 9 + n % 3, 1 + n % 28),
                    minutes=minutes,
                    kind="system",
                )
            )


def _team_of(s: Session, shift: Any) -> int:
    from volunteers.signups import shift_context

    return shift_context(s, shift.id).team.id


def _office(client: FormClient) -> tuple[list[str], str]:
    with statements() as seen:
        page = client.get("/admin/volunteers")
    assert page.status_code == 200
    return seen, page.text


def test_the_hours_report_reads_summaries_not_the_ledger(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: the office overview loaded every ledger line and every
    area to sum them in Python (and its CSV did the same)."""
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    _ledger(engine, world, 30, 60)  # N lines: 30 hours
    few, html = _office(client)
    assert "30 小时" in html
    _ledger(engine, world, 60, 30)  # 3N lines in all: 30 + 30 hours
    many, html = _office(client)
    assert "60 小时" in html
    assert "2026-09" in html and "2026-11" in html
    assert len(many) == len(few)
    # The ledger is read only to scope the certificates listed (each holder's lines,
    # by the account index: volunteers.certificates.managed_within), never summed.
    hours = [sql for sql in many if reading("vol_hours", [sql])]
    assert all("FROM vol_certificates" in sql and "sum(" not in sql for sql in hours)
    report = client.get("/admin/volunteers/hours.csv")
    assert report.status_code == 200
    assert sum(int(line.split(",")[3]) for line in report.text.splitlines()[1:]) == 3600


def _teams(engine: Engine, world: dict[str, Any], first: int, count: int) -> None:
    with Session(engine) as s, s.begin():
        for n in range(first, first + count):
            s.add(Team(area_id=world["community"].id, name=f"服务队{n:03d}", kind="featured"))


def test_the_list_of_teams_is_paged_in_sql(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: /volunteers listed every team (200 in a city district)."""
    _teams(engine, world, 0, 20)  # N
    with statements() as few:
        assert client.get("/volunteers").status_code == 200
    _teams(engine, world, 20, 40)  # 3N
    with statements() as many:
        page = client.get("/volunteers")
    assert len(many) == len(few)
    # 20 a page: what a phone shows, then the pager.
    assert "服务队019</a>" in page.text and "服务队020</a>" not in page.text
    assert 'href="/volunteers?page=2"' in page.text
    second = client.get("/volunteers?page=2").text
    assert "服务队020</a>" in second and "服务队039</a>" in second and "服务队019<" not in second


def test_my_page_pages_the_ledger_and_sums_it_in_sql(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: /volunteers/me loaded and listed every line of the
    person's ledger (and summed them in Python) however long it was."""
    app.state.fixed_now = NOW
    volunteer = world["people"]["volunteer"].id

    def lines(count: int) -> None:
        with Session(engine) as s, s.begin():
            shift = make_shift(s, world["community"], NOW)
            team_id = _team_of(s, shift)
            for n in range(count):
                s.add(
                    HoursEntry(
                        account_id=volunteer,
                        team_id=team_id,
                        area_id=shift.area_id,
                        shift_id=shift.id,
                        served_on=date(2026, 1 + n % 10, 1 + n % 28),
                        minutes=60,
                        kind="system",
                        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
                    )
                )

    client.sign_in("volunteer", PASSWORD)
    lines(30)  # N
    with statements() as few:
        page = client.get("/volunteers/me")
    assert "30 小时" in page.text
    lines(60)  # 3N
    with statements() as many:
        page = client.get("/volunteers/me")
    assert len(many) == len(few)
    assert "90 小时" in page.text
    assert page.text.count('<td data-label="类型">出勤</td>') == 50
    assert 'href="/volunteers/me?page=2"' in page.text
    assert client.get("/volunteers/me?page=2").text.count('<td data-label="类型">出勤</td>') == 40


def _team_hours(engine: Engine, world: dict[str, Any], first: int, count: int) -> None:
    """``count`` teams, each with 1-3 hours in each of three months of 2026 (in the
    summary, as the ledger's writes keep it)."""
    with Session(engine) as s, s.begin():
        for n in range(first, first + count):
            team = Team(area_id=world["community"].id, name=f"时长队{n:03d}", kind="featured")
            s.add(team)
            s.flush()
            for month in ("2026-09", "2026-10", "2026-11"):
                s.add(
                    HoursTotal(
                        month=month,
                        team_id=team.id,
                        area_id=world["community"].id,
                        minutes=60 * (1 + n % 3),
                        lines=1,
                    )
                )


def test_the_overview_names_the_teams_with_the_most_hours_only(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: the overview listed every team with hours (217 teams,
    61 KB in a city) and read every month × team × area of the summary; now the 20
    teams with the most hours, how many others there are (every row stays in the
    CSV), and the same statements for 3N teams as for N."""
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    _team_hours(engine, world, 0, 30)  # N
    few, html = _office(client)
    _team_hours(engine, world, 30, 60)  # 3N
    many, html = _office(client)
    assert len(many) == len(few)
    named = re.findall(r'<th scope="row">(时长队\d+)</th>', html)
    assert len(named) == 20 and all(int(n[3:]) % 3 == 2 for n in named)  # 9 hours each
    assert "另有 70 项" in html  # 90 teams with hours, 20 named
    assert "2026-09" in html and "2026-11" in html
    assert "540 小时" in html  # 30 teams each of 1, 2 and 3 hours × 3 months
    report = client.get("/admin/volunteers/hours.csv")
    assert len(report.text.splitlines()) == 1 + 90 * 3
