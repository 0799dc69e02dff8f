"""/admin/plan at a city's size (issue 17): what is late and what needs a decision are
counted and paged in SQL (50 a page, the year and the other list's page kept in the
pager), so the page runs as many statements and loads as many plan items for 3N
items of the year as for N."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.areas import create_area, get_area
from participation.plan import board, board_counts, delivery, planner
from participation.plan.decisions import store_all
from participation.plan.delivery import DirectItem
from participation.plan.models import PlanItem
from participation.plan.records import Milestone, Update, YearEndOutcome
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.queries import statements_of_page
from tests.support.world import World
from web.plan.office import decisions

NOW = datetime(2027, 7, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def plan_id(app: Starlette, engine: Engine, world: World) -> int:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        first = delivery.enter_item(
            s,
            DirectItem(area_id=world["community"].id, year=2027, title="首个事项"),
            actor_id=None,
        )
        return first.plan_id


def _grow(engine: Engine, plan_id: int, n: int, tag: str) -> None:
    """``n`` items past their end date and without milestones: late, and each needs a
    decision."""
    with Session(engine) as s, s.begin():
        s.execute(
            insert(PlanItem),
            [
                {
                    "plan_id": plan_id,
                    "title": f"事项{tag}{k}",
                    "source_kind": "direct",
                    "source_ref": f"{tag}-{k}",
                    "owner_department": "住建局",
                    "due_on": date(2027, 6, 1),
                    "status": "planned",
                }
                for k in range(n)
            ],
        )


@pytest.fixture
def loads() -> Iterator[list[int]]:
    """How many plan items the ORM builds (one object per item loaded)."""
    loaded = [0]

    def count(*_args: object) -> None:
        loaded[0] += 1

    event.listen(PlanItem, "load", count)
    yield loaded
    event.remove(PlanItem, "load", count)


def _items(html: str, list_id: str) -> int:
    found = re.search(rf'<ul id="{list_id}">(.*?)</ul>', html, re.S)
    assert found
    return len(re.findall(r"<li><a ", found.group(1)))


def test_the_planner_pages_in_sql(
    client: FormClient, engine: Engine, plan_id: int, loads: list[int]
) -> None:
    """Fails on the old code: every item of the year was built and listed."""
    client.sign_in("admin")
    _grow(engine, plan_id, 60, "a")
    loads[0] = 0
    few = len(statements_of_page(client, "/admin/plan"))
    few_loads = loads[0]
    _grow(engine, plan_id, 120, "b")  # 3N
    loads[0] = 0
    many = len(statements_of_page(client, "/admin/plan"))
    assert many == few and loads[0] == few_loads <= 2 * 50 + 10
    page = client.get("/admin/plan").text
    assert _items(page, "late") == 50 and _items(page, "decide") == 50
    assert "/admin/plan?year=2027&amp;decide_page=1&amp;late_page=2" in page
    assert "/admin/plan?year=2027&amp;late_page=1&amp;decide_page=2" in page
    last = client.get("/admin/plan?year=2027&decide_page=1&late_page=4").text
    assert _items(last, "late") == 30 and _items(last, "decide") == 50  # 180 late in all
    assert "事项b119" in last and "事项a0" not in last.split('id="decide"')[0]
    past = client.get("/admin/plan?year=2027&decide_page=1&late_page=99").text
    assert _items(past, "late") == 30 and "事项b119" in past  # past the end: the last


def test_a_planner_sees_only_the_areas_they_plan(
    client: FormClient, engine: Engine, plan_id: int, world: World
) -> None:
    """The counts and lists keep to the planner's grants, as the per-item check did."""
    _grow(engine, plan_id, 3, "a")
    with Session(engine) as s, s.begin():  # outside the staff's district
        city = get_area(s, world["city"].id)
        elsewhere = create_area(s, code="D9", name="九区", kind=AreaKind.DISTRICT, parent=city)
        s.flush()
        delivery.enter_item(
            s,
            DirectItem(area_id=elsewhere.id, year=2027, title="别处事项", due_on=date(2027, 6, 1)),
            actor_id=None,
        )
    client.sign_in("admin")
    assert "别处事项" in client.get("/admin/plan").text
    client.sign_in("staff")
    assert "别处事项" not in client.get("/admin/plan").text


def test_the_sql_names_the_items_decisions_names(
    engine: Engine, plan_id: int, world: World
) -> None:
    """needs_decision (SQL) chooses exactly the items web.plan.office.decisions names
    something for, one item per reason, a complete one and a rolled-up one."""
    base = {"owner_department": "住建局", "due_on": date(2027, 12, 1), "budget_yuan": 100}
    cases = {
        "complete": base,
        "no owner": base | {"owner_department": ""},
        "no end": base | {"due_on": None},
        "no milestones": base,
        "weights": base,
        "over budget": base,
        "rolled up": base | {"owner_department": ""},
    }
    with Session(engine) as s, s.begin():
        ids = {}
        for title, fields in cases.items():
            item = PlanItem(
                plan_id=plan_id, title=title, source_kind="direct", source_ref=title, **fields
            )
            s.add(item)
            s.flush()
            ids[title] = item.id
            weight = {"no milestones": 0, "weights": 60}.get(title, 100)
            if weight:
                s.add(
                    Milestone(item_id=item.id, title="节点", due_on=date(2027, 9, 1), weight=weight)
                )
        s.add(Update(item_id=ids["over budget"], text="花了", progress=10, spend_yuan=101))
        s.add(Update(item_id=ids["complete"], text="花了", progress=10, spend_yuan=100))
        s.add(YearEndOutcome(item_id=ids["rolled up"], outcome="delayed", progress=0))
    with Session(engine) as s:
        today = date(2027, 7, 10)
        views = board.item_views(s, today, board.Filters(year=2027))
        expected = {v.item.id for v in views if decisions(v)}
        found = planner.desk(s, today, 2027, None).decide
        assert {v.item.id for v in found.views} == expected
        assert ids["complete"] not in expected and ids["rolled up"] not in expected
        assert {ids[t] for t in ("no owner", "no end", "no milestones", "weights")} <= expected
        assert ids["over budget"] in expected
    with Session(engine) as s, s.begin():  # as the plan-figures job stores the flag
        store_all(s)
    with Session(engine) as s:
        assert (
            set(s.scalars(select(PlanItem.id).where(PlanItem.needs_decision.is_(True)))) == expected
        )


def _late_count(html: str) -> int:
    found = re.search(r'<h2 id="late-h">.*?</h2>\s*<p>\D*(\d+)', html, re.S)
    assert found
    return int(found.group(1))


def _sources(html: str) -> str:
    found = re.search(r'<table id="sources">(.*?)</table>', html, re.S)
    assert found
    return found.group(1)


def test_once_the_figures_are_stored_the_late_list_computes_no_year(
    client: FormClient, engine: Engine, plan_id: int
) -> None:
    """Fails on the old code: the late list rolled up the progress of every item of
    the year in SQL on each request (25 s for a city's year). Once the plan-figures
    job has stored the board statuses, the list is chosen by them; only the shown
    items are computed (every roll-up is bound to the page's ids), and the list and
    its count are the same, as are the counts by source (from the job's summary)."""
    client.sign_in("admin")
    _grow(engine, plan_id, 60, "a")
    live = client.get("/admin/plan").text
    with Session(engine) as s, s.begin():
        board_counts.refresh(s, NOW.date(), NOW)
    seen = statements_of_page(client, "/admin/plan")
    rolled = [sql for sql in seen if "RECURSIVE" in sql]
    assert all(re.search(r"plan_items\.id IN \(\?", sql) for sql in rolled)
    stored = client.get("/admin/plan").text
    assert _items(stored, "late") == _items(live, "late") == 50
    assert _late_count(stored) == _late_count(live) == 60
    assert _sources(stored) == _sources(live) and "61" in _sources(stored)
    _grow(engine, plan_id, 120, "b")  # bulk-written: late from the next run on
    with Session(engine) as s, s.begin():
        board_counts.refresh(s, NOW.date(), NOW)
    assert _late_count(client.get("/admin/plan").text) == 180


def test_the_roll_up_page_loads_its_plan_only(
    client: FormClient, engine: Engine, plan_id: int, world: World, loads: list[int]
) -> None:
    """Fails on the old code: the year-end roll-up page of one plan built every item
    of its year (20,000 in a city, 1.3 s) and kept its own plan's."""
    with Session(engine) as s, s.begin():
        other = delivery.enter_item(
            s, DirectItem(area_id=world["street"].id, year=2027, title="街道事项"), actor_id=None
        ).plan_id
    _grow(engine, plan_id, 5, "a")
    _grow(engine, other, 60, "b")  # another plan of the same year
    client.sign_in("admin")
    loads[0] = 0
    page = client.get(f"/admin/plan/rollup?plan={plan_id}").text
    assert loads[0] == 6  # 首个事项 and its five
    assert page.count("<tr data-item=") == 6 and "事项b0" not in page and "事项a4" in page
    # A page at a time (yearend_drafts.PER_PAGE): 61 items, 50 and 11.
    assert client.get(f"/admin/plan/rollup?plan={other}").text.count("<tr data-item=") == 50
    last = client.get(f"/admin/plan/rollup?plan={other}&show=all&page=2").text
    assert last.count("<tr data-item=") == 11


def test_once_stored_the_decision_list_reads_the_flag_and_follows_the_services(
    client: FormClient, engine: Engine, plan_id: int
) -> None:
    """Fails on the old code: the "needs a decision" list tested every item of the year
    (its milestones' weights, its spend, its outcome) on each request. Once the
    plan-figures job has stored each item's flag, the list reads the flagged items of
    the year's plans on an index, in as many statements for 3N items as for N; the
    services keep the flag of the items they change."""
    client.sign_in("admin")
    _grow(engine, plan_id, 60, "a")
    live = client.get("/admin/plan").text
    with Session(engine) as s, s.begin():
        board_counts.refresh(s, NOW.date(), NOW)
    seen = statements_of_page(client, "/admin/plan")
    listing = [sql for sql in seen if "count(*) OVER" in sql]
    assert len(listing) == 2  # the late list and the decision list
    assert not any("plan_milestones" in sql or "plan_updates" in sql for sql in listing)
    stored = client.get("/admin/plan").text
    assert _items(stored, "decide") == _items(live, "decide") == 50
    assert re.findall(r"事项a\d+", stored.split('id="decide"')[1]) == re.findall(
        r"事项a\d+", live.split('id="decide"')[1]
    )
    _grow(engine, plan_id, 120, "b")
    with Session(engine) as s, s.begin():
        board_counts.refresh(s, NOW.date(), NOW)
    assert len(statements_of_page(client, "/admin/plan")) == len(seen)
    with Session(engine) as s, s.begin():  # the first item gets its one milestone
        first = s.scalars(
            select(PlanItem).where(PlanItem.plan_id == plan_id, PlanItem.title == "事项a0")
        ).one()
        delivery.add_milestone(
            s, first, title="完工", due_on=date(2027, 5, 1), weight=100, actor_id=None
        )
        assert first.needs_decision is False
    with Session(engine) as s:
        listed = planner.desk(s, NOW.date(), 2027, None, per_page=500).decide
        assert "事项a0" not in {v.item.title for v in listed.views} and listed.total == 180
