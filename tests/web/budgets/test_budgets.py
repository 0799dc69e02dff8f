"""A community budget round through the web pages: propose, screen, vote, results, plan."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.budgets.models import BudgetRound, Proposal, ProposalSupport
from participation.notices import Notice
from participation.plan.models import PlanItem
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.images import png as tiny_png
from tests.support.people import enrol
from tests.support.queries import reading, statements
from tests.support.voters import stored_ballots
from tests.support.world import MakeClient, World
from web.kit.i18n import LOCAL_TZ

NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
VOTERS = ["resident", "household_rep", "volunteer", "team_leader", "org_member"]


@pytest.fixture
def voters(world: World, engine: Engine) -> World:
    with Session(engine) as s, s.begin():
        enrol(s, world, VOTERS)
    return world


def local(dt: datetime) -> str:
    return dt.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def create_round(client: FormClient, world: World, **extra: str) -> int:
    form = {
        "title": "一社区2026年微实事",
        "area_id": str(world["community"].id),
        "year": "2026",
        "budget_yuan": "100000",
        "rule": "greedy",
        "roll": "residents",
    } | extra
    response = client.submit("/admin/budgets", form, page="/admin/budgets")
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


PROPOSALS = [
    ("长者饭堂", "60000"),
    ("儿童乐园", "50000"),
    ("路灯改造", "30000"),
]


def propose(
    client: FormClient, round_id: int, title: str, cost: str, extra: dict[str, str] | None = None
) -> Response:
    form = {
        "title": title,
        "description": f"{title}，方便居民。",
        "location": "一社区中心广场",
        "cost_yuan": cost,
        "beneficiaries": "全体居民",
    } | (extra or {})
    return client.submit(f"/budgets/{round_id}/propose", form, page=f"/budgets/{round_id}")


def screen(
    client: FormClient, round_id: int, proposal_id: int, decision: str = "accept", **extra: str
) -> Response:
    form = {"decision": decision, "feasibility": "可行", "legality": "合法合规"} | extra
    return client.submit(
        f"/admin/budgets/proposals/{proposal_id}/screen", form, page=f"/admin/budgets/{round_id}"
    )


def advance(client: FormClient, round_id: int, **extra: str) -> Response:
    return client.submit(
        f"/admin/budgets/{round_id}/advance", extra, page=f"/admin/budgets/{round_id}"
    )


def test_a_round_from_proposals_to_plan_items(
    app: Starlette, client: FormClient, make_client: MakeClient, voters: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    round_id = create_round(client, voters)

    resident = make_client()
    resident.sign_in("resident", PASSWORD)
    ids = []
    for title, cost in [*PROPOSALS, ("违规搭建车棚", "20000")]:
        response = propose(resident, round_id, title, cost)
        assert response.status_code == 303, response.text
        ids.append(int(response.headers["location"].rsplit("/", 1)[1]))
    assert resident.submit(f"/budgets/proposals/{ids[0]}/support", page="/").status_code == 303
    assert resident.submit(f"/budgets/proposals/{ids[0]}/support", page="/").status_code == 303
    comment = resident.submit(f"/budgets/proposals/{ids[0]}/comment", {"body": "支持！"}, page="/")
    assert comment.status_code == 303

    assert advance(client, round_id).status_code == 303  # -> screening
    for proposal_id in ids[:3]:
        assert screen(client, round_id, proposal_id).status_code == 303
    # A rejection without a reason is refused and changes nothing.
    refused = screen(client, round_id, ids[3], "reject")
    assert refused.status_code == 422
    assert "不予采纳须说明理由" in refused.text
    assert (
        screen(client, round_id, ids[3], "reject", rejection_reason="占用消防通道").status_code
        == 303
    )

    # Voting cannot open without a closing time after now.
    assert advance(client, round_id, closes_at=local(NOW - timedelta(hours=1))).status_code == 422
    assert advance(client, round_id, closes_at=local(NOW + timedelta(hours=2))).status_code == 303
    with Session(engine) as s:
        budget_round = s.get(BudgetRound, round_id)
        assert budget_round is not None and budget_round.phase == "voting"
        box_id = budget_round.box_id
        assert s.scalar(select(func.count()).select_from(ProposalSupport)) == 1
        told = s.scalars(select(Notice).where(Notice.kind == "budget.proposal")).all()
        assert any("not accepted" in n.message and n.read_at is None for n in told)

    # Residents vote through the ballot engine; the rejected proposal is not on the ballot.
    page = resident.get(f"/ballots/{box_id}").text
    assert "违规搭建车棚" not in page
    ballots = {
        "resident": [f"p{ids[0]}", f"p{ids[2]}"],
        "household_rep": [f"p{ids[0]}"],
        "volunteer": [f"p{ids[1]}", f"p{ids[2]}"],
        "team_leader": [f"p{ids[1]}", f"p{ids[2]}"],
        "org_member": [f"p{ids[1]}"],
    }
    for login, items in ballots.items():
        voter = resident if login == "resident" else make_client()
        if login != "resident":
            voter.sign_in(login.replace("_", ""), PASSWORD)
        if login == "org_member":
            # Over budget (140,000 > 100,000): refused with a clear message, nothing stored.
            over = voter.submit(
                f"/ballots/{box_id}/cast", {"item": [f"p{i}" for i in ids[:3]]}, page="/"
            )
            assert over.status_code == 422 and "超出预算" in over.text
        cast = voter.submit(f"/ballots/{box_id}/cast", {"item": items}, page=f"/ballots/{box_id}")
        assert cast.status_code == 303, (login, cast.text)
    # Not on the roll: refused.
    late = make_client()
    late.sign_in("nobody", PASSWORD)
    assert (
        late.submit(f"/ballots/{box_id}/cast", {"item": [f"p{ids[0]}"]}, page="/").status_code
        == 403
    )

    # Results only after voting closes.
    early = advance(client, round_id)
    assert early.status_code == 409
    app.state.fixed_now = NOW + timedelta(hours=3)
    assert advance(client, round_id).status_code == 303  # -> results
    with statements() as seen:
        results = client.get(f"/budgets/{round_id}/results")
    assert results.status_code == 200
    assert reading("plan_items", seen) == 1  # one query for every funded project's item
    # The other rule's figures were stored at publication: even a worker's first
    # showing reads no bulletin (no recount of every ballot on the request path).
    assert not [sql for sql in seen if "bulletin_json" in sql]
    assert 'role="img"' in results.text and 'id="funding"' in results.text
    with statements() as again:  # the other rule's recount is kept: no bulletin read
        assert client.get(f"/budgets/{round_id}/results").status_code == 200
    assert not [sql for sql in again if "bulletin_json" in sql]
    with statements() as anonymous:  # the round with its ballot box in one, the plan items
        assert make_client().get(f"/budgets/{round_id}/results").status_code == 200
    assert len(anonymous) <= 3, anonymous  # with the BEGIN (it ran four)
    with Session(engine) as s:
        planned = s.scalars(
            select(PlanItem).where(PlanItem.source_kind == "community_budget")
        ).all()
        # Greedy: 儿童乐园 (3 votes, 50,000) and 路灯改造 (3 votes, 30,000) fit in 100,000.
        assert sorted(i.title for i in planned) == ["儿童乐园", "路灯改造"]
        assert all(i.source_ref == f"budget_proposal:{i.source_id}" for i in planned)
        assert stored_ballots(s) == 5

    api = client.get(f"/api/v1/budget-rounds/{round_id}").json()
    funded = {p["title"] for p in api["projects"] if p["funded"]}
    assert funded == {"儿童乐园", "路灯改造"}
    assert all("author" not in key for p in api["projects"] for key in p)
    table = client.get(f"/api/v1/budget-rounds/{round_id}/projects.csv")
    rows = list(csv.DictReader(io.StringIO(table.text.lstrip("\ufeff"))))
    assert {r["title"] for r in rows if r["funded"] == "True"} == funded
    xlsx = client.get(f"/api/v1/budget-rounds/{round_id}/projects.xlsx")
    assert xlsx.content[:2] == b"PK"
    listed = client.get("/api/v1/budget-rounds").json()
    assert [r["id"] for r in listed["items"]] == [round_id]
    assert "/api/v1/budget-rounds" in client.get("/api/openapi.json").json()["paths"]


def test_a_round_with_choice_limits(
    app: Starlette, client: FormClient, make_client: MakeClient, voters: World, engine: Engine
) -> None:
    """At most two projects per ballot, using at least half of the budget."""
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    bad = client.submit(
        "/admin/budgets",
        {
            "title": "x",
            "area_id": str(voters["community"].id),
            "year": "2026",
            "budget_yuan": "100000",
            "rule": "mes",
            "roll": "households",
            "min_share_percent": "150",
        },
        page="/admin/budgets",
    )
    assert bad.status_code == 422 and "f-min_share_percent-error" in bad.text
    round_id = create_round(
        client, voters, rule="mes", roll="households", max_choices="2", min_share_percent="50"
    )
    resident = make_client()
    resident.sign_in("resident", PASSWORD)
    ids = []
    for title, cost in PROPOSALS:
        response = propose(resident, round_id, title, cost)
        ids.append(int(response.headers["location"].rsplit("/", 1)[1]))
    advance(client, round_id)
    for proposal_id in ids:
        screen(client, round_id, proposal_id)
    assert advance(client, round_id, closes_at=local(NOW + timedelta(hours=2))).status_code == 303
    with Session(engine) as s:
        box_id = s.get(BudgetRound, round_id).box_id  # type: ignore[union-attr]
    cases = [
        ([f"p{ids[2]}"], 422),  # 30,000 < half of 100,000
        ([f"p{i}" for i in ids], 422),  # three projects
        ([f"p{ids[0]}", f"p{ids[2]}"], 303),
    ]
    for items, status in cases:
        cast = resident.submit(f"/ballots/{box_id}/cast", {"item": items}, page="/")
        assert cast.status_code == status, items
    with Session(engine) as s:
        assert stored_ballots(s) == 1


def test_bad_proposals_are_refused_and_nothing_is_stored(
    app: Starlette, client: FormClient, make_client: MakeClient, voters: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    round_id = create_round(client, voters)
    resident = make_client()
    resident.sign_in("resident", PASSWORD)
    cases = [
        ({"title": ""}, "f-title-error"),
        ({"cost_yuan": "0"}, "f-cost_yuan-error"),
        ({"cost_yuan": "-5"}, "f-cost_yuan-error"),
        ({"cost_yuan": "三万"}, "f-cost_yuan-error"),
        ({"location": "  "}, "f-location-error"),
    ]
    for extra, marker in cases:
        response = propose(resident, round_id, "长者饭堂", "60000", extra)
        assert response.status_code == 422, extra
        assert marker in response.text, extra
    bad_photo = resident.submit(
        f"/budgets/{round_id}/propose",
        {
            "title": "x",
            "description": "x",
            "location": "x",
            "cost_yuan": "100",
            "beneficiaries": "x",
        },
        page="/",
        files={"photo": ("a.png", b"MZ...", "image/png")},  # a program that claims to be a PNG
    )
    assert bad_photo.status_code == 422
    # Outside the proposal phase: refused.
    assert advance(client, round_id).status_code == 303
    late = propose(resident, round_id, "长者饭堂", "60000")
    assert late.status_code == 409
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Proposal)) == 0


def test_a_proposal_with_a_photo_in_english(
    app: Starlette, client: FormClient, make_client: MakeClient, voters: World
) -> None:
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    round_id = create_round(client, voters)
    resident = make_client()
    resident.sign_in("resident", PASSWORD)
    png = tiny_png(4, 3)  # a real image: its header's size is read
    response = resident.submit(
        f"/budgets/{round_id}/propose",
        {
            "title": "Bench",
            "description": "A bench",
            "location": "Gate",
            "cost_yuan": "3,000",
            "beneficiaries": "Elders",
        },
        page="/",
        files={"photo": ("bench.png", png, "image/png")},
    )
    assert response.status_code == 303, response.text
    proposal_url = response.headers["location"]
    assert resident.get(f"{proposal_url}/photo").content == png
    page = resident.get(proposal_url).text
    assert "3,000" in page and "/photo" in page


@pytest.mark.parametrize("htmx", [False, True])
def test_the_proposal_form_as_a_page_and_as_an_htmx_fragment(
    app: Starlette, client: FormClient, make_client: MakeClient, voters: World, htmx: bool
) -> None:
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    round_id = create_round(client, voters)
    resident = make_client()
    resident.sign_in("resident", PASSWORD)
    headers = {"HX-Request": "true", "HX-Target": "propose_form"} if htmx else {}
    bad = resident.submit(
        f"/budgets/{round_id}/propose",
        {"title": "长者饭堂", "cost_yuan": "0"},
        page=f"/budgets/{round_id}",
        headers=headers,
    )
    assert bad.status_code == 422
    assert 'id="f-cost_yuan-error"' in bad.text
    assert bad.text.lstrip().startswith("<form") is htmx
    good = (
        propose(resident, round_id, "长者饭堂", "60000")
        if not htmx
        else resident.submit(
            f"/budgets/{round_id}/propose",
            {
                "title": "长者饭堂",
                "description": "午餐",
                "location": "中心",
                "cost_yuan": "60000",
                "beneficiaries": "老人",
            },
            page=f"/budgets/{round_id}",
            headers=headers,
        )
    )
    if htmx:
        assert good.status_code == 200 and good.headers["HX-Redirect"].startswith(
            "/budgets/proposals/"
        )
    else:
        assert good.status_code == 303


def test_a_photo_declaring_huge_dimensions_is_refused(
    app: Starlette, client: FormClient, make_client: MakeClient, voters: World, engine: Engine
) -> None:
    """A few hundred bytes that claim 60000×60000 pixels: 14 GB for a browser to decode."""
    app.state.fixed_now = NOW
    client.sign_in("communityworker", PASSWORD)
    round_id = create_round(client, voters)
    resident = make_client()
    resident.sign_in("resident", PASSWORD)
    bomb = tiny_png(4, 3, declared=(60000, 60000))
    assert len(bomb) < 1000
    response = resident.submit(
        f"/budgets/{round_id}/propose",
        {
            "title": "Bench",
            "description": "A bench",
            "location": "Gate",
            "cost_yuan": "3000",
            "beneficiaries": "Elders",
        },
        page="/",
        files={"photo": ("bomb.png", bomb, "image/png")},
    )
    assert response.status_code == 422
    assert "照片像素过大" in response.text  # beside the photo field, in Chinese
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Proposal)) == 0
