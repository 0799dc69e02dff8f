"""/admin/rolls at a city's size (issue 17): the roll by community is paged in SQL,
50 communities a page, each community's entries and verified entries read from the
roll's summary (``roll_counts``), never counted from the roll (a million entries);
a page runs as many statements for 3N communities, and for more entries, as for N."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.areas import create_area, get_area
from participation.rolls import ImportJob, RollEntry
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.queries import reading, statements_of_page

PAGE = "/admin/rolls"
PER_PAGE = 50  # participation.rolls.COMMUNITIES_PER_PAGE


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """The correlated counts must hold on SQLite and on PostgreSQL."""
    return any_db_url


def _communities(engine: Engine, world: dict[str, Any], n: int, tag: str) -> list[int]:
    """``n`` more communities of the street, coded so that they list after 一社区, 二社区."""
    with Session(engine) as s, s.begin():
        street = get_area(s, world["street"].id)
        made = [
            create_area(
                s,
                code=f"Z{tag}{k:03d}",
                name=f"区{tag}{k:03d}",
                kind=AreaKind.COMMUNITY,
                parent=street,
            )
            for k in range(n)
        ]
        s.flush()
        return [a.id for a in made]


def _entries(engine: Engine, community_id: int, n: int, verified: int, tag: str) -> None:
    """``n`` roll entries of a community, the first ``verified`` of them verified."""
    with Session(engine) as s, s.begin():
        for k in range(n):
            account = None
            if k < verified:
                person = Account(display_name=f"已核{tag}{k}")
                s.add(person)
                s.flush()
                account = person.id
            s.add(
                RollEntry(
                    community_id=community_id,
                    name=f"居民{tag}{k}",
                    id_hash=f"{tag}-{community_id}-{k}",
                    birth_date=date(1980, 1, 1),
                    household_code=f"H{tag}{k}",
                    account_id=account,
                )
            )


def _rows(html: str) -> list[tuple[str, str, str]]:
    return re.findall(
        r'<tr><td class="card-title">([^<]+)</td><td data-label="[^"]+">(\d+)</td>'
        r'<td data-label="[^"]+">(\d+)</td></tr>',
        html,
    )


def test_the_roll_is_paged_by_community_with_each_ones_counts(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: every community of the city on one page, no pager."""
    client.sign_in("admin")
    ids = _communities(engine, world, 60, "a")
    _entries(engine, ids[0], 3, 2, "x")
    _entries(engine, ids[55], 4, 1, "y")
    first = client.get(PAGE).text
    assert len(_rows(first)) == PER_PAGE and 'href="/admin/rolls?page=2" rel="next"' in first
    second = client.get(f"{PAGE}?page=2").text
    assert 'href="/admin/rolls?page=1" rel="prev"' in second and 'rel="next"' not in second
    # 62 communities: 一社区, 二社区 and 60 more, each once, in path order.
    rows = _rows(first) + _rows(second)
    assert sorted(name for name, _, _ in rows) == sorted(
        ["一社区", "二社区", *(f"区a{k:03d}" for k in range(60))]
    )
    assert ("区a000", "3", "2") in rows and ("区a055", "4", "1") in rows
    assert ("区a001", "0", "0") in rows
    # Past the end: the last page.
    assert _rows(client.get(f"{PAGE}?page=9").text) == _rows(second)


def test_as_many_statements_for_3n_communities_and_more_entries_as_for_n(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    client.sign_in("admin")
    ids = _communities(engine, world, 20, "b")
    _entries(engine, ids[0], 2, 1, "p")
    few = len(statements_of_page(client, PAGE))
    more = _communities(engine, world, 60, "c")
    for k, community in enumerate(more[:5]):
        _entries(engine, community, 3, 2, f"q{k}")
    assert len(statements_of_page(client, PAGE)) == few
    assert len(_rows(client.get(PAGE).text)) == PER_PAGE


def test_the_figures_come_from_the_summary_not_the_roll(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: the page counted each community's roll entries."""
    client.sign_in("admin")
    ids = _communities(engine, world, 3, "h")
    _entries(engine, ids[1], 5, 3, "r")
    seen = statements_of_page(client, PAGE)
    assert reading("roll_entries", seen) == 0
    figures = [sql for sql in seen if "roll_counts" in sql]
    assert len(figures) == 1 and "roll_entries" not in figures[0]
    assert ("区h001", "5", "3") in _rows(client.get(PAGE).text)


def test_a_scoped_manager_pages_their_communities_only(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """A community worker manages their community's roll: it alone is listed."""
    client.sign_in("communityworker")
    _communities(engine, world, 3, "d")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert [name for name, _, _ in _rows(page.text)] == ["一社区"]
    assert 'rel="next"' not in page.text


def _jobs(engine: Engine, scopes: list[int], tag: str) -> None:
    """A finished resident roll import by each of the areas ``scopes``."""
    with Session(engine) as s, s.begin():
        s.add_all(
            ImportJob(kind="residents", filename=f"{tag}{k}.csv", scope_id=scope, status="done")
            for k, scope in enumerate(scopes)
        )


def test_the_recent_imports_read_their_areas_at_once(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: each import's area was read on its own (an import
    by each of a city's communities: a statement each)."""
    client.sign_in("admin")
    ids = _communities(engine, world, 12, "e")
    _jobs(engine, ids[:4], "f")
    few = statements_of_page(client, PAGE)
    _jobs(engine, ids[4:], "g")
    many = statements_of_page(client, PAGE)
    assert len(many) == len(few)
    page = client.get(PAGE).text
    assert "f0.csv" in page and "g7.csv" in page
