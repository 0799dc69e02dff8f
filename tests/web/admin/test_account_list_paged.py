"""The back office's account list at city scale: a page of accounts read in SQL
(never every account of the city, sliced in Python), in as many statements for 3N
accounts as for N, and a search each of whose answers comes from an index (the
start of a phone number, of a username, of a display name; no substring LIKE
scanning every account), paged with the search kept, by keyset: a link names the
account a page starts after (or ends before), never a number of rows to skip."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.accounts import Account
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects, statements
from tests.support.world import World

PER_PAGE = 50  # participation.account_search.ACCOUNTS_PER_PAGE


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


def _previous(html: str) -> str | None:
    link = re.search(r'<a href="([^"]+)" rel="prev">', html)
    return markup.unescape(link.group(1)) if link else None


def _id_of(engine: Engine, name: str) -> int:
    with Session(engine) as s:
        found = s.scalar(select(Account.id).where(Account.display_name == name))
    assert found is not None
    return found


def test_pages_follow_one_another_keeping_the_search(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin", PASSWORD)
    _residents(engine, PER_PAGE + 5, "d", 13920000000)
    first = client.get("/admin/accounts?q=居民d").text
    assert _names(first) == [f"居民d{k:03d}" for k in range(PER_PAGE)]  # in name order
    assert _previous(first) is None
    following = _next(first)
    last_shown = _id_of(engine, f"居民d{PER_PAGE - 1:03d}")
    assert following == f"/admin/accounts?q=%E5%B1%85%E6%B0%91d&after={last_shown}"  # 居民d
    second = client.get(following).text
    assert _names(second) == [f"居民d{k:03d}" for k in range(PER_PAGE, PER_PAGE + 5)]
    assert _next(second) is None
    back = _previous(second)
    assert back == f"/admin/accounts?q=%E5%B1%85%E6%B0%91d&before={_id_of(engine, '居民d050')}"
    again = client.get(back).text
    assert _names(again) == _names(first) and _previous(again) is None


def test_a_deep_page_reads_as_much_as_the_second(
    app: Any, client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: page N skipped (N - 1) x 50 rows with an OFFSET."""
    client.sign_in("admin", PASSWORD)
    _residents(engine, 4 * PER_PAGE, "g", 13940000000)
    for q in ("", "居民g", "1394"):
        url = f"/admin/accounts?q={q}"
        pages = [client.get(url).text]
        while (following := _next(pages[-1])) is not None:
            counted, text = page_selects(app.state.engine, client, following)
            pages.append(text)
            if len(pages) == 2:
                second = counted
            assert counted == second, (q, len(pages))
        assert len(pages) >= 4, q
        last = _previous(pages[-1])
        assert last is not None
        with skipped() as offsets:
            client.get(last)
        assert not any(offsets), offsets


@contextmanager
def skipped() -> Iterator[list[int]]:
    """The OFFSET of every statement that reads accounts inside the block, when it
    has one (SQLite's dialect writes one, 0, with every LIMIT)."""
    offsets: list[int] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if "FROM accounts" in statement and "OFFSET" in statement.upper():
            values = list(parameters.values() if isinstance(parameters, dict) else parameters)
            offsets.append(int(values[-1]))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield offsets
    finally:
        event.remove(Engine, "before_cursor_execute", note)


@pytest.mark.parametrize(
    "old", ["page=2", "page=1", "page=abc", "page=999999999999", "page=-3", "page=2&page=3"]
)
def test_a_numbered_page_link_goes_to_the_start_of_the_list(
    client: FormClient, world: World, old: str
) -> None:
    """The links of the numbered pages the list had (bookmarks, history) still
    answer: sent to the list's start, the search kept."""
    client.sign_in("admin", PASSWORD)
    moved = client.get(f"/admin/accounts?q=%E5%B1%85&{old}", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == "/admin/accounts?q=%E5%B1%85"
    assert client.get(moved.headers["location"]).status_code == 200
    plain = client.get(f"/admin/accounts?{old}", follow_redirects=False)
    assert plain.status_code == 301 and plain.headers["location"] == "/admin/accounts"


@pytest.mark.parametrize(
    "bad",
    [
        "after=abc",
        "after=",
        "after=0",
        "after=-7",
        "after=1.5",
        "after=99999999999999999999999",
        "after=999999999",  # names no account
        "after=100000000000000000",  # past any id PostgreSQL can compare
        "before=abc",
        "before=999999999",
        "after=%00",
        "after=abc&before=xyz",
    ],
)
def test_a_bad_cursor_shows_the_first_page(
    client: FormClient, engine: Engine, world: World, bad: str
) -> None:
    client.sign_in("admin", PASSWORD)
    _residents(engine, PER_PAGE + 3, "h", 13950000000)
    for q in ("", "居民h", "1395"):
        first = client.get(f"/admin/accounts?q={q}").text
        page = client.get(f"/admin/accounts?q={q}&{bad}")
        assert page.status_code == 200, (q, bad)
        assert _names(page.text) == _names(first) and _previous(page.text) is None


def test_an_account_without_a_phone_as_a_cursor_of_a_phone_search(
    client: FormClient, engine: Engine, world: World
) -> None:
    """The admin has no phone number: no place in a phone search's order."""
    client.sign_in("admin", PASSWORD)
    _residents(engine, PER_PAGE + 3, "i", 13960000000)
    admin = world["people"]["admin"].id
    page = client.get(f"/admin/accounts?q=1396&after={admin}")
    assert page.status_code == 200
    assert _names(page.text) == [f"居民i{k:03d}" for k in range(PER_PAGE)]


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
