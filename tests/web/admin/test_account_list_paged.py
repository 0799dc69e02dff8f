"""The back office's account list at city scale: a page of accounts read in SQL
(never every account of the city, sliced in Python), in as many statements for 3N
accounts as for N, and a search each of whose answers comes from an index (the
start of a phone number, of a username, of a display name; no substring LIKE
scanning every account), paged with the search kept."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import Account
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects, statements
from tests.support.world import World

PER_PAGE = 50  # participation.accounts.ACCOUNTS_PER_PAGE


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """The prefix ranges must hold on SQLite and on PostgreSQL."""
    return any_db_url


def _residents(engine: Engine, count: int, tag: str, phone_start: int) -> None:
    """``count`` residents named 居民<tag><k>, phones from ``phone_start`` up."""
    with Session(engine) as s, s.begin():
        s.add_all(
            Account(display_name=f"居民{tag}{k:03d}", phone=str(phone_start + k))
            for k in range(count)
        )


@contextmanager
def accounts_loaded() -> Iterator[list[int]]:
    """The ids of every Account the ORM loads inside the block."""
    loaded: list[int] = []

    def note(target: Account, _context: Any) -> None:
        loaded.append(target.id)

    event.listen(Account, "load", note)
    try:
        yield loaded
    finally:
        event.remove(Account, "load", note)


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/accounts/\d+">([^<]+)</a>', html)


def _next(html: str) -> str | None:
    link = re.search(r'<a href="([^"]+)" rel="next">', html)
    return markup.unescape(link.group(1)) if link else None


def test_the_list_reads_one_page_of_accounts(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: every account was loaded and the page sliced in Python."""
    client.sign_in("admin", PASSWORD)
    _residents(engine, 3 * PER_PAGE, "a", 13900000000)
    with accounts_loaded() as loaded:
        page = client.get("/admin/accounts").text
    assert len(_names(page)) == PER_PAGE
    assert len(set(loaded)) <= PER_PAGE + 2  # the page (+1 to know of a next) and the admin


def test_as_many_statements_for_3n_accounts_as_for_n(
    app: Any, client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin", PASSWORD)
    _residents(engine, 20, "b", 13900000000)
    few = page_selects(app.state.engine, client, "/admin/accounts?q=居民")[0]
    every = page_selects(app.state.engine, client, "/admin/accounts")[0]
    _residents(engine, 2 * PER_PAGE + 40, "c", 13910000000)
    assert page_selects(app.state.engine, client, "/admin/accounts?q=居民")[0] == few
    assert page_selects(app.state.engine, client, "/admin/accounts")[0] == every


def test_pages_follow_one_another_keeping_the_search(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin", PASSWORD)
    _residents(engine, PER_PAGE + 5, "d", 13920000000)
    first = client.get("/admin/accounts?q=居民d").text
    assert _names(first) == [f"居民d{k:03d}" for k in range(PER_PAGE)]  # in name order
    assert 'rel="prev"' not in first
    following = _next(first)
    assert following == "/admin/accounts?q=%E5%B1%85%E6%B0%91d&page=2"  # 居民d
    second = client.get(following).text
    assert _names(second) == [f"居民d{k:03d}" for k in range(PER_PAGE, PER_PAGE + 5)]
    assert _next(second) is None
    assert 'href="/admin/accounts?q=%E5%B1%85%E6%B0%91d&page=1" rel="prev"' in second


def test_search_by_the_start_of_a_phone_a_name_or_a_username(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin", PASSWORD)
    _residents(engine, 12, "e", 13930000000)  # 13930000000 … 13930000011
    assert _names(client.get("/admin/accounts?q=13930000011").text) == ["居民e011"]
    assert _names(client.get("/admin/accounts?q=1393000001").text) == ["居民e010", "居民e011"]
    assert _names(client.get("/admin/accounts?q=居民e00").text) == [
        f"居民e{k:03d}" for k in range(10)
    ]
    assert _names(client.get("/admin/accounts?q=无角").text) == ["无角色"]
    # A username, typed in any case (logins are stored lowercased), or its start.
    assert _names(client.get("/admin/accounts?q=NoBo").text) == ["无角色"]
    # A word inside a name is not searched (it would scan every account).
    assert _names(client.get("/admin/accounts?q=角色").text) == []
    assert _names(client.get("/admin/accounts?q=12").text) == []


def test_the_search_never_scans_for_a_substring(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: LIKE '%q%' over names, usernames and phones."""
    client.sign_in("admin", PASSWORD)
    for q in ("居民", "deputy", "139"):
        with statements() as seen:
            client.get(f"/admin/accounts?q={q}")
        reads = [sql for sql in seen if "FROM accounts" in sql and "LIMIT" in sql.upper()]
        assert reads and not any(" LIKE " in sql.upper() for sql in reads), seen
