"""Departments through HTTP: the back office keeps them as records (add, edit, merge,
audited), forms choose them from a select, the board groups and filters by them, and
the board's CSV and XLSX hold exactly what the board shows."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.audit import AuditEntry
from participation.departments import Department
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.models import PlanItem
from participation.plan.sources import SourceKind
from tests.support.client import FormClient
from tests.support.world import World


@pytest.fixture
def split(engine: Engine, world: World) -> None:
    """The board as a new user found it: one bureau under three names."""
    with Session(engine) as s, s.begin():
        for n, (owner, year, due) in enumerate(
            [
                ("住建局", 2027, date(2027, 3, 1)),
                ("区住建局", 2027, date(2027, 12, 1)),
                ("东湖区住房和城乡建设局", 2027, date(2027, 12, 1)),
                ("城管局", 2026, date(2026, 12, 31)),
            ]
        ):
            receive_item(
                s,
                ItemFromSource(
                    area_id=world["community"].id,
                    year=year,
                    title=f"事项{n}",
                    source_kind=SourceKind.COMMUNITY_BUDGET,
                    source_ref=f"project:{n}",
                    owner_department=owner,
                    budget_yuan=1000 * (n + 1),
                    starts_on=date(year, 1, 1),
                    due_on=due,
                ),
                actor_id=None,
            )


def _ids(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {d.name: d.id for d in s.scalars(select(Department))}


def test_departments_are_added_edited_and_merged_in_the_back_office(
    client: FormClient, engine: Engine, world: World, split: None
) -> None:
    """Fails on the old code: there was no way to say that 住建局 and 区住建局 are one."""
    client.sign_in("admin")
    page = client.get("/admin/departments")
    assert page.status_code == 200 and "区住建局" in page.text
    assert 'href="/admin/departments"' in client.get("/admin").text
    empty = client.submit("/admin/departments", {"name": " "}, page="/admin/departments")
    assert empty.status_code == 422 and "请填写部门全称" in empty.text
    added = client.submit(
        "/admin/departments",
        {
            "name": "东湖区住房和城乡建设局 ",
            "short_name": "区住建局",
            "area_id": str(world["district"].id),
        },
        page="/admin/departments",
    )
    assert added.status_code == 303
    again = client.submit(
        "/admin/departments", {"name": "东湖区住房和城乡建设局"}, page="/admin/departments"
    )
    assert again.status_code == 422 and "已有同名部门" in again.text
    ids = _ids(engine)
    # The item that carried the name as text only is matched to the new record.
    unmatched = client.get("/admin/departments").text
    assert "未对应到部门的名称" in unmatched
    adopted = client.submit(
        "/admin/departments/adopt",
        {"name": "东湖区住房和城乡建设局", "target_id": str(ids["东湖区住房和城乡建设局"])},
        page="/admin/departments",
    )
    assert adopted.status_code == 303
    edited = client.submit(
        f"/admin/departments/{ids['东湖区住房和城乡建设局']}",
        {
            "name": "东湖区住房和城乡建设局",
            "short_name": "区住建局",
            "area_id": str(world["district"].id),
            "email": "zjj@donghu.example.cn",
        },
        page="/admin/departments",
    )
    assert edited.status_code == 303
    for alias in ("住建局", "区住建局"):
        merged = client.submit(
            "/admin/departments/merge",
            {"source_id": str(ids[alias]), "target_id": str(ids["东湖区住房和城乡建设局"])},
            page="/admin/departments",
        )
        assert merged.status_code == 303
    with Session(engine) as s:
        owners = set(s.execute(select(PlanItem.owner_department, PlanItem.owner_department_id)))
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("department.%"))
            .order_by(AuditEntry.id)
        ).all()
    assert owners == {
        ("东湖区住房和城乡建设局", ids["东湖区住房和城乡建设局"]),
        ("城管局", ids["城管局"]),
    }
    assert actions == [
        "department.create",
        "department.adopt",
        "department.edit",
        "department.merge",
        "department.merge",
    ]
    board = client.get("/plan?year=2027")
    # One department on the board, under its short name, in the filter and the table.
    assert board.text.count(">区住建局</option>") == 1
    assert ">住建局<" not in board.text and "东湖区住房和城乡建设局" not in board.text
    chart = re.search(r'id="chart-department-table".*?</table>', board.text, re.S)
    assert chart and chart.group(0).count("区住建局") == 1


def test_community_workers_may_not_edit_departments_of_higher_areas(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin")
    client.submit(
        "/admin/departments",
        {"name": "东湖区民政局", "area_id": str(world["district"].id)},
        page="/admin/departments",
    )
    client.sign_in("communityworker")
    department = _ids(engine)["东湖区民政局"]
    refused = client.submit(
        f"/admin/departments/{department}",
        {"name": "改名"},
        page="/admin/departments",
    )
    assert refused.status_code == 403
    assert "改名" not in _ids(engine)


def test_forms_choose_a_department_from_a_select(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: the planner asked to type the department's name."""
    client.sign_in("staff")
    planner = client.get("/admin/plan").text
    assert '<select id="f-owner_department" name="owner_department"' in planner
    assert '<option value="住建局">住建局</option>' in planner
    typed = client.submit(
        "/admin/plan/items",
        {
            "title": "路灯",
            "area_id": str(world["community"].id),
            "year": "2027",
            "owner_department": "住房局",
        },
        page="/admin/plan",
    )
    assert typed.status_code == 422 and "请从列表中选择部门" in typed.text
    with Session(engine) as s:
        assert s.scalar(select(PlanItem.id).where(PlanItem.title == "路灯")) is None


def _rows(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_the_board_export_holds_what_the_board_shows(
    client: FormClient, engine: Engine, world: World, split: None
) -> None:
    """Fails on the old code: the CSV link carried the year only, so the department
    and status filters were lost (and without a year, every year was exported)."""
    ids = _ids(engine)
    board = client.get(f"/plan?year=2027&department={ids['区住建局']}").text
    href = re.search(r'href="(/api/v1/plan-items\.csv\?[^"]*)"', board)
    assert href
    rows = _rows(client.get(href.group(1).replace("&amp;", "&")).text)
    assert [r["title"] for r in rows] == ["事项1"]
    assert rows[0]["owner_department_id"] == str(ids["区住建局"])
    default = client.get("/plan").text  # the board picks a year when none is asked
    shown = set(re.findall(r'href="/plan/items/\d+">(事项\d)<', default))
    href = re.search(r'href="(/api/v1/plan-items\.csv\?[^"]*)"', default)
    assert href
    assert {
        r["title"] for r in _rows(client.get(href.group(1).replace("&amp;", "&")).text)
    } == shown
    xlsx = re.search(r'href="(/api/v1/plan-items\.xlsx\?[^"]*)"', default)
    assert xlsx and xlsx.group(1).split("?")[1] == href.group(1).split("?")[1]
