"""The volunteer back office: its overview reads in a fixed number of queries
however many certificates were issued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.volunteering import make_person, make_shift
from volunteers import attendance, certificates, signups

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _certify(engine: Engine, world: dict[str, Any], count: int) -> None:
    """``count`` new volunteers, each with one attended shift and a certificate."""
    with Session(engine) as s, s.begin():
        for n in range(count):
            person = make_person(s, f"持证志愿者{n}-{datetime.now(UTC).timestamp()}")
            shift = make_shift(s, world["community"], NOW - timedelta(days=5))
            signups.sign_up(s, shift.id, person, shift.starts_at - timedelta(days=1))
            attendance.mark(
                s,
                shift.id,
                person,
                checked_in=shift.starts_at,
                checked_out=shift.ends_at,
                no_show=False,
                actor_id=person,
                now=NOW - timedelta(days=4),
            )
            certificates.issue(
                s,
                person,
                id_number="",
                issuer="测试志愿服务联合会",
                actor_id=person,
                id_key=b"",
                now=NOW - timedelta(days=3),
            )


def _selects(engine: Engine, client: FormClient, url: str) -> tuple[int, str]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(url)
        assert page.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), page.text


def test_the_overview_reads_in_a_fixed_number_of_queries(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: it asked which areas each of the last 100
    certificates covers, one query per certificate."""
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    _certify(engine, world, 2)
    few, _ = _selects(app.state.engine, client, "/admin/volunteers")
    _certify(engine, world, 6)
    many, html = _selects(app.state.engine, client, "/admin/volunteers")
    assert html.count("/revoke") == 8
    assert many == few
