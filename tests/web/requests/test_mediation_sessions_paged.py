"""A mediation case's office page (issue 17) lists its sessions a page at a time,
newest first, in as many statements for 3N sessions as for N; the parties' page
lists none; bad page numbers give a page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.requests.mediation import MediationSession
from participation.requests.models import HandlingUnit
from tests.support.client import FormClient
from tests.support.mediation import open_dispute
from tests.support.queries import statements_of_page
from tests.support.requests import NOW, verify_resident
from tests.support.world import MakeClient, World
from web.requests.mediation import SESSIONS_PER_PAGE

N = SESSIONS_PER_PAGE + 5
FIRST = date(2025, 1, 1)


def _case(engine: Engine, world: World, n: int, *, first: bool = True) -> tuple[int, int]:
    """A case with ``n`` sessions, one a day from FIRST: the request's and the case's
    ids (``first``: the resident is verified and the body made first)."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        if first:
            verify_resident(s, world)
        body = (
            None
            if first
            else s.scalar(select(HandlingUnit).where(HandlingUnit.kind == "mediation"))
        )
        request, case = open_dispute(s, world, body=body)
        for k in range(n):
            s.add(
                MediationSession(
                    case_id=case.id,
                    held_on=FIRST + timedelta(days=k),
                    held=True,
                    place=f"调解室{k}号",
                    requester_present=True,
                    other_present=False,
                    notes=f"第{k}次",
                    recorded_by=world["people"]["unit_staff"].id,
                    recorded_at=NOW,
                )
            )
    return request.id, case.id


def _sessions(html: str) -> list[str]:
    found = re.search(r'<ul id="sessions">(.*?)</ul>', html, re.S)
    return re.findall(r"调解室(\d+)号", found.group(1)) if found else []


def test_the_case_page_runs_as_many_statements_for_3n_sessions_as_for_n(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: every session of the case was a row of the page."""
    app.state.fixed_now = NOW
    few, _ = _case(engine, world, N)
    client.sign_in("unitstaff")  # the mediator
    first = len(statements_of_page(client, f"/admin/requests/{few}/mediation"))
    many, _ = _case(engine, world, 3 * N, first=False)
    page = f"/admin/requests/{many}/mediation"
    assert len(statements_of_page(client, page)) == first
    text = client.get(page).text
    newest = [str(3 * N - 1 - k) for k in range(SESSIONS_PER_PAGE)]
    assert _sessions(text) == newest  # newest first, one page
    assert f'href="{page}?page=2"' in text and 'rel="next"' in text
    last = -(-3 * N // SESSIONS_PER_PAGE)
    end = client.get(f"{page}?page={last}").text
    assert _sessions(end)[-1] == "0" and 'rel="next"' not in end
    assert len(statements_of_page(client, f"{page}?page={last}")) == first
    shown: list[str] = []
    for number in range(1, last + 1):
        shown += _sessions(client.get(f"{page}?page={number}").text)
    assert sorted(map(int, shown)) == list(range(3 * N))


def test_a_case_with_no_session_says_so(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request_id, _ = _case(engine, world, 0)
    client.sign_in("unitstaff")
    text = client.get(f"/admin/requests/{request_id}/mediation").text
    assert "还没有调解会。" in text and 'id="sessions"' not in text
    assert 'class="pager"' not in text


@pytest.mark.parametrize(
    "query", ["page=abc", "page=0", "page=-3", "page=999999999999", "page=%00"]
)
def test_bad_page_numbers_give_a_page(
    app: Starlette, client: FormClient, engine: Engine, world: World, query: str
) -> None:
    app.state.fixed_now = NOW
    request_id, _ = _case(engine, world, N)
    client.sign_in("unitstaff")
    answer = client.get(f"/admin/requests/{request_id}/mediation?{query}")
    assert answer.status_code == 200 and len(_sessions(answer.text)) > 0


def test_who_sees_the_case_page_is_unchanged_and_the_parties_page_lists_no_session(
    app: Starlette, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request_id, case_id = _case(engine, world, N)
    page = f"/admin/requests/{request_id}/mediation"
    for login, code in (("unitstaff", 200), ("admin", 200), ("resident", 403), ("volunteer", 403)):
        client = make_client()
        client.sign_in(login)
        assert client.get(page).status_code == code, login
        assert client.get(f"{page}?page=2").status_code == code, login
    resident = make_client()
    resident.sign_in("resident")
    party = resident.get(f"/requests/mediation/{case_id}")
    assert party.status_code == 200 and "调解室" not in party.text
