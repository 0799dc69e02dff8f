"""A congress cycle on livelihood projects through the web pages: solicitation,
screening with a merge, the competitive list, attendance and quorum, the secret
ballot, the result sheet (page and PDF), plan items, the year-end vote."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.ballots.models import BallotBox
from participation.livelihood.models import Attendance, LivelihoodCandidate, LivelihoodCycle
from participation.plan.models import PlanItem
from participation.plan.records import Judgement
from participation.rolls import Congress, DeputyEntry
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.voters import stored_ballots
from tests.support.world import MakeClient, World
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
DEPUTIES = ["deputy", "representative", "volunteer", "team_leader"]


@pytest.fixture
def congress(world: World, engine: Engine) -> Congress:
    """A district congress of five deputies, four of them with accounts."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        row = Congress(
            area_id=world["district"].id, term=1, session_number=1, name="一区人大一次会议"
        )
        s.add(row)
        s.flush()
        for n in range(5):
            s.add(
                DeputyEntry(
                    congress_id=row.id,
                    name=f"代表{n}",
                    id_hash=f"{n:064d}",
                    account_id=world["people"][DEPUTIES[n]].id if n < len(DEPUTIES) else None,
                )
            )
    return row


def local(dt: datetime) -> str:
    return dt.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


PROJECTS = ["老旧小区加装电梯", "社区食堂", "口袋公园", "背街小巷改造", "加装电梯工程"]


def submit(client: FormClient, cycle_id: int, name: str, **extra: str) -> Response:
    form = {
        "name": name,
        "background": "群众呼声高",
        "content": f"实施{name}",
        "department": "区住建局",
        "funds_yuan": "3000000",
        "funds_source": "区财政",
        "complete_by": "2026-12-31",
        "submitter_kind": "public",
    } | extra
    return client.submit(f"/livelihood/{cycle_id}/submit", form, page=f"/livelihood/{cycle_id}")


def test_a_cycle_from_solicitation_to_rectification(
    app: Starlette,
    client: FormClient,
    make_client: MakeClient,
    world: World,
    congress: Congress,
    engine: Engine,
) -> None:
    app.state.fixed_now = NOW
    client.sign_in("staff", PASSWORD)
    response = client.submit(
        "/admin/livelihood",
        {
            "title": "一区2026年民生实事项目",
            "congress_id": str(congress.id),
            "year": "2026",
            "places": "2",
            "extra_percent": "20",
            "form": "choose",
        },
        page="/admin/livelihood",
    )
    assert response.status_code == 303, response.text
    cycle_id = int(response.headers["location"].rsplit("/", 1)[1])
    qr = client.get(f"/livelihood/{cycle_id}/qr.svg")
    assert qr.status_code == 200 and qr.text.lstrip().startswith("<?xml") and "<svg" in qr.text

    public = make_client()
    public.sign_in("nobody", PASSWORD)
    # Missing fields and a non-positive amount: refused, nothing stored.
    bad = submit(public, cycle_id, "", funds_yuan="0", complete_by="2020-01-01")
    assert bad.status_code == 422
    assert "f-name-error" in bad.text and "f-funds_yuan-error" in bad.text
    # The implementing department is chosen from the records, never typed.
    typed = submit(public, cycle_id, "甲", department="住房局")
    assert typed.status_code == 422 and "f-department-error" in typed.text
    assert '<select id="f-department" name="department" required' in typed.text
    for name in PROJECTS:
        assert submit(public, cycle_id, name).status_code == 303
    with Session(engine) as s:
        ids = list(s.scalars(select(LivelihoodCandidate.id).order_by(LivelihoodCandidate.id)))
    assert len(ids) == len(PROJECTS)

    def screen(
        candidate_id: int, decision: str, reason: str = "", merge_into: str = ""
    ) -> Response:
        return client.submit(
            f"/admin/livelihood/candidates/{candidate_id}/screen",
            {"decision": decision, "reason": reason, "merge_into": merge_into},
            page=f"/admin/livelihood/{cycle_id}",
        )

    def advance(**extra: str) -> Response:
        return client.submit(
            f"/admin/livelihood/{cycle_id}/advance", extra, page=f"/admin/livelihood/{cycle_id}"
        )

    assert advance().status_code == 303  # -> screening
    assert screen(ids[0], "candidate").status_code == 303
    assert screen(ids[1], "candidate").status_code == 303
    assert screen(ids[2], "rejected").status_code == 422  # a rejection needs a reason
    assert screen(ids[2], "rejected", "不属于政府职责范围").status_code == 303
    assert screen(ids[3], "candidate").status_code == 303
    assert screen(ids[4], "merged", "与老旧小区加装电梯重复", str(ids[0])).status_code == 303
    # Three candidates for two places: enough (needed 3). Reject one and it is not.
    assert screen(ids[3], "rejected", "资金来源未落实").status_code == 303
    refused = advance()
    assert refused.status_code == 422 and "差额" in refused.text
    assert screen(ids[3], "candidate").status_code == 303
    assert advance().status_code == 303  # -> session

    # Attendance: quorum (3 of 5) before the ballot can open.
    assert (
        client.submit(
            f"/admin/livelihood/{cycle_id}/ballot",
            {"closes_at": local(NOW + timedelta(hours=1))},
            page="/",
        ).status_code
        == 422
    )
    # The clerk signs in the deputy without an account from the paper register.
    with Session(engine) as s:
        paper_deputy = s.scalars(
            select(DeputyEntry.id).where(DeputyEntry.account_id.is_(None))
        ).one()
    clerk = client.submit(
        f"/admin/livelihood/{cycle_id}/attendance",
        {"deputy_entry_id": str(paper_deputy)},
        page=f"/admin/livelihood/{cycle_id}",
    )
    assert clerk.status_code == 303
    deputies = {}
    for login in ["deputy", "representative", "volunteer"]:
        c = make_client()
        c.sign_in(login, PASSWORD)
        assert c.submit(f"/livelihood/{cycle_id}/attend", page="/").status_code == 303
        deputies[login] = c
    assert public.submit(f"/livelihood/{cycle_id}/attend", page="/").status_code == 403
    page = client.get(f"/livelihood/{cycle_id}").text
    assert "应到" in page and "实到" in page
    opened = client.submit(
        f"/admin/livelihood/{cycle_id}/ballot",
        {"closes_at": local(NOW + timedelta(hours=1))},
        page="/",
    )
    assert opened.status_code == 303, opened.text
    with Session(engine) as s:
        cycle = s.get(LivelihoodCycle, cycle_id)
        assert cycle is not None and cycle.box_id is not None
        box_id = cycle.box_id
        assert s.scalar(select(func.count()).select_from(Attendance)) == 4

    votes = {
        "deputy": [f"c{ids[0]}", f"c{ids[1]}"],
        "representative": [f"c{ids[0]}", f"c{ids[3]}"],
        "volunteer": [f"c{ids[0]}", f"c{ids[1]}"],
    }
    # Over-marking (three for two places) is refused online.
    over = deputies["deputy"].submit(
        f"/ballots/{box_id}/cast", {"item": [f"c{ids[0]}", f"c{ids[1]}", f"c{ids[3]}"]}, page="/"
    )
    assert over.status_code == 422
    for login, items in votes.items():
        cast = deputies[login].submit(f"/ballots/{box_id}/cast", {"item": items}, page="/")
        assert cast.status_code == 303, cast.text
    assert (
        public.submit(f"/ballots/{box_id}/cast", {"item": [f"c{ids[0]}"]}, page="/").status_code
        == 403
    )
    # Only deputies present vote: one on the roll who has not signed in is refused
    # (nothing stored), signs in while voting is open, and then votes; each
    # deputy present holds one paper ballot.
    late = make_client()
    late.sign_in("teamleader", PASSWORD)
    refused = late.submit(f"/ballots/{box_id}/cast", {"item": [f"c{ids[3]}"]}, page="/")
    assert refused.status_code == 403 and "尚未在本次会议签到" in refused.text
    with Session(engine) as s:
        assert stored_ballots(s) == 3
        assert s.get(BallotBox, box_id).paper_issued == 4  # type: ignore[union-attr]
    assert late.submit(f"/livelihood/{cycle_id}/attend", page="/").status_code == 303
    assert (
        late.submit(f"/ballots/{box_id}/cast", {"item": [f"c{ids[3]}"]}, page="/").status_code
        == 303
    )
    with Session(engine) as s:
        assert stored_ballots(s) == 4
        assert s.get(BallotBox, box_id).paper_issued == 5  # type: ignore[union-attr]

    assert advance().status_code == 409  # still voting
    app.state.fixed_now = NOW + timedelta(hours=2)
    assert advance().status_code == 303  # -> results: published and adopted
    sheet = client.get(f"/livelihood/{cycle_id}/result")
    assert sheet.status_code == 200
    # 3 of 5 deputies: more than half of all. 2 of 5 is not.
    assert "老旧小区加装电梯" in sheet.text and 'id="adopted"' in sheet.text
    # Five deputies signed in, the late one included, each with a paper ballot.
    assert "实到（已签到）代表：5 名；发出纸质选票：5 张" in sheet.text
    pdf = client.get(f"/livelihood/{cycle_id}/result.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert "老旧小区加装电梯" in text
    with Session(engine) as s:
        planned = s.scalars(
            select(PlanItem).where(PlanItem.source_kind == "livelihood_project")
        ).all()
        assert [i.title for i in planned] == ["老旧小区加装电梯"]
        assert planned[0].owner_department == "区住建局" and planned[0].budget_yuan == 3_000_000
        assert str(planned[0].due_on) == "2026-12-31"

    # Year-end satisfaction vote: two of three dissatisfied -> rectification item.
    app.state.fixed_now = NOW + timedelta(days=300)
    assert advance(closes_at=local(NOW + timedelta(days=301))).status_code == 303
    with Session(engine) as s:
        cycle = s.get(LivelihoodCycle, cycle_id)
        assert cycle is not None
        satisfaction_id = cycle.satisfaction_box_id
    for login, grade in [
        ("deputy", "dissatisfied"),
        ("representative", "dissatisfied"),
        ("volunteer", "satisfied"),
    ]:
        cast = deputies[login].submit(
            f"/ballots/{satisfaction_id}/cast", {f"grade-c{ids[0]}": grade}, page="/"
        )
        assert cast.status_code == 303, cast.text
    app.state.fixed_now = NOW + timedelta(days=302)
    assert advance().status_code == 303  # -> closed
    with Session(engine) as s:
        fix = s.scalars(select(PlanItem).where(PlanItem.source_kind == "satisfaction")).one()
        parent = s.scalars(
            select(PlanItem).where(PlanItem.source_kind == "livelihood_project")
        ).one()
        assert fix.parent_id == parent.id and fix.owner_department == "区住建局"
        assert fix.due_on is not None
        (judged,) = s.scalars(select(Judgement).where(Judgement.item_id == parent.id)).all()
        assert judged.kind == "satisfaction" and judged.needs_rectification
        assert judged.verdict == "不满意（满意 1，基本满意 0，不满意 2，弃权 0）"
        assert s.scalars(select(Judgement).where(Judgement.item_id == fix.id)).all() == []
    # The judged item shows the grade, the counts and the way to the vote.
    item_page = client.get(f"/plan/items/{parent.id}").text
    judgements = item_page[item_page.index('id="judgements"') :]
    assert "不满意（满意 1，基本满意 0，不满意 2，弃权 0）" in judgements
    assert f'href="/livelihood/{cycle_id}/result#satisfaction"' in judgements
    sheet_text = client.get(f"/livelihood/{cycle_id}/result").text
    assert 'id="satisfaction"' in sheet_text and f"/plan/items/{fix.id}" in sheet_text
    listing = client.get("/livelihood").text
    assert listing.startswith("<!doctype html>")
    past = listing[listing.index('id="past-cycles"') :]
    assert "一区2026年民生实事项目" in past  # a closed cycle is listed as past
    data = client.get(f"/api/v1/livelihood/cycles/{cycle_id}").json()
    assert [c["status"] for c in data["candidates"]].count("adopted") == 1
    assert client.get(f"/api/v1/livelihood/cycles/{cycle_id}/candidates.csv").status_code == 200
