"""An evaluation's responsible department and its rectification items' owners are
chosen among the departments serving the evaluated area (its own, those above it,
those not placed yet), not among every department of the city; the same options
and statements with 3N departments elsewhere as with N; a department elsewhere is
refused with a message and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from consultations.evaluations.builder import get_evaluation
from consultations.evaluations.models import DepartmentResponse, Evaluation, Rectification
from participation.areas import Area, create_area, get_area
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.department_scope import elsewhere, offered, placed
from tests.support.evaluation_setup import NOW, EvaluationWorld, build
from tests.support.queries import statements_of_page


@pytest.fixture
def ew(engine: Engine, app: Starlette) -> EvaluationWorld:
    app.state.fixed_now = NOW
    return build(engine, residents=4)


def _chain(engine: Engine, ew: EvaluationWorld) -> list[int]:
    """The evaluated area's chain of ids, from the city down."""
    with Session(engine) as s:
        area = get_area(s, get_evaluation(s, ew.evaluation_id).area_id)
        return [int(p) for p in area.path.strip("/").split("/")]


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_rectification_owners_are_the_departments_serving_the_area(
    make_client: Callable[[], FormClient], ew: EvaluationWorld, engine: Engine
) -> None:
    """Fails on the old code: each of the five owner fields listed every department."""
    with Session(engine) as s, s.begin():
        get_evaluation(s, ew.evaluation_id).status = "published"
    chain = _chain(engine, ew)
    placed(engine, chain[-1], "街道城建办")
    staff = make_client()
    staff.sign_in("deptstaff", "evaluation-pass")
    url = f"/evaluations/{ew.evaluation_id}/department-response"
    elsewhere(engine, chain[0], 20, "a")
    few = statements_of_page(staff, url)
    first = offered(staff.get(url).text, "owner_0")
    elsewhere(engine, chain[0], 40, "b")  # 3N
    assert len(statements_of_page(staff, url)) == len(few)
    options = offered(staff.get(url).text, "owner_0")
    assert options == first and "街道城建办" in options
    assert not any(o.startswith("外区单位") for o in options)
    form = {"text": "接受评估结论，立即整改。", "title_0": "增开午间窗口", "due_0": "2027-01-31"}
    refused = staff.submit(url, form | {"owner_0": "外区单位b039"}, page=url)
    assert refused.status_code == 422 and "该部门不服务于这一地区" in refused.text
    assert _count(engine, DepartmentResponse) == _count(engine, Rectification) == 0
    assert staff.submit(url, form | {"owner_0": "街道城建办"}, page=url).status_code == 303


NEW_EVALUATION = {
    "org_id": "1",
    "title": "社区养老服务评估",
    "subject_kind": "policy",
    "subject": "居家养老服务补贴政策",
    "conflict_declaration": "无利益冲突。",
}


def test_a_new_evaluation_names_a_department_serving_its_area(
    client: FormClient, ew: EvaluationWorld, engine: Engine
) -> None:
    chain = _chain(engine, ew)
    elsewhere(engine, chain[0], 3, "a")
    client.sign_in("orgadmin", "evaluation-pass")
    page = "/evaluations/manage"
    new = NEW_EVALUATION | {"area_id": str(chain[-1])}
    before = _count(engine, Evaluation)
    refused = client.submit(page, new | {"department": "外区单位a000"}, page=page)
    assert refused.status_code == 422 and "该部门不服务于这一地区" in refused.text
    assert 'id="f-department-error"' in refused.text
    assert _count(engine, Evaluation) == before
    # A department of another district serves an evaluation of that district.
    with Session(engine) as s:
        other = s.scalar(select(Area.id).where(Area.name == "外区a"))
    made = client.submit(
        page, new | {"department": "外区单位a000", "area_id": str(other)}, page=page
    )
    assert made.status_code == 303


def test_in_a_city_the_form_offers_the_departments_of_the_area_reached(
    client: FormClient, ew: EvaluationWorld, engine: Engine
) -> None:
    """Past a small tree the area is chosen a level at a time (?area=): the department
    list follows the area reached, and stays the same size with 3N departments
    elsewhere."""
    chain = _chain(engine, ew)
    elsewhere(engine, chain[0], 20, "a")
    with Session(engine) as s, s.begin():  # a city's tree: more areas than one <select>
        district = get_area(s, chain[1])
        for n in range(70):
            create_area(s, code=f"X{n}", name=f"街{n}", kind=AreaKind.STREET, parent=district)
    client.sign_in("orgadmin", "evaluation-pass")
    url = f"/evaluations/manage?area={chain[-1]}"
    few = statements_of_page(client, url)
    first = offered(client.get(url).text, "f-department")
    elsewhere(engine, chain[0], 40, "b")
    assert len(statements_of_page(client, url)) == len(few)
    assert offered(client.get(url).text, "f-department") == first
    assert "区民政局" in first and not any(o.startswith("外区单位") for o in first)
