"""Overdue and soon-due requests are flagged in the queue (and can be listed alone)
and on the page the requester follows; the clock is fixed across the 2025 National Day
holiday and its make-up working Saturday."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from tests.support.client import FormClient
from tests.support.requests import file, route_to_community
from tests.support.world import MakeClient, World

FILED = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)  # accept by 9 October


def test_overdue_requests_are_flagged_for_the_unit_and_the_requester(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        late, secret = file(s, world, "小区东门垃圾堆积", now=FILED)
        fresh, _ = file(s, world, "西门路灯不亮", now=datetime(2025, 10, 13, 2, 0, tzinfo=UTC))
    client.sign_in("unitstaff")
    app.state.fixed_now = datetime(2025, 10, 8, 2, 0, tzinfo=UTC)  # still the holiday
    assert "已超期" not in client.get("/admin/requests").text
    app.state.fixed_now = datetime(2025, 10, 13, 2, 0, tzinfo=UTC)  # Monday after the 11th (worked)
    queue = client.get("/admin/requests")
    assert "已超期 3 个工作日" in queue.text
    overdue = client.get("/admin/requests?due=overdue").text
    assert late.number in overdue and fresh.number not in overdue
    soon = client.get("/admin/requests?due=soon").text
    assert fresh.number in soon and late.number not in soon
    follower = make_client()
    page = follower.submit(
        "/requests/track", {"number": late.number, "secret": secret}, page="/requests/track"
    )
    assert "已超期 3 个工作日" in page.text


def test_the_queue_downloads_as_csv_with_lateness_and_no_names(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        from tests.support.requests import verify_resident

        verify_resident(s, world)
        late, _ = file(s, world, "路灯坏了", now=FILED)
    app.state.fixed_now = datetime(2025, 10, 13, 2, 0, tzinfo=UTC)
    client.sign_in("unitstaff")
    table = client.get("/admin/requests.csv?due=overdue")
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    text = table.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("受理编号,诉求类别")
    assert late.number in text and text.rstrip().endswith(",3")
    assert "王小明" not in text
    assert client.get("/admin/requests.xlsx").status_code == 200
