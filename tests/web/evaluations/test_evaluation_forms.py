"""Evaluation forms read through the one form reader: an unreadable number or date gets a
message on its field and stores nothing (never a 500); a refused action keeps no half-write;
the back office's overview does not query once per organization."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from consultations.evaluations import panels
from consultations.evaluations.builder import get_evaluation
from consultations.evaluations.models import (
    DepartmentResponse,
    Evaluation,
    PanelScoreRow,
    QuotaCell,
    Rectification,
)
from participation import accounts
from participation.audit import AuditEntry
from participation.organizations.registry import decide_organization, get_org, register_organization
from participation.plan.models import PlanItem
from tests.support.client import FormClient
from tests.support.evaluation_setup import NOW, EvaluationWorld, build


@pytest.fixture
def ew(engine: Engine, app: Starlette) -> EvaluationWorld:
    app.state.fixed_now = NOW
    return build(engine, residents=4)


def count(engine: Engine, model: Any, *where: Any) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


NEW_EVALUATION = {
    "org_id": "1",
    "title": "社区养老服务评估",
    "subject_kind": "policy",
    "subject": "居家养老服务补贴政策",
    "department": "区民政局",
    "area_id": "3",
    "conflict_declaration": "无利益冲突。",
}


def test_an_unreadable_evaluation_number_is_a_field_message(
    client: FormClient, ew: EvaluationWorld, engine: Engine
) -> None:
    """It used to be read as "none" and the evaluation was created without its link."""
    client.sign_in("orgadmin", "evaluation-pass")
    for field in ("previous_id", "plan_item_id"):
        refused = client.submit(
            "/evaluations/manage", NEW_EVALUATION | {field: "第一期"}, page="/evaluations/manage"
        )
        assert refused.status_code == 422
        assert f'id="f-{field}-error"' in refused.text
        assert 'value="第一期"' in refused.text  # what was typed is kept
    assert count(engine, Evaluation) == 1
    created = client.submit(
        "/evaluations/manage",
        NEW_EVALUATION | {"previous_id": f"{ew.evaluation_id}".translate(FULL_WIDTH)},
        page="/evaluations/manage",
    )
    assert created.status_code == 303
    with Session(engine) as s:
        later = s.scalars(select(Evaluation).order_by(Evaluation.id.desc())).first()
        assert later is not None and later.previous_id == ew.evaluation_id


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _draft(client: FormClient) -> str:
    created = client.submit("/evaluations/manage", NEW_EVALUATION, page="/evaluations/manage")
    assert created.status_code == 303, created.text
    return str(created.headers["location"])


def test_invitation_counts_are_read_as_numbers(
    client: FormClient, engine: Engine, app: Starlette
) -> None:
    app.state.fixed_now = NOW
    world = build(engine, residents=4, access="tokens")
    client.sign_in("orgadmin", "evaluation-pass")
    base = f"/evaluations/manage/{world.evaluation_id}"
    cell = {"cell": "东社区"}
    for data, field in (
        ({"count": "十", "days": "14"}, "count"),
        ({"count": "3", "days": "x"}, "days"),
    ):
        refused = client.submit(f"{base}/invitations", data | cell, page=base)
        assert refused.status_code == 422
        assert f'id="f-{field}-error"' in refused.text
    issued = client.submit(f"{base}/invitations", {"count": "３", "days": "１４"} | cell, page=base)
    assert issued.status_code == 200
    assert issued.text.count("/respond?token=") == 3


def test_quota_caps_are_read_like_every_other_number(
    client: FormClient, ew: EvaluationWorld, engine: Engine
) -> None:
    """A cap of "²" passes str.isdigit() but int() refuses it: this used to answer 500."""
    client.sign_in("orgadmin", "evaluation-pass")
    base = _draft(client)
    plan = {
        "access": "residents",
        "confidence": "0.95",
        "margin": "10",
        "response_rate": "50",
        "dimensions": "community",
        "weighting": "post-stratification",
    }
    new_id = int(base.rsplit("/", 1)[1])
    for wrong in ("三", "٣", "99999999999999999999"):
        refused = client.submit(f"{base}/plan", plan | {"caps": f"东社区 = {wrong}"}, page=base)
        assert refused.status_code == 422, wrong
        assert '<div class="field has-error"><label for="f-caps">' in refused.text
        assert count(engine, QuotaCell, QuotaCell.evaluation_id == new_id) == 0
    saved = client.submit(f"{base}/plan", plan | {"caps": "东社区 = ²\n西社区 = ３"}, page=base)
    assert saved.status_code == 303
    with Session(engine) as s:
        caps = dict(
            s.execute(
                select(QuotaCell.cell, QuotaCell.cap).where(QuotaCell.evaluation_id == new_id)
            ).all()
        )
    assert caps == {"东社区": 2, "西社区": 3}


@pytest.fixture
def scoring(ew: EvaluationWorld, engine: Engine) -> tuple[int, int]:
    """An open panel with two projects, the expert "expert1" and "public1"
    (the panel's id, the first project's id)."""
    with Session(engine) as s, s.begin():
        accounts.sign_up(s, login="expert1", password="evaluation-pass", display_name="专家甲")
        accounts.sign_up(s, login="public1", password="evaluation-pass", display_name="居民评审")
        org = get_org(s, ew.org_id)
        panel = panels.create_panel(
            s,
            org,
            title="微实事项目验收评审",
            area_id=ew.area_id,
            expert_weight="0.6",
            description="",
            actor_id=ew.org_admin,
        )
        project = panels.add_project(s, panel, "长者饭堂", "", ew.org_admin)
        panels.add_project(s, panel, "路灯改造", "", ew.org_admin)
        panels.add_panel_member(s, panel, "expert1", "expert", ew.org_admin)
        panels.add_panel_member(s, panel, "public1", "public", ew.org_admin)
        panels.draw(s, panel, ew.org_admin, NOW)
        panels.open_scoring(s, panel, ew.org_admin)
        return panel.id, project.id


def test_a_score_is_a_whole_number_read_like_every_other(
    make_client: Callable[[], FormClient], scoring: tuple[int, int], engine: Engine
) -> None:
    panel_id, project = scoring
    expert = make_client()
    expert.sign_in("expert1", "evaluation-pass")
    url = f"/panels/{panel_id}/score"
    for wrong in ("٣", "八十", "80.5", "-1", "101", "99999999999999999999", ""):
        refused = expert.submit(url, {"project": project, f"score_{project}": wrong}, page=url)
        assert refused.status_code == 422, wrong
        assert f'id="f-score_{project}-error"' in refused.text
    assert count(engine, PanelScoreRow) == 0
    # "²" passes str.isdigit() but int() refuses it: this used to answer 500.
    ok = expert.submit(url, {"project": project, f"score_{project}": "²"}, page=url)
    assert ok.status_code == 303
    with Session(engine) as s:
        assert s.scalars(select(PanelScoreRow.score)).one() == 2


def _published(engine: Engine, ew: EvaluationWorld) -> None:
    with Session(engine) as s, s.begin():
        get_evaluation(s, ew.evaluation_id).status = "published"


def test_a_refused_department_response_keeps_no_half_written_item(
    make_client: Callable[[], FormClient], ew: EvaluationWorld, engine: Engine
) -> None:
    """The second item is refused by the plan after the first was written: the page
    shown again used to list that first item (and no longer the form), as if stored."""
    _published(engine, ew)
    staff = make_client()
    staff.sign_in("deptstaff", "evaluation-pass")
    url = f"/evaluations/{ew.evaluation_id}/department-response"
    form = {
        "text": "接受评估结论，立即整改。",
        "title_0": "增开午间窗口",
        "owner_0": "便民服务中心",
        "due_0": "2027-01-31",
        "title_1": "延长周末服务",
        "owner_1": "便民服务中心",
        "due_1": "2101-01-31",
    }
    refused = staff.submit(url, form, page=url)
    assert refused.status_code == 422
    assert 'value="延长周末服务"' in refused.text  # the form again, as typed
    assert f"/evaluations/{ew.evaluation_id}/rectifications/" not in refused.text
    assert "2100" in refused.text  # says which dates a plan can hold
    assert count(engine, DepartmentResponse) == count(engine, Rectification) == 0
    assert count(engine, PlanItem) == 0


def test_an_unreadable_due_date_is_marked_on_its_field(
    make_client: Callable[[], FormClient], ew: EvaluationWorld, engine: Engine
) -> None:
    _published(engine, ew)
    staff = make_client()
    staff.sign_in("deptstaff", "evaluation-pass")
    url = f"/evaluations/{ew.evaluation_id}/department-response"
    form = {
        "text": "接受评估结论，立即整改。",
        "title_0": "增开午间窗口",
        "owner_0": "便民服务中心",
    }
    for due in ("2027-02-30", "明年一月", ""):
        refused = staff.submit(url, form | {"due_0": due}, page=url)
        assert refused.status_code == 422, due
        assert 'id="f-due_0-error"' in refused.text
    assert count(engine, DepartmentResponse) == count(engine, Rectification) == 0
    ok = staff.submit(url, form | {"due_0": "２０２７-０１-３１"}, page=url)
    assert ok.status_code == 303
    with Session(engine) as s:
        assert str(s.scalars(select(Rectification.due_on)).one()) == "2027-01-31"
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "evaluation.department_response")
            )
            == 1
        )


@pytest.fixture
def statements(app: Starlette) -> Iterator[list[str]]:
    log: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        log.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", record)
    yield log
    event.remove(app.state.engine, "before_cursor_execute", record)


def test_the_overview_queries_members_once_whatever_the_number_of_organizations(
    client: FormClient, ew: EvaluationWorld, engine: Engine, statements: list[str]
) -> None:
    client.sign_in("orgadmin", "evaluation-pass")

    def queries() -> int:
        statements.clear()
        page = client.get("/evaluations/manage")
        assert page.status_code == 200
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    one = queries()
    with Session(engine) as s, s.begin():
        for n in range(3):
            org = register_organization(
                s,
                name=f"第{n}评估中心",
                credit_code=f"52440400MJ000001{n}X",
                area_id=ew.area_id,
                description="",
                account_id=ew.org_admin,
            )
            decide_organization(s, org, verified=True, staff_id=ew.staff, now=NOW)
    assert queries() == one
    assert "第2评估中心" in client.get("/evaluations/manage").text


def test_the_time_a_respondent_started_is_read_on_the_local_clock(
    client: FormClient, ew: EvaluationWorld, engine: Engine
) -> None:
    """The page's hidden "started" is read back by the form reader; unreadable, the
    duration is unknown and the response is still recorded (never a 500)."""
    from consultations.evaluations.models import EvaluationParticipation

    client.sign_in("13900000000", "evaluation-pass")
    url = f"/evaluations/{ew.evaluation_id}/respond"
    assert 'name="started" value="2026-11-22T18:00:00"' in client.get(url).text  # 10:00 UTC
    answers = {"q1": "4", "q2": "5", "q3": "3", "action": "submit"}
    done = client.submit(url, answers | {"started": "2026-11-22T18:00:00+08:00junk"}, page=url)
    assert done.status_code == 303
    assert count(engine, EvaluationParticipation) == 1
