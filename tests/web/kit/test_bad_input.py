"""Bad input from outside gets a clear 4xx and changes nothing (issue 13, item 7).

Each test here answered 500 before the fix: the probe that found them sent about
51,000 fuzzed requests (tests/web/kit/test_form_fuzz.py and tests/web/kit/test_api_schema.py
do the same in the suite).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.budgets.models import BudgetRound
from participation.plan.models import PlanItem
from participation.plan.records import Update
from participation.rolls import Congress
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.demo_db import DEMO_PASSWORD
from tests.support.world import World
from volunteers.models import Shift

HUGE = str(2**63)


def admin(client: FormClient) -> FormClient:
    client.sign_in("admin", PASSWORD)
    return client


def test_a_field_over_one_megabyte_gets_a_400_page(client: FormClient, world: World) -> None:
    """Starlette refuses a multipart field over 1 MB inside the CSRF middleware,
    outside every handler: it used to reach the server-error page. (An upload
    route: elsewhere the body limit refuses such a body first, with 413.)"""
    token = client.csrf("/login")
    response = client.post(
        "/admin/areas/import",
        data={"csrf_token": token, "login": "x" * (1024 * 1024 + 10), "password": "p"},
        files={"none": ("", b"")},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
    assert "太长" in response.text  # says what was wrong, in Chinese


def test_a_non_ascii_csrf_token_is_refused_with_403(client: FormClient) -> None:
    client.csrf("/login")  # the session has a token; the form sends another
    response = client.post(
        "/login", data={"csrf_token": "令牌", "login": "a", "password": "b"}, follow_redirects=False
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        f"/areas/{HUGE}",
        f"/api/v1/areas/{HUGE}",
        f"/ballots/{HUGE}",
        f"/api/v1/budget-rounds/{HUGE}",
    ],
)
def test_an_id_beyond_64_bits_in_a_url_is_not_found(client: FormClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_an_id_beyond_64_bits_in_a_form_is_refused(
    client: FormClient, world: World, engine: Engine
) -> None:
    admin(client)
    response = client.submit(
        "/admin/budgets",
        {
            "title": "t",
            "area_id": HUGE,
            "year": "2026",
            "budget_yuan": "1000",
            "rule": "greedy",
            "roll": "residents",
        },
        page="/admin/budgets",
    )
    assert 400 <= response.status_code < 500
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(BudgetRound)) == 0


@pytest.mark.parametrize("year", [HUGE, "-1"])
def test_budget_round_numbers_are_bounded(
    client: FormClient, world: World, engine: Engine, year: str
) -> None:
    admin(client)
    response = client.submit(
        "/admin/budgets",
        {
            "title": "t",
            "area_id": str(world["community"].id),
            "year": year,
            "budget_yuan": "1000",
            "max_choices": HUGE,
            "rule": "greedy",
            "roll": "residents",
        },
        page="/admin/budgets",
    )
    assert response.status_code == 422
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(BudgetRound)) == 0


def test_full_width_digits_are_read_as_an_amount(
    client: FormClient, world: World, engine: Engine
) -> None:
    admin(client)
    response = client.submit(
        "/admin/budgets",
        {
            "title": "全角",
            "area_id": str(world["community"].id),
            "year": "２０２６",
            "budget_yuan": "１８０００",
            "rule": "greedy",
            "roll": "residents",
        },
        page="/admin/budgets",
    )
    assert response.status_code == 303, response.text
    with Session(engine) as s:
        created = s.scalars(select(BudgetRound)).one()
        assert (created.budget_yuan, created.year) == (18000, 2026)


def first_id(url: str, model: type[Any]) -> int:
    engine = create_engine(url)
    with Session(engine) as s:
        found = s.scalar(select(func.min(model.id)))
    engine.dispose()
    assert found is not None
    return int(found)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/admin/congresses/{congress}/link", "deputy_id"),
        ("/lead/shifts/{shift}/attendance", "account_id"),
        ("/volunteers/me/backfill", "signup_id"),
    ],
)
@pytest.mark.parametrize("value", [HUGE, "x", "²"])
def test_bare_int_fields_are_refused_not_crashed(
    demo_client: FormClient, demo_url: str, path: str, field: str, value: str
) -> None:
    demo_client.sign_in("admin", DEMO_PASSWORD)
    path = path.format(congress=first_id(demo_url, Congress), shift=first_id(demo_url, Shift))
    response = demo_client.submit(path, {field: value}, page="/")
    assert 400 <= response.status_code < 500, response.status_code


def test_a_non_ascii_checkin_code_is_refused(demo_client: FormClient, demo_url: str) -> None:
    demo_client.sign_in("volunteer", DEMO_PASSWORD)
    shift = first_id(demo_url, Shift)
    response = demo_client.submit(f"/volunteers/checkin/{shift}", {"code": "签到码"}, page="/")
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("link", ["//evil.example/x", "/\\evil.example/x"])
def test_evidence_links_to_another_host_are_refused(
    demo_client: FormClient, demo_url: str, link: str
) -> None:
    demo_client.sign_in("admin", DEMO_PASSWORD)
    item = first_open_item(demo_url)
    form = {"text": "已完成施工", "progress": "60", "spend_yuan": "0"}
    before = count_updates(demo_url)
    refused = demo_client.submit(f"/plan/items/{item}/updates", form | {"evidence": link}, page="/")
    assert refused.status_code == 422
    assert count_updates(demo_url) == before
    accepted = demo_client.submit(
        f"/plan/items/{item}/updates", form | {"evidence": "https://example.org/a.jpg"}, page="/"
    )
    assert accepted.status_code == 303  # the same form with an ordinary link is taken
    assert count_updates(demo_url) == before + 1


def count_updates(url: str) -> int:
    engine = create_engine(url)
    with Session(engine) as s:
        found = s.scalar(select(func.count()).select_from(Update))
    engine.dispose()
    return int(found or 0)


def first_open_item(url: str) -> int:
    engine = create_engine(url)
    with Session(engine) as s:
        found = s.scalar(
            select(PlanItem.id)
            .where(PlanItem.status.in_(["planned", "in_progress"]))
            .order_by(PlanItem.id)
        )
    engine.dispose()
    assert found is not None
    return int(found)


def test_an_unreadable_form_sent_with_the_htmx_header_gets_the_explained_400(
    client: FormClient, world: World
) -> None:
    """With the token in the X-CSRF-Token header the handler parses the form itself."""
    admin(client)
    token = client.csrf("/admin/areas")
    response = client.post(
        "/admin/areas/import",
        data={"login": "x" * (1024 * 1024 + 10)},
        files={"none": ("", b"")},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "1024KB" not in response.text and "太长" in response.text


@pytest.mark.parametrize("path", ["/admin/audit", "/account/notices"])
def test_a_page_number_beyond_64_bits_is_read_as_a_page(
    client: FormClient, world: World, path: str
) -> None:
    admin(client)
    assert client.get(f"{path}?page={2**63}").status_code == 200
