"""Who may submit what, once (issue 13, what a new user hit): a budget proposal
is submitted once and only by a verified resident of the round's area; only a
deputy of the congress submits a livelihood project as a deputy."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.budgets.models import Proposal
from participation.livelihood.models import LivelihoodCandidate
from participation.rolls import Congress, RollEntry
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.people import enrol
from tests.support.world import MakeClient, World
from tests.web.budgets.test_budgets import NOW, create_round, propose
from tests.web.livelihood.test_livelihood import congress  # noqa: F401  (the fixture)
from tests.web.livelihood.test_livelihood import submit as submit_project


def _proposals(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Proposal)) or 0)


def _round(app: Starlette, make_client: MakeClient, world: World) -> int:
    app.state.fixed_now = NOW
    worker = make_client()
    worker.sign_in("communityworker", PASSWORD)
    return create_round(worker, world)


def test_a_proposal_is_submitted_once(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    with Session(engine) as s, s.begin():
        enrol(s, world, ["resident"])
    round_id = _round(app, make_client, world)
    client.sign_in("resident", PASSWORD)
    assert propose(client, round_id, "长者饭堂", "60000").status_code == 303
    again = propose(client, round_id, "长者饭堂", "60000")
    assert again.status_code == 409 and "同名项目" in again.text
    assert _proposals(engine) == 1


def test_only_residents_of_the_rounds_area_propose(
    app: Starlette, client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    round_id = _round(app, make_client, world)  # in 一社区
    with Session(engine) as s, s.begin():
        s.add(
            RollEntry(
                community_id=world["other"].id,  # 二社区
                name="二社区居民",
                id_hash="7" * 64,
                birth_date=date(1980, 1, 1),
                household_code="H2",
                account_id=world["people"]["resident"].id,
            )
        )
    client.sign_in("resident", PASSWORD)
    refused = propose(client, round_id, "长者饭堂", "60000")
    assert refused.status_code == 403 and "一社区已核验身份的居民" in refused.text
    assert "长者饭堂" in refused.text  # what was typed is kept
    unverified = make_client()
    unverified.sign_in("nobody", PASSWORD)
    assert propose(unverified, round_id, "儿童乐园", "50000").status_code == 403
    assert _proposals(engine) == 0


def _cycle(client: FormClient, congress_id: int) -> int:
    client.sign_in("staff", PASSWORD)
    response = client.submit(
        "/admin/livelihood",
        {
            "title": "一区2026年民生实事项目",
            "congress_id": str(congress_id),
            "year": "2026",
            "places": "2",
            "extra_percent": "20",
            "form": "choose",
        },
        page="/admin/livelihood",
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_only_a_deputy_submits_as_a_deputy(
    app: Starlette,
    client: FormClient,
    make_client: MakeClient,
    congress: Congress,  # noqa: F811
    engine: Engine,
) -> None:
    app.state.fixed_now = NOW.replace(month=1, day=10)
    cycle_id = _cycle(client, congress.id)
    public = make_client()
    public.sign_in("nobody", PASSWORD)
    assert 'value="deputy"' not in public.get(f"/livelihood/{cycle_id}/submit").text
    refused = submit_project(public, cycle_id, "社区食堂", submitter_kind="deputy")
    assert refused.status_code == 403 and "f-submitter_kind-error" in refused.text
    deputy = make_client()
    deputy.sign_in("deputy", PASSWORD)
    assert 'value="deputy"' in deputy.get(f"/livelihood/{cycle_id}/submit").text
    assert submit_project(deputy, cycle_id, "社区食堂", submitter_kind="deputy").status_code == 303
    twice = submit_project(deputy, cycle_id, "社区食堂", submitter_kind="deputy")
    assert twice.status_code == 409
    with Session(engine) as s:
        kinds = list(s.scalars(select(LivelihoodCandidate.submitter_kind)))
    assert kinds == ["deputy"]
