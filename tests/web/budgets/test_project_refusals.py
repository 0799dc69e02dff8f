"""Tampered and stale forms on project pages: refused with a clear message, nothing stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.audit import AuditEntry
from participation.budgets import services as budgets
from participation.budgets.models import BudgetRound, ProposalComment
from participation.livelihood import services as livelihood
from participation.livelihood.models import LivelihoodCandidate
from participation.livelihood.rules import CandidateDraft
from participation.rolls import Congress
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.projects import seed_round
from tests.support.world import MakeClient, World
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)


def test_tampered_and_stale_budget_forms(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    round_id, ids = seed_round(engine, world)
    client.sign_in("communityworker", PASSWORD)
    page = f"/admin/budgets/{round_id}"
    # A decision that the form never offers.
    odd = client.submit(
        f"/admin/budgets/proposals/{ids[0]}/screen",
        {"decision": "approve_all", "feasibility": "x", "legality": "x"},
        page=page,
    )
    assert odd.status_code == 422 and "请选择处理意见" in odd.text
    # A revised cost that is not a positive amount.
    bad_cost = client.submit(
        f"/admin/budgets/proposals/{ids[0]}/screen",
        {"decision": "accept", "feasibility": "x", "legality": "x", "revised_cost_yuan": "-1"},
        page=page,
    )
    assert bad_cost.status_code == 422
    # A stale phase form (the round is in "proposal", the form says "screening").
    stale = client.submit(f"/admin/budgets/{round_id}/advance", {"from": "screening"}, page=page)
    assert stale.status_code == 409 and "刷新页面" in stale.text
    # Voting cannot open while proposals are unscreened.
    assert client.submit(f"{page}/advance", {"from": "proposal"}, page=page).status_code == 303
    early = client.submit(
        f"{page}/advance",
        {
            "from": "screening",
            "closes_at": (NOW + timedelta(hours=1)).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
        },
        page=page,
    )
    assert early.status_code == 422 and "长者饭堂" in early.text
    resident = make_client()
    resident.sign_in("resident", PASSWORD)
    empty = resident.submit(f"/budgets/proposals/{ids[0]}/comment", {"body": "   "}, page="/")
    assert empty.status_code == 422 and "请先填写评论内容" in empty.text
    with Session(engine) as s:
        budget_round = s.get(BudgetRound, round_id)
        assert budget_round is not None and budget_round.phase == "screening"
        assert budget_round.box_id is None
        assert s.scalar(select(func.count()).select_from(ProposalComment)) == 0
        assert all(budgets.get_proposal(s, i).status == "submitted" for i in ids)


def test_staff_of_another_area_may_not_run_a_round(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        other = budgets.create_round(
            s,
            budgets.NewRound(world["other"].id, 2026, "二社区", 1000, "greedy", "residents"),
            None,
        )
    client.sign_in("communityworker", PASSWORD)  # a worker of 一社区, not 二社区
    assert client.get(f"/admin/budgets/{other.id}").status_code == 403
    refused = client.submit(f"/admin/budgets/{other.id}/advance", {}, page="/admin/budgets")
    assert refused.status_code == 403
    with Session(engine) as s:
        assert s.get(BudgetRound, other.id).phase == "proposal"  # type: ignore[union-attr]


def test_a_merge_into_a_project_of_another_cycle_is_refused(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        congress = Congress(area_id=world["district"].id, term=1, session_number=1, name="会议")
        s.add(congress)
        s.flush()
        cycles = [
            livelihood.create_cycle(
                s, livelihood.NewCycle(congress.id, 2026, f"民生实事{n}", 1), None
            )
            for n in range(2)
        ]
        draft = CandidateDraft("甲", "b", "c", "局", 100, "财政", date(2026, 12, 31), "public")
        mine = livelihood.submit(s, cycles[0], draft, None)
        theirs = livelihood.submit(s, cycles[1], draft, None)
        livelihood.screen_candidate(s, theirs, "candidate", "", None, None)  # type: ignore[arg-type]
    client.sign_in("staff", PASSWORD)
    before = _audit_count(engine)
    refused = client.submit(
        f"/admin/livelihood/candidates/{mine.id}/screen",
        {"decision": "merged", "reason": "重复", "merge_into": str(theirs.id)},
        page=f"/admin/livelihood/{cycles[0].id}",
    )
    assert refused.status_code == 422 and "只能合并到本次票决中的另一个候选项目" in refused.text
    with Session(engine) as s:
        row = s.get(LivelihoodCandidate, mine.id)
        assert row is not None and row.status == "submitted" and row.merged_into_id is None
    assert _audit_count(engine) == before


def _audit_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)
