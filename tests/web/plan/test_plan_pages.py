"""Plan pages over HTTP: board, item page, owner updates, visits, planner forms, roll-up, data."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.departments import Department
from participation.plan import delivery
from participation.plan.delivery import DirectItem
from participation.plan.models import PlanItem
from participation.plan.records import Milestone, Update, Visit, YearEndOutcome
from participation.plan.sources import SourceKind
from tests.support.client import FormClient
from tests.support.world import MakeClient, World

NOW = datetime(2027, 7, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def items(app: Starlette, engine: Engine, world: World) -> dict[str, int]:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        lift = delivery.enter_item(
            s,
            DirectItem(
                area_id=world["community"].id,
                year=2027,
                title="老旧小区加装电梯",
                owner_department="住建局",
                owner_account_id=world["people"]["nobody"].id,
                budget_yuan=600_000,
                starts_on=date(2027, 3, 1),
                due_on=date(2027, 10, 31),
            ),
            actor_id=None,
        )
        delivery.add_milestone(
            s, lift, title="设计招标", due_on=date(2027, 6, 30), weight=30, actor_id=None
        )
        park = delivery.enter_item(
            s,
            DirectItem(
                area_id=world["other"].id,
                year=2027,
                title="口袋公园",
                owner_department="园林局",
                budget_yuan=200_000,
                starts_on=date(2027, 4, 1),
                due_on=date(2027, 12, 20),
            ),
            actor_id=None,
        )
        return {"lift": lift.id, "park": park.id}


def count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_board_lists_items_filters_and_charts_with_tables(
    client: FormClient, items: dict[str, int], engine: Engine
) -> None:
    page = client.get("/plan")
    assert page.status_code == 200
    assert "老旧小区加装电梯" in page.text and "口袋公园" in page.text
    assert 'id="chart-progress-table"' in page.text and 'role="img"' in page.text
    late = client.get("/plan?year=2027&status=delayed")
    assert "老旧小区加装电梯" in late.text and "口袋公园" not in late.text
    with Session(engine) as s:
        park_owner = s.scalars(select(Department.id).where(Department.name == "园林局")).one()
    by_department = client.get(f"/plan?year=2027&department={park_owner}")
    assert "口袋公园" in by_department.text and "加装电梯" not in by_department.text
    fragment = client.get("/plan?year=2027", headers={"HX-Request": "true", "HX-Target": "board"})
    assert fragment.text.lstrip().startswith('<div id="board">')
    assert "<html" not in fragment.text


def test_owner_posts_progress_others_are_refused(
    client: FormClient, items: dict[str, int], make_client: MakeClient, engine: Engine
) -> None:
    url = f"/plan/items/{items['lift']}"
    outsider = make_client()
    outsider.sign_in("resident")
    refused = outsider.submit(f"{url}/updates", {"text": "我来更新", "progress": "50"}, page=url)
    assert refused.status_code == 403
    assert "只有" in refused.text or "Only" in refused.text
    client.sign_in("nobody")
    bad = client.submit(f"{url}/updates", {"text": "井道完工", "progress": "120"}, page=url)
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert count(engine, Update) == 0
    done = client.submit(
        f"{url}/updates",
        {
            "text": "井道完工",
            "progress": "40",
            "spend_yuan": "150,000",
            "evidence": "https://e.cn/1.jpg",
        },
        page=url,
    )
    assert done.status_code == 303
    page = client.get(url)
    assert "井道完工" in page.text and "150,000" in page.text
    with Session(engine) as s:
        assert s.scalars(select(Update.progress)).all() == [40]


def test_deputy_records_a_visit_and_a_resident_cannot(
    client: FormClient, items: dict[str, int], make_client: MakeClient, engine: Engine
) -> None:
    url = f"/plan/items/{items['lift']}"
    resident = make_client()
    resident.sign_in("resident")
    assert (
        resident.submit(
            f"{url}/visits", {"visited_on": "2027-07-09", "findings": "x"}, page=url
        ).status_code
        == 403
    )
    client.sign_in("deputy")
    future = client.submit(
        f"{url}/visits", {"visited_on": "2027-07-11", "findings": "看过"}, page=url
    )
    assert future.status_code == 422
    ok = client.submit(
        f"{url}/visits", {"visited_on": "2027-07-09", "findings": "施工围挡不规范"}, page=url
    )
    assert ok.status_code == 303
    assert "施工围挡不规范" in client.get(url).text
    assert count(engine, Visit) == 1


def test_planner_enters_items_and_milestones_within_dates(
    client: FormClient, items: dict[str, int], engine: Engine, world: World
) -> None:
    client.sign_in("staff")
    planner = client.get("/admin/plan")
    assert planner.status_code == 200 and "老旧小区加装电梯" in planner.text  # late
    made = client.submit(
        "/admin/plan/items",
        {
            "title": "背街小巷路面修缮",
            "area_id": str(world["community"].id),
            "year": "2027",
            "owner_department": "城管局",
            "budget_yuan": "80000",
            "starts_on": "2027-05-01",
            "due_on": "2027-09-30",
        },
        page="/admin/plan",
    )
    assert made.status_code == 303
    item_id = int(made.headers["location"].rsplit("/", 1)[1])
    admin_url = f"/admin/plan/items/{item_id}"
    outside = client.submit(
        f"{admin_url}/milestones",
        {"title": "验收", "due_on": "2027-10-15", "weight": "20"},
        page=admin_url,
    )
    assert outside.status_code == 422 and "结束日期之后" in outside.text
    too_heavy = client.submit(
        f"{admin_url}/schedule", {"steps": "设计 | 30 | 60\n施工 | 60 | 50"}, page=admin_url
    )
    assert too_heavy.status_code == 422
    assert count(engine, Milestone) == 1
    scheduled = client.submit(
        f"{admin_url}/schedule", {"steps": "设计 | 30 | 40\n施工 | 60 | 60"}, page=admin_url
    )
    assert scheduled.status_code == 303
    with Session(engine) as s:
        dues = s.scalars(select(Milestone.due_on).where(Milestone.item_id == item_id)).all()
        assert sorted(dues) == [date(2027, 8, 1), date(2027, 9, 30)]
        item = s.get(PlanItem, item_id)
        assert item is not None and item.source_kind == SourceKind.DIRECT.value


def test_year_end_roll_up_carries_the_unfinished_item(
    client: FormClient, items: dict[str, int], engine: Engine
) -> None:
    client.sign_in("admin")
    with Session(engine) as s:
        plan_id = s.get(PlanItem, items["lift"]).plan_id  # type: ignore[union-attr]
    url = f"/admin/plan/rollup?plan={plan_id}"
    assert client.get(url).status_code == 200
    assert client.submit(url, {"action": "rollup"}, page=url).status_code == 303
    with Session(engine) as s:
        carried = s.scalars(
            select(PlanItem).where(PlanItem.source_ref == f"plan_item:{items['lift']}")
        ).one()
    old = client.get(f"/plan/items/{items['lift']}")
    assert f'href="/plan/items/{carried.id}"' in old.text
    new = client.get(f"/plan/items/{carried.id}")
    assert f'href="/plan/items/{items["lift"]}"' in new.text
    again = client.submit(url, {"action": "rollup"}, page=url)
    assert again.status_code == 422


def test_open_data_json_csv_xlsx_and_feed(
    client: FormClient, items: dict[str, int], engine: Engine
) -> None:
    with Session(engine) as s, s.begin():
        item = s.get(PlanItem, items["lift"])
        assert item is not None
        delivery.post_update(
            s,
            item,
            text="井道完工",
            progress=40,
            spend_yuan=1000,
            evidence="",
            actor_id=item.owner_account_id,
            now=NOW,
        )
    data = client.get("/api/v1/plan-items?year=2027").json()
    assert data["count"] == 2
    lift = next(i for i in data["items"] if i["id"] == items["lift"])
    assert (lift["progress"], lift["spend_yuan"], lift["status"]) == (40, 1000, "delayed")
    assert "owner_account_id" not in lift
    assert client.get("/api/v1/plans").json()["count"] == 2
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/plan-items.csv").text.lstrip("\ufeff")))
    )
    assert {r["title"] for r in rows} == {"老旧小区加装电梯", "口袋公园"}
    book = load_workbook(io.BytesIO(client.get("/api/v1/plan-items.xlsx").content))
    assert book.active.max_row == 3
    feed = ET.fromstring(client.get("/plan/feed.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert titles == ["老旧小区加装电梯 · 40%"]
    spec = json.loads(client.get("/api/openapi.json").text)
    assert {"/api/v1/plans", "/api/v1/plan-items"} <= set(spec["paths"])
    # Every published column is documented, and nothing documented is missing.
    assert list(spec["components"]["schemas"]["PlanItem"]["properties"]) == list(lift)


def test_owner_marks_a_milestone_done_not_in_the_future(
    client: FormClient, items: dict[str, int], engine: Engine
) -> None:
    url = f"/plan/items/{items['lift']}"
    with Session(engine) as s:
        milestone_id = s.scalars(select(Milestone.id)).one()
    client.sign_in("nobody")
    assert "已逾期" in client.get(url).text
    done = f"{url}/milestones/{milestone_id}/done"
    future = client.submit(done, {"done_on": "2027-07-11"}, page=url)
    assert future.status_code == 422 and "日期不能晚于今天" in future.text
    ok = client.submit(done, {"done_on": "2027-07-08", "evidence": "验收单"}, page=url)
    assert ok.status_code == 303
    with Session(engine) as s:
        assert s.scalars(select(Milestone.done_on)).one() == date(2027, 7, 8)
    assert "已逾期" not in client.get(url).text


def test_planner_edits_owner_budget_and_dates(
    client: FormClient, items: dict[str, int], engine: Engine
) -> None:
    client.sign_in("communityworker")
    url = f"/admin/plan/items/{items['lift']}"
    fields = {
        "owner_department": "住建局",
        "owner_account_id": "",
        "budget_yuan": "650000",
        "starts_on": "2027-03-01",
    }
    too_short = client.submit(url, fields | {"due_on": "2027-06-01"}, page=url)
    assert too_short.status_code == 422  # the milestone of 30 June would fall outside
    bad = client.submit(url, fields | {"due_on": "2027-12-31", "budget_yuan": "很多"}, page=url)
    assert bad.status_code == 422 and 'id="f-budget_yuan-error"' in bad.text
    ok = client.submit(url, fields | {"due_on": "2027-12-31"}, page=url)
    assert ok.status_code == 303
    with Session(engine) as s:
        item = s.get(PlanItem, items["lift"])
        assert item is not None
        assert (item.budget_yuan, item.due_on, item.owner_account_id) == (
            650_000,
            date(2027, 12, 31),
            None,
        )
    other = f"/admin/plan/items/{items['park']}"  # 二社区: outside the worker's community
    assert client.get(other).status_code == 403


def test_reminder_button_queues_mail_for_overdue_milestones(
    client: FormClient, items: dict[str, int], engine: Engine
) -> None:
    from participation.outbox import OutboxMessage

    with Session(engine) as s, s.begin():
        s.scalars(select(Department).where(Department.name == "住建局")).one().email = "z@e.cn"
    client.sign_in("admin")
    assert client.submit("/admin/plan/remind", {}, page="/admin/plan").status_code == 303
    assert client.submit("/admin/plan/remind", {}, page="/admin/plan").status_code == 303
    with Session(engine) as s:
        assert s.scalars(select(OutboxMessage.to_address)).all() == ["z@e.cn"]


def test_update_form_answers_htmx_with_its_fragment(
    client: FormClient, items: dict[str, int], engine: Engine
) -> None:
    url = f"/plan/items/{items['lift']}"
    client.sign_in("nobody")
    headers = {"HX-Request": "true", "HX-Target": "update_form"}
    form = {"text": "进展", "progress": "-5", "csrf_token": client.csrf(url)}
    bad = client.post(f"{url}/updates", data=form, headers=headers)
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<form method="post" action="/plan/items/')
    assert 'aria-invalid="true"' in bad.text and "<html" not in bad.text
    good = client.post(f"{url}/updates", data=form | {"progress": "5"}, headers=headers)
    assert good.status_code == 200 and good.headers["HX-Redirect"] == url
    assert count(engine, Update) == 1


@pytest.mark.parametrize(
    ("kind", "label", "page"),
    [
        (SourceKind.COMMUNITY_BUDGET, "社区微实事", "/budgets/proposals/7"),
        (SourceKind.CONSULTATION, "社区协商", "/consultations/7"),
        (SourceKind.RECTIFICATION, "整改", "/evaluations/7"),
    ],
)
def test_decisions_of_other_processes_appear_on_the_board(
    client: FormClient, engine: Engine, world: World, kind: SourceKind, label: str, page: str
) -> None:
    """A funded project, a final resolution, a rectification demand: each becomes an item
    that links to its source, and the source finds it again for its back link."""
    from participation.plan.intake import ItemFromSource, item_for_source, receive_item

    with Session(engine) as s, s.begin():
        received = receive_item(
            s,
            ItemFromSource(
                area_id=world["community"].id,
                year=2027,
                title='=HYPERLINK("x") 的决定',
                source_kind=kind,
                source_ref=f"{kind.value}:7",
                source_id=7,
            ),
            actor_id=None,
        )
        delivery.post_source_update(
            s, received, text="开工", progress=10, evidence="", actor_id=None, now=NOW
        )
    with Session(engine) as s:
        item = item_for_source(s, kind, f"{kind.value}:7")
        assert item is not None
    board = client.get("/plan?year=2027")
    row = board.text.split(f'data-item="{item.id}"')[1].split("</tr>")[0]
    assert label in row
    assert f'href="{page}" id="source-link"' in client.get(f"/plan/items/{item.id}").text
    (row,) = [r for r in client.get("/api/v1/plan-items").json()["items"] if r["id"] == item.id]
    assert row["source_url"] == page
    feed = ET.fromstring(client.get("/plan/feed.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    (entry,) = feed.findall("a:entry", ns)
    links = {link.get("rel", "alternate"): link.get("href") for link in entry.findall("a:link", ns)}
    assert links == {
        "alternate": f"http://testserver/plan/items/{item.id}",
        "related": f"http://testserver{page}",
    }
    cell = next(csv.DictReader(io.StringIO(client.get("/api/v1/plan-items.csv").text[1:])))
    assert cell["title"].startswith("'=")  # never run as a spreadsheet formula


def test_board_in_english(client: FormClient, items: dict[str, int]) -> None:
    client.post("/lang", data={"lang": "en", "next": "/plan", "csrf_token": client.csrf("/plan")})
    page = client.get("/plan?year=2027")
    assert "Governance plan progress board" in page.text and "Delayed" in page.text


def test_plan_forms_refuse_numbers_the_plan_cannot_store(
    client: FormClient, items: dict[str, int], engine: Engine, world: World
) -> None:
    """Amounts, weights and spend beyond the plan's 32-bit columns get a field message
    (on PostgreSQL they were a 500), full-width digits are read, and an impossible date
    gets a field message; nothing refused is stored."""
    client.sign_in("communityworker")
    url = f"/admin/plan/items/{items['lift']}"
    fields = {
        "owner_department": "住建局",
        "owner_account_id": str(world["people"]["nobody"].id),
        "starts_on": "2027-03-01",
        "due_on": "2027-12-31",
    }
    huge = client.submit(url, fields | {"budget_yuan": "3,000,000,000"}, page=url)
    assert huge.status_code == 422 and 'id="f-budget_yuan-error"' in huge.text
    no_day = client.submit(url, fields | {"budget_yuan": "1", "starts_on": "2027-02-30"}, page=url)
    assert no_day.status_code == 422 and 'id="f-starts_on-error"' in no_day.text
    with Session(engine) as s:
        assert s.get(PlanItem, items["lift"]).budget_yuan == 600_000  # type: ignore[union-attr]
    wide = client.submit(url, fields | {"budget_yuan": "６５０，０００元"}, page=url)
    assert wide.status_code == 303
    with Session(engine) as s:
        assert s.get(PlanItem, items["lift"]).budget_yuan == 650_000  # type: ignore[union-attr]
    entered = client.submit(
        "/admin/plan/items",
        {
            "area_id": str(world["community"].id),
            "year": "2027",
            "title": "楼道灯",
            "parent_id": str(items["lift"]),
            "weight": "3000000000",
        },
        page="/admin/plan",
    )
    assert entered.status_code == 422 and 'id="f-weight-error"' in entered.text
    assert count(engine, PlanItem) == 2
    item_url = f"/plan/items/{items['lift']}"
    client.sign_in("nobody")
    spent = client.submit(
        f"{item_url}/updates",
        {"text": "付款", "progress": "50", "spend_yuan": "3,000,000,000"},
        page=item_url,
    )
    assert spent.status_code == 422 and 'id="f-spend_yuan-error"' in spent.text
    assert count(engine, Update) == 0


def test_a_refused_roll_up_shows_the_plan_as_it_was(
    client: FormClient, engine: Engine, world: World
) -> None:
    """The roll-up of a 2100 plan closes its finished item, then cannot carry the other
    into 2101 (beyond the plan's years): the page shown with the refusal reads the
    database as before the request, not the finished item's half-written outcome."""
    with Session(engine) as s, s.begin():
        done, _late = (
            delivery.enter_item(
                s,
                DirectItem(
                    area_id=world["community"].id,
                    year=2100,
                    title=title,
                    due_on=date(2100, 6, 30),
                ),
                actor_id=None,
            )
            for title in ("已完成的事项", "未完成的事项")
        )
        done.status = "done"
        plan_id = done.plan_id
    client.sign_in("admin")
    url = f"/admin/plan/rollup?plan={plan_id}"
    refused = client.submit(url, {"action": "rollup"}, page=url)
    assert refused.status_code == 422
    assert 'id="rolled-up"' not in refused.text  # the page still offers the roll-up
    assert 'name="drop_' in refused.text
    assert count(engine, YearEndOutcome) == 0
