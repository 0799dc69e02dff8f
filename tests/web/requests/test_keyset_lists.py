"""The office's mediation cases and supervision notices at city scale: pages read by
keyset (a link names the row a page starts after, or ends before; never a number
of rows to skip), in as many statements for 3N rows as for N and on a deep page
as on the second; old numbered links and unreadable cursors answer with a page,
never a 500."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.areas import Area
from participation.requests import mediation, units
from participation.requests.mediation import MediationCase
from participation.requests.models import ResidentRequest
from participation.requests.supervision import SupervisionNotice
from tests.support.areas import more_streets
from tests.support.client import FormClient
from tests.support.mediation import BODY
from tests.support.queries import statements_of_page
from tests.support.requests import NOW, file, route_to_community

PER_PAGE = 50  # CASES_PER_PAGE, NOTICES_PER_PAGE
CASES = "/admin/requests/mediation"
NOTICES = "/admin/requests/supervision"


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return markup.unescape(found.group(1)) if found else None


def _cases(html: str) -> list[str]:
    return re.findall(r"/admin/requests/\d+/mediation\">([^<]+)</a>", html)


def _notices(html: str) -> list[str]:
    found = re.search(r'<ul class="cards" id="supervision-notices">(.*?)</ul>', html, re.S)
    assert found
    return re.findall(r'<a href="/admin/requests/\d+">([^<]+)</a> · ', found.group(1))


def _disputes(engine: Engine, world: dict[str, Any], n: int, tag: str) -> None:
    """A mediation body in each of ``n`` new communities, each with a case."""
    more_streets(engine, world["district"].id, n, tag, grid=True)
    with Session(engine) as s, s.begin():
        actor = world["people"]["admin"].id
        for k in range(n):
            community = s.scalar(select(Area).where(Area.code == f"M{tag}{k}"))
            assert community is not None
            body = units.add_mediation_body(s, community, f"调委{tag}{k}", None)
            request, _ = file(s, world, f"邻里纠纷{tag}{k}号", category="dispute")
            new = mediation.NewCase("王小明", "13800000001", "李大华", "13800000002")
            mediation.open_case(s, request, body, new, NOW, actor, BODY)


def _issue(engine: Engine, world: dict[str, Any], n: int, start: int = 0) -> None:
    """``n`` notices, each on its own request, four at a time with the same issue
    time (a sweep issues many at once: the id breaks the tie)."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world) if start == 0 else None
        filed = [file(s, world, f"督办事项{start + k}号")[0] for k in range(n)]
        s.flush()
        s.execute(
            insert(SupervisionNotice),
            [
                {
                    "request_id": r.id,
                    "stage": "accept",
                    "due_on": date(2026, 5, 15),
                    "level": 0,
                    "kind": "late",
                    "unit_id": r.unit_id,
                    "working_days_late": 1,
                    "issued_at": datetime(2026, 5, 1, tzinfo=UTC)
                    + timedelta(hours=(start + k) // 4),
                }
                for k, r in enumerate(filed)
            ],
        )


def _expected_cases(engine: Engine) -> list[str]:
    with Session(engine) as s:
        query = (
            select(ResidentRequest.number)
            .join(MediationCase, MediationCase.request_id == ResidentRequest.id)
            .order_by(MediationCase.id.desc())
        )
        return list(s.scalars(query))


def _expected_notices(engine: Engine) -> list[str]:
    with Session(engine) as s:
        query = (
            select(ResidentRequest.number)
            .join(SupervisionNotice, SupervisionNotice.request_id == ResidentRequest.id)
            .order_by(SupervisionNotice.issued_at.desc(), SupervisionNotice.id.desc())
        )
        return list(s.scalars(query))


def _walk(client: FormClient, page: str, rows: Any) -> tuple[list[list[str]], list[int]]:
    """The pages from the first by the older links, with the statements of each
    page reached by a link; then back by the newer links, which must retrace them."""
    pages = [client.get(page).text]
    assert _link(pages[0], "prev") is None
    counts = []
    while (older := _link(pages[-1], "next")) is not None:
        assert "page=" not in older and older.startswith(page), older
        counts.append(len(statements_of_page(client, older)))
        pages.append(client.get(older).text)
        assert len(pages) < 20, "the pages never end"
    back = [pages[-1]]
    while (newer := _link(back[-1], "prev")) is not None:
        back.append(client.get(newer).text)
    assert [rows(p) for p in back] == [rows(p) for p in pages[::-1]]
    return [rows(p) for p in pages], counts


@pytest.fixture
def cases(app: Starlette, engine: Engine, world: dict[str, Any]) -> None:
    app.state.fixed_now = NOW
    _disputes(engine, world, PER_PAGE + 10, "a")


def test_mediation_cases_cost_as_much_for_3n_and_deep_down(
    app: Starlette, client: FormClient, engine: Engine, world: dict[str, Any], cases: None
) -> None:
    """Fails on the old code: it counted every case of the city, then skipped
    (N-1) x 50 of them with an OFFSET."""
    client.sign_in("admin")
    first = statements_of_page(client, CASES)
    assert not any("count(" in sql.lower() and "mediation_cases" in sql for sql in first)
    _disputes(engine, world, 2 * PER_PAGE + 20, "b")  # 3N
    assert len(statements_of_page(client, CASES)) == len(first)
    shown, counts = _walk(client, CASES, _cases)
    assert [n for page in shown for n in page] == _expected_cases(engine)  # once, newest first
    assert [len(page) for page in shown] == [PER_PAGE, PER_PAGE, PER_PAGE, 30]
    assert len(set(counts)) == 1 and counts[0] == len(first), counts


def test_supervision_notices_cost_as_much_for_3n_and_deep_down(
    app: Starlette, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: page N skipped (N-1) x 50 notices with an OFFSET."""
    app.state.fixed_now = NOW
    _issue(engine, world, PER_PAGE + 10)
    client.sign_in("admin")
    first = len(statements_of_page(client, NOTICES))
    _issue(engine, world, 2 * PER_PAGE + 20, start=PER_PAGE + 10)  # 3N
    assert len(statements_of_page(client, NOTICES)) == first
    shown, counts = _walk(client, NOTICES, _notices)
    assert [n for page in shown for n in page] == _expected_notices(engine)
    assert [len(page) for page in shown] == [PER_PAGE, PER_PAGE, PER_PAGE, 30]
    # A deep page: one more statement than the first (the named notice's issue time).
    assert len(set(counts)) == 1 and counts[0] == first + 1, counts


@pytest.mark.parametrize("page", [CASES, NOTICES])
def test_old_numbered_links_go_to_the_start(
    app: Starlette, client: FormClient, world: dict[str, Any], page: str
) -> None:
    client.sign_in("admin")
    for number in ("3", "abc", "999999999999999999999"):
        moved = client.get(f"{page}?page={number}", follow_redirects=False)
        assert moved.status_code == 301 and moved.headers["location"] == page, number


@pytest.mark.parametrize("page", [CASES, NOTICES])
def test_unreadable_or_huge_cursors_give_a_page(
    app: Starlette, client: FormClient, engine: Engine, world: dict[str, Any], page: str
) -> None:
    app.state.fixed_now = NOW
    _disputes(engine, world, 3, "c") if page == CASES else _issue(engine, world, 3)
    client.sign_in("admin")
    rows = _cases if page == CASES else _notices
    start = rows(client.get(page).text)
    assert len(start) == 3
    for cursor in (
        "abc",
        "",
        "-5",
        "0",
        "1.5",
        "²",
        "%00",
        str(2**31 - 1),
        str(2**31),
        str(2**63),
        "9" * 40,
    ):
        for direction in ("after", "before"):
            shown = client.get(f"{page}?{direction}={cursor}")
            assert shown.status_code == 200, (direction, cursor)
            got = rows(shown.text)  # a page of the list ("²" reads as 2: a real place)
            assert got == start[len(start) - len(got) :] or got == start[: len(got)], cursor


@pytest.mark.parametrize("page", [CASES, NOTICES])
def test_who_may_see_the_lists_is_unchanged(
    client: FormClient, world: dict[str, Any], page: str
) -> None:
    client.sign_in("resident")
    for query in ("", "?after=1", "?before=1", "?page=2"):
        assert client.get(f"{page}{query}", follow_redirects=False).status_code == 403, query
