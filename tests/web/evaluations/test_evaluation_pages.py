"""Evaluation pages through HTTP: building, responding, publishing, the department's
response, exports and open data; bad input re-renders with messages and stores nothing."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from consultations.evaluations.models import (
    Evaluation,
    EvaluationParticipation,
    EvaluationResponse,
    Indicator,
    PanelProject,
    Question,
    Rectification,
    ResponseDraft,
    SealedResponse,
)
from participation.plan.models import PlanItem
from participation.plan.records import Judgement, Update
from tests.support.client import FormClient
from tests.support.evaluation_setup import NOW, EvaluationWorld, build
from tests.support.world import MakeClient


@pytest.fixture
def ew(engine: Engine, app: Starlette) -> EvaluationWorld:
    app.state.fixed_now = NOW
    return build(engine, residents=8)


def rows(engine: Engine, model: type[Any], *where: Any) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def responses(engine: Engine) -> int:
    """Responses stored, sealed (while collecting) or opened (once closed)."""
    return rows(engine, EvaluationResponse) + rows(engine, SealedResponse)


def test_public_list_and_collecting_page(client: FormClient, ew: EvaluationWorld) -> None:
    listing = client.get("/evaluations")
    assert listing.status_code == 200
    assert "政务服务评估" in listing.text
    page = client.get(f"/evaluations/{ew.evaluation_id}")
    assert page.status_code == 200
    assert f'href="/evaluations/{ew.evaluation_id}/respond"' in page.text
    assert "本机构与被评估部门无利益关系" in page.text  # the declaration is public
    assert "Very satisfied = 100" in page.text or "非常满意 = 100" in page.text
    anonymous = client.get(f"/evaluations/{ew.evaluation_id}/respond")
    assert "/login?next=/evaluations/" in anonymous.text


def test_resident_responds_once_with_drafts_and_clear_errors(
    client: FormClient, ew: EvaluationWorld, engine: Engine
) -> None:
    client.sign_in("13900000000", "evaluation-pass")
    url = f"/evaluations/{ew.evaluation_id}/respond"
    bad = client.submit(url, {"q1": "4", "q2": "", "q3": "7", "action": "submit"}, page=url)
    assert bad.status_code == 422
    assert 'id="q2-error"' in bad.text and 'id="q3-error"' in bad.text
    assert 'value="4" checked' in bad.text  # what was given is kept
    assert rows(engine, EvaluationParticipation) == responses(engine) == 0
    saved = client.submit(url, {"q1": "4", "action": "save"}, page=url)
    assert saved.status_code == 303
    assert rows(engine, ResponseDraft) == 1
    assert 'value="4" checked' in client.get(url).text
    done = client.submit(
        url, {"q1": "4", "q2": "5", "q3": "3", "q4": "", "action": "submit"}, page=url
    )
    assert done.status_code == 303
    assert responses(engine) == 1
    assert rows(engine, ResponseDraft) == 0
    assert "already responded" in client.get(url).text or "已经" in client.get(url).text
    again = client.submit(url, {"q1": "1", "q2": "1", "q3": "1", "action": "submit"}, page=url)
    assert again.status_code == 409
    assert responses(engine) == 1


def _draft(client: FormClient) -> int:
    created = client.submit(
        "/evaluations/manage",
        {
            "org_id": "1",
            "title": "社区养老服务评估",
            "subject_kind": "policy",
            "subject": "居家养老服务补贴政策",
            "department": "区民政局",
            "area_id": "3",
            "conflict_declaration": "无利益冲突。",
        },
        page="/evaluations/manage",
    )
    assert created.status_code == 303, created.text
    return int(created.headers["location"].rsplit("/", 1)[1])


def test_builder_refuses_bad_weights_and_orphan_questions(
    client: FormClient, ew: EvaluationWorld, engine: Engine
) -> None:
    client.sign_in("orgadmin", "evaluation-pass")
    new_id = _draft(client)
    base = f"/evaluations/manage/{new_id}"
    bad = client.submit(
        f"{base}/indicators", {"indicators": "A | 便利 | 0.6\nB | 满意 | 0.3"}, page=base
    )
    assert bad.status_code == 422
    assert "0.9" in bad.text
    assert rows(engine, Indicator, Indicator.evaluation_id == new_id) == 0
    good = client.submit(
        f"{base}/indicators", {"indicators": "A | 便利 | 0.6\nB | 满意 | 0.4"}, page=base
    )
    assert good.status_code == 303
    orphan = client.submit(
        f"{base}/questions", {"text": "方便吗？", "kind": "scale5", "indicator": ""}, page=base
    )
    assert orphan.status_code == 422
    assert 'id="f-indicator-error"' in orphan.text
    assert rows(engine, Question, Question.evaluation_id == new_id) == 0
    premature = client.submit(f"{base}/open", {}, page=base)
    assert premature.status_code == 422
    with Session(engine) as s:
        assert s.get(Evaluation, new_id).status == "draft"  # type: ignore[union-attr]


def test_builder_journey_to_open(client: FormClient, ew: EvaluationWorld, engine: Engine) -> None:
    client.sign_in("orgadmin", "evaluation-pass")
    new_id = _draft(client)
    base = f"/evaluations/manage/{new_id}"
    assert (
        client.submit(f"{base}/indicators", {"indicators": "A | 便利 | 1"}, page=base).status_code
        == 303
    )
    question = {
        "text": "补贴申请方便吗？",
        "kind": "single",
        "indicator": "A",
        "options": "方便 = 100\n一般 = 50\n不方便 = 0",
    }
    assert client.submit(f"{base}/questions", question, page=base).status_code == 303
    plan = {
        "access": "residents",
        "confidence": "0.95",
        "margin": "5",
        "response_rate": "50",
        "dimensions": "community",
        "weighting": "raking",
    }
    assert client.submit(f"{base}/plan", plan, page=base).status_code == 303
    page = client.get(base)
    assert 'id="sample-size"' in page.text and 'id="quota-cells"' in page.text
    assert client.submit(f"{base}/open", {}, page=base).status_code == 303
    with Session(engine) as s:
        evaluation = s.get(Evaluation, new_id)
        assert evaluation is not None and evaluation.status == "collecting"
        assert evaluation.target_sample == 9  # the roll holds 9 people here
    outsider = client.__class__(client.app, base_url="http://testserver")
    outsider.sign_in("deptstaff", "evaluation-pass")
    assert outsider.get(base).status_code == 403


def test_publish_report_exports_and_department_response(
    client: FormClient, ew: EvaluationWorld, engine: Engine, make_client: MakeClient
) -> None:
    from consultations.evaluations.builder import get_evaluation
    from consultations.evaluations.responding import resident_respondent, submit_response

    with Session(engine) as s, s.begin():
        evaluation = get_evaluation(s, ew.evaluation_id)
        for n, account in enumerate(ew.residents):
            who = resident_respondent(s, evaluation, account, NOW.date())
            submit_response(
                s,
                evaluation,
                who,
                {"q1": str(1 + n % 5), "q2": "4", "q3": "5"},
                now=NOW,
                started_at=None,
            )
    client.sign_in("orgadmin", "evaluation-pass")
    base = f"/evaluations/manage/{ew.evaluation_id}"
    assert client.submit(f"{base}/close", {}, page=base).status_code == 303
    empty = client.submit(f"{base}/publish", {"findings": ""}, page=base)
    assert empty.status_code == 422
    assert (
        client.submit(f"{base}/publish", {"findings": "窗口等待时间偏长。"}, page=base).status_code
        == 303
    )

    public = client.get(f"/evaluations/{ew.evaluation_id}")
    assert 'id="overall-index"' in public.text
    assert 'role="img"' in public.text and "<table" in public.text
    assert "窗口等待时间偏长" in public.text
    assert "平均得分 40.6（8 份答卷，未加权）" in public.text  # q1: 0,25,50,75,100,0,25,50 → 40.6
    csv_text = client.get(f"/evaluations/{ew.evaluation_id}/report.csv").text
    assert csv_text.lstrip("\ufeff").startswith("indicator,name,n,mean")
    assert "_overall" in csv_text
    xlsx = client.get(f"/evaluations/{ew.evaluation_id}/report.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    header, overall_row = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    assert header[:4] == ("indicator", "name", "n", "mean")
    assert overall_row[0] == "_overall" and isinstance(overall_row[3], float)
    micro = client.get(f"/evaluations/{ew.evaluation_id}/microdata.csv").text
    assert "窗口" not in micro and len(micro.strip().splitlines()) == 1 + 8
    api = client.get(f"/api/v1/evaluations/{ew.evaluation_id}").json()
    assert api["report"]["figures"]["_overall"]["weighted_aggregates"]["n"] == 8
    assert client.get("/api/v1/evaluations").json()["count"] == 1
    assert client.get(f"/api/v1/evaluations?area_id={ew.area_id}").json()["count"] == 1
    assert client.get("/api/v1/evaluations?area_id=4").json()["count"] == 0  # 东社区, below
    listing = client.get("/api/v1/evaluations.csv").text.lstrip("\ufeff").splitlines()
    assert listing[0].startswith("id,title") and "政务服务评估" in listing[1]
    assert "/api/v1/evaluations" in client.get("/api/openapi.json").json()["paths"]

    staff = make_client()
    staff.sign_in("deptstaff", "evaluation-pass")
    url = f"/evaluations/{ew.evaluation_id}/department-response"
    bad = staff.submit(
        url,
        {"text": "收到", "title_0": "增开窗口", "owner_0": "中心", "due_0": "2027-01-31"},
        page=url,
    )
    assert bad.status_code == 422
    assert rows(engine, PlanItem) == 0
    ok = staff.submit(
        url,
        {
            "text": "接受评估结论，立即整改。",
            "title_0": "增开午间窗口",
            "owner_0": "便民服务中心",
            "due_0": "2027-01-31",
        },
        page=url,
    )
    assert ok.status_code == 303
    with Session(engine) as s:
        item = s.scalars(select(PlanItem)).one()
    assert item.source_kind == "rectification"
    assert f'href="/plan/items/{item.id}"' in client.get(f"/evaluations/{ew.evaluation_id}").text
    with Session(engine) as s:
        rectification = s.scalars(select(Rectification)).one()
    update = f"/evaluations/{ew.evaluation_id}/rectifications/{rectification.id}"
    no_evidence = staff.submit(update, {"evidence": "", "done": "1"}, page=url)
    assert no_evidence.status_code == 422
    # Past its due date and not done: flagged on the public page.
    cast(Starlette, client.app).state.fixed_now = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    overdue_page = client.get(f"/evaluations/{ew.evaluation_id}").text
    assert 'class="overdue"' in overdue_page
    assert '<span data-testid="plan-status">滞后</span>' in overdue_page  # the board's word
    # ... and late on the plan board and the item page too.
    late = client.get("/plan?year=2027&status=delayed").text
    assert f'<tr data-item="{item.id}" class="late">' in late
    assert 'id="item-status" class="status-delayed"' in client.get(f"/plan/items/{item.id}").text
    done = staff.submit(
        update, {"evidence": "2027年1月起午间增开2个窗口，附排班表。", "done": "1"}, page=url
    )
    assert done.status_code == 303
    page = client.get(f"/evaluations/{ew.evaluation_id}").text
    assert 'class="overdue"' not in page and "附排班表" in page
    assert '<span data-testid="plan-status">已完成</span>' in page
    # The plan item follows: one public update at 100 % with the evidence, status done.
    with Session(engine) as s:
        plan_item = s.get(PlanItem, item.id)
        assert plan_item is not None and plan_item.status == "done"
        (posted,) = s.scalars(select(Update).where(Update.item_id == item.id)).all()
    assert posted.progress == 100 and "附排班表" in posted.text and posted.author_id is not None
    item_page = client.get(f"/plan/items/{item.id}").text
    assert 'id="item-status" class="status-done"' in item_page and "附排班表" in item_page
    assert f'<tr data-item="{item.id}" class="late">' not in client.get("/plan?year=2027").text
    # Saving the done item again (a corrected note) adds nothing to the plan's timeline.
    again = staff.submit(
        update,
        {"evidence": "2027年1月起午间增开2个窗口，附排班表（修订）。", "done": "1"},
        page=url,
    )
    assert again.status_code == 303
    assert rows(engine, Update, Update.item_id == item.id) == 1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_report_pdf_has_the_chinese_text(
    client: FormClient, ew: EvaluationWorld, engine: Engine, tmp_path: Path
) -> None:
    from consultations.evaluations.builder import close_evaluation, get_evaluation
    from consultations.evaluations.reports import publish_report

    with Session(engine) as s, s.begin():
        evaluation = get_evaluation(s, ew.evaluation_id)
        close_evaluation(s, evaluation, ew.org_admin, NOW)
        publish_report(s, evaluation, "总体满意度较高。", ew.org_admin, NOW)
    response = client.get(f"/evaluations/{ew.evaluation_id}/report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "政务服务评估" in text and "总体满意度较高" in text


def test_unpublished_evaluations_are_not_open_data(client: FormClient, ew: EvaluationWorld) -> None:
    assert client.get(f"/api/v1/evaluations/{ew.evaluation_id}").status_code == 404
    assert client.get(f"/evaluations/{ew.evaluation_id}/report.csv").status_code == 404
    assert client.get("/api/v1/evaluations").json()["count"] == 0


def test_panel_review_pages(
    client: FormClient, ew: EvaluationWorld, engine: Engine, make_client: MakeClient
) -> None:
    from participation import accounts as account_service

    with Session(engine) as s, s.begin():
        account_service.sign_up(
            s, login="expert1", password="evaluation-pass", display_name="专家甲"
        )
        account_service.sign_up(
            s, login="public1", password="evaluation-pass", display_name="居民评审"
        )
    client.sign_in("orgadmin", "evaluation-pass")
    created = client.submit(
        "/panels",
        {
            "org_id": "1",
            "panel_title": "微实事项目验收评审",
            "panel_area_id": "3",
            "expert_weight": "1.5",
        },
        page="/evaluations/manage",
    )
    assert created.status_code == 422  # a weight above 1
    created = client.submit(
        "/panels",
        {
            "org_id": "1",
            "panel_title": "微实事项目验收评审",
            "panel_area_id": "3",
            "expert_weight": "0.6",
        },
        page="/evaluations/manage",
    )
    assert created.status_code == 303
    manage = created.headers["location"]
    panel_id = int(manage.split("/")[2])
    from participation.plan.delivery import DirectItem, enter_item

    with Session(engine) as s, s.begin():
        canteen = enter_item(
            s, DirectItem(area_id=ew.area_id, year=2026, title="长者饭堂"), actor_id=None
        )
        s.flush()
        canteen_id = canteen.id
    for wrong in ("饭堂", "999"):  # not a number; no such item
        refused = client.submit(
            manage,
            {"action": "project", "project_title": "长者饭堂", "plan_item_id": wrong},
            page=manage,
        )
        assert refused.status_code == 422 and 'id="f-plan_item_id-error"' in refused.text
    assert rows(engine, PanelProject) == 0
    for data in (
        {"action": "project", "project_title": "长者饭堂", "plan_item_id": f"#{canteen_id}"},
        {"action": "project", "project_title": "路灯改造"},
        {"action": "member", "login": "expert1", "track": "expert"},
        {"action": "member", "login": "public1", "track": "public"},
    ):
        assert client.submit(manage, data, page=manage).status_code == 303
    assert client.submit(manage, {"action": "open"}, page=manage).status_code == 422  # not drawn
    assert client.submit(manage, {"action": "draw"}, page=manage).status_code == 303
    assert 'id="draw-seed"' in client.get(manage).text
    assert client.submit(manage, {"action": "open"}, page=manage).status_code == 303

    expert = make_client()
    expert.sign_in("expert1", "evaluation-pass")
    score_url = f"/panels/{panel_id}/score"
    page = expert.get(score_url)
    assert page.status_code == 200
    first = int(page.text.split('name="project" value="')[1].split('"')[0])
    bad = expert.submit(
        score_url, {"project": first, f"score_{first}": "120", "action": "score"}, page=score_url
    )
    assert bad.status_code == 422
    ok = expert.submit(
        score_url, {"project": first, f"score_{first}": "88", "action": "score"}, page=score_url
    )
    assert ok.status_code == 303
    assert "88" in expert.get(score_url).text
    # The public tally, whole and as the htmx fragment that refreshes it.
    public = client.get(f"/panels/{panel_id}")
    assert public.status_code == 200 and "88.0" in public.text
    fragment = client.get(
        f"/panels/{panel_id}", headers={"HX-Request": "true", "HX-Target": "tally"}
    )
    assert fragment.text.lstrip().startswith('<div id="tally"')
    assert "<h1>" not in fragment.text
    outsider = make_client()
    outsider.sign_in("deptstaff", "evaluation-pass")
    assert outsider.get(score_url).status_code == 403
    # Closing the scoring judges the plan item the canteen delivered; each links the other.
    assert f'href="/plan/items/{canteen_id}"' in public.text
    assert client.submit(manage, {"action": "close"}, page=manage).status_code == 303
    item_page = client.get(f"/plan/items/{canteen_id}").text
    judgements = item_page[item_page.index('id="judgements"') :]
    assert f'href="/panels/{panel_id}"' in judgements and "大众评审" in judgements


def test_a_re_evaluation_links_back(
    client: FormClient, ew: EvaluationWorld, engine: Engine
) -> None:
    client.sign_in("orgadmin", "evaluation-pass")
    form = {
        "org_id": "1",
        "title": "政务服务复评",
        "subject_kind": "service",
        "subject": "街道便民服务中心",
        "department": "街道办事处",
        "area_id": "3",
        "conflict_declaration": "无利益冲突。",
        "previous_id": str(ew.evaluation_id),
        "plan_item_id": "999",
    }
    refused = client.submit("/evaluations/manage", form, page="/evaluations/manage")
    assert refused.status_code == 422
    assert rows(engine, Evaluation) == 1
    created = client.submit(
        "/evaluations/manage", form | {"plan_item_id": ""}, page="/evaluations/manage"
    )
    assert created.status_code == 303
    new_id = int(created.headers["location"].rsplit("/", 1)[1])
    with Session(engine) as s, s.begin():
        later = s.get(Evaluation, new_id)
        assert later is not None and later.previous_id == ew.evaluation_id
        later.status = "collecting"
    assert f'href="/evaluations/{new_id}"' in client.get(f"/evaluations/{ew.evaluation_id}").text
    assert f'href="/evaluations/{ew.evaluation_id}"' in client.get(f"/evaluations/{new_id}").text


def test_invitations_expired_used_and_full_cells_are_explained(
    client: FormClient, engine: Engine, app: Starlette
) -> None:
    from consultations.evaluations.builder import get_evaluation
    from consultations.evaluations.sampling_plan import issue_invitations

    app.state.fixed_now = NOW
    world = build(engine, residents=4, access="tokens", caps="东社区 = 1\n西社区 = 3")
    with Session(engine) as s, s.begin():
        evaluation = get_evaluation(s, world.evaluation_id)
        east = issue_invitations(
            s, evaluation, count=2, days=1, cell="东社区", actor_id=world.org_admin, now=NOW
        )
    url = f"/evaluations/{world.evaluation_id}/respond"
    answers = {"q1": "4", "q2": "4", "q3": "4", "action": "submit"}
    assert client.submit(url, answers | {"token": east[0]}, page=url).status_code == 303
    used = client.get(f"{url}?token={east[0]}")
    assert "already been used" in used.text or "已被使用" in used.text
    full = client.get(f"{url}?token={east[1]}")
    assert "东社区" in full.text and ("already full" in full.text or "名额已满" in full.text)
    assert 'id="respond-form"' not in full.text  # told before answering
    refused = client.submit(url, answers | {"token": east[1]}, page=url)
    assert refused.status_code == 409
    app.state.fixed_now = NOW.replace(day=NOW.day + 2)
    expired = client.submit(url, answers | {"token": east[1]}, page=url)
    assert expired.status_code == 403
    assert "expired" in expired.text or "已过期" in expired.text
    assert responses(engine) == 1
    assert client.get(url).status_code == 200  # no token: told to use the invitation link


def test_registration_verification_and_membership(
    client: FormClient, ew: EvaluationWorld, engine: Engine, make_client: MakeClient
) -> None:
    from participation import accounts as account_service
    from participation.accounts import Account, grants_of
    from participation.organizations.models import Organization

    with Session(engine) as s, s.begin():
        account_service.sign_up(
            s, login="founder", password="evaluation-pass", display_name="发起人"
        )
        account_service.sign_up(
            s, login="colleague", password="evaluation-pass", display_name="同事"
        )
    client.sign_in("founder", "evaluation-pass")
    form = {"name": "望海社会工作服务中心", "credit_code": "123", "area_id": "3", "description": ""}
    bad = client.submit("/organizations/new", form, page="/organizations/new")
    assert bad.status_code == 422 and 'id="f-credit_code-error"' in bad.text
    taken = client.submit(
        "/organizations/new",
        form | {"credit_code": "52440400MJ0000001X"},
        page="/organizations/new",
    )
    assert taken.status_code == 422  # the test organization holds this code
    assert rows(engine, Organization) == 1
    ok = client.submit(
        "/organizations/new",
        form | {"credit_code": "52440101MJ0000777K"},
        page="/organizations/new",
    )
    assert ok.status_code == 303
    # Pending: the founder cannot build evaluations yet.
    assert (
        client.submit(
            "/evaluations/manage", {"org_id": "2"}, page="/evaluations/manage"
        ).status_code
        == 403
    )

    staff = make_client()
    staff.sign_in("deptstaff", "evaluation-pass")
    listing = staff.get("/admin/organizations")
    assert "望海社会工作服务中心" in listing.text
    decided = staff.submit(
        "/admin/organizations/2/decide", {"decision": "verify"}, page="/admin/organizations"
    )
    assert decided.status_code == 303
    again = staff.submit(
        "/admin/organizations/2/decide", {"decision": "reject"}, page="/admin/organizations"
    )
    assert again.status_code == 409
    with Session(engine) as s:
        founder = s.scalars(select(Account).where(Account.username == "founder")).one()
        assert any(g.role.value == "org_member" for g in grants_of(s, founder.id))

    # The founder (an admin of the organization) adds a colleague, who may then build.
    added = client.submit(
        "/organizations/2/members",
        {"login": "colleague", "role": "evaluator"},
        page="/evaluations/manage",
    )
    assert added.status_code == 303
    colleague = make_client()
    colleague.sign_in("colleague", "evaluation-pass")
    assert "望海社会工作服务中心" in colleague.get("/evaluations/manage").text
    not_admin = colleague.submit(
        "/organizations/2/members",
        {"login": "founder", "role": "evaluator"},
        page="/evaluations/manage",
    )
    assert not_admin.status_code == 403


def test_builder_answers_htmx_with_a_redirect_header(
    client: FormClient, ew: EvaluationWorld
) -> None:
    client.sign_in("orgadmin", "evaluation-pass")
    new_id = _draft(client)
    base = f"/evaluations/manage/{new_id}"
    response = client.post(
        f"{base}/indicators",
        data={"indicators": "A | 便利 | 1", "csrf_token": client.csrf(base)},
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"{base}#indicators"


def test_a_published_evaluation_of_a_plan_item_judges_it(
    client: FormClient, ew: EvaluationWorld, engine: Engine
) -> None:
    from consultations.evaluations.builder import get_evaluation
    from consultations.evaluations.responding import resident_respondent, submit_response
    from participation.plan.delivery import DirectItem, enter_item

    with Session(engine) as s, s.begin():
        item = enter_item(
            s,
            DirectItem(area_id=ew.area_id, year=2026, title="政务服务中心延时服务"),
            actor_id=None,
        )
        s.flush()
        item_id = item.id
        evaluation = get_evaluation(s, ew.evaluation_id)
        evaluation.subject_kind, evaluation.plan_item_id = "project", item_id
        for n, account in enumerate(ew.residents):
            who = resident_respondent(s, evaluation, account, NOW.date())
            answers = {"q1": str(1 + n % 5), "q2": "4", "q3": "5"}
            submit_response(s, evaluation, who, answers, now=NOW, started_at=None)
    client.sign_in("orgadmin", "evaluation-pass")
    base = f"/evaluations/manage/{ew.evaluation_id}"
    assert client.submit(f"{base}/close", {}, page=base).status_code == 303
    assert rows(engine, Judgement) == 0  # closing is not judging
    published = client.submit(f"{base}/publish", {"findings": "延时服务受欢迎。"}, page=base)
    assert published.status_code == 303
    with Session(engine) as s:
        (judged,) = s.scalars(select(Judgement)).all()
        evaluation = get_evaluation(s, ew.evaluation_id)
        overall = json.loads(evaluation.report_json or "{}")["figures"]["_overall"]
    assert judged.item_id == item_id and judged.kind == "evaluation"
    assert (judged.source_record, judged.source_id) == ("evaluation", ew.evaluation_id)
    assert judged.verdict.startswith(f"综合指数 {overall['weighted_mean']:.1f} 分")
    assert "有效样本 8 份" in judged.verdict
    page = client.get(f"/plan/items/{item_id}").text
    judgements = page[page.index('id="judgements"') :]
    assert f'href="/evaluations/{ew.evaluation_id}"' in judgements and judged.verdict in judgements
    # The report page links to the item it judged.
    assert f'href="/plan/items/{item_id}"' in client.get(f"/evaluations/{ew.evaluation_id}").text
