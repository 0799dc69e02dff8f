"""The audit log at city scale: a page of entries read by keyset (a link names the
entry a page starts after, or ends before; never a number of rows to skip), in as
many statements for 3N entries as for N and on a deep page as on the second, its
filters kept in the links; old numbered links and unreadable input answer with a
page, never a 500."""

from __future__ import annotations

import html as markup
import re
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select
from sqlalchemy.orm import Session

from participation.audit import AuditEntry
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.world import World

PER_PAGE = 50  # participation.audit.ENTRIES_PER_PAGE


def _log(engine: Engine, world: World, count: int, tag: str) -> None:
    """``count`` entries, alternately by the admin and by staff, of two actions,
    naming areas, accounts and records that do not exist, with a detail."""
    admin, staff = world["people"]["admin"].id, world["people"]["staff"].id
    area = world["community"].id
    with Session(engine) as s, s.begin():
        s.execute(
            insert(AuditEntry),
            [
                {
                    "actor_id": admin if k % 2 else staff,
                    "action": "area.rename" if k % 3 else "role.grant",
                    "target": (f"area:{area}", f"account:{admin}", f"plan_item:{k + 9000}")[k % 3],
                    "detail": f'{{"tag": "{tag}{k}"}}',
                    "ip": "10.0.0.1",
                }
                for k in range(count)
            ],
        )


def _tags(html: str) -> list[str]:
    return re.findall(r"<code>tag: ([^<]+)</code>", html)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return markup.unescape(found.group(1)) if found else None


def _expected(engine: Engine, **filters: Any) -> list[str]:
    """The tags of the entries the filters keep, newest first."""
    query = select(AuditEntry.detail).order_by(AuditEntry.id.desc())
    for column, value in filters.items():
        query = query.where(getattr(AuditEntry, column) == value)
    with Session(engine) as s:
        return [d[len('{"tag": "') : -2] for d in s.scalars(query) if d.startswith('{"tag"')]


def test_a_page_shows_fifty_entries_in_as_many_statements_for_3n_as_for_n(
    app: Any, client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin", PASSWORD)
    staff = world["people"]["staff"].id
    _log(engine, world, PER_PAGE + 10, "a")
    urls = ["/admin/audit", "/admin/audit?action=area.rename", f"/admin/audit?actor={staff}"]
    few = [page_selects(app.state.engine, client, url) for url in urls]
    _log(engine, world, 2 * PER_PAGE + 40, "b")
    for url, (count, _) in zip(urls, few, strict=True):
        again, text = page_selects(app.state.engine, client, url)
        assert again == count, url
        assert len(_tags(text)) == PER_PAGE, url


def test_the_older_links_visit_every_entry_once_newest_first_with_the_filters(
    app: Any, client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: its links carried ?page=N, read with an OFFSET."""
    client.sign_in("admin", PASSWORD)
    _log(engine, world, 4 * PER_PAGE + 7, "c")
    admin = world["people"]["admin"].id
    for filters, query in (
        ({}, ""),
        ({"action": "role.grant"}, "action=role.grant"),
        ({"actor_id": admin}, f"actor={admin}"),
        ({"action": "area.rename", "actor_id": admin}, f"action=area.rename&actor={admin}"),
    ):
        pages = [client.get(f"/admin/audit?{query}").text]
        assert _link(pages[0], "prev") is None
        statements = []
        while (older := _link(pages[-1], "next")) is not None:
            assert "page=" not in older and query in older, older  # the filters kept
            counted, text = page_selects(app.state.engine, client, older)
            statements.append(counted)
            pages.append(text)
            assert len(pages) < 20, "the pages never end"
        shown = [tag for page in pages for tag in _tags(page)]
        assert shown == _expected(engine, **filters), query  # each once, newest first
        assert len(set(statements)) <= 1, statements  # a deep page costs the second's
        back = [pages[-1]]
        while (newer := _link(back[-1], "prev")) is not None:
            back.append(client.get(newer).text)
        assert [_tags(page) for page in back] == [_tags(page) for page in pages[::-1]]


def test_no_page_skips_rows_with_an_offset(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin", PASSWORD)
    _log(engine, world, 3 * PER_PAGE, "d")
    offsets: list[int] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM audit_log" in statement and "OFFSET" in statement.upper():
            values = list(parameters.values() if isinstance(parameters, dict) else parameters)
            offsets.append(int(values[-1]))

    page = client.get("/admin/audit").text
    event.listen(Engine, "before_cursor_execute", note)
    try:
        for _ in range(2):
            older = _link(page, "next")
            assert older is not None
            page = client.get(older).text
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    # SQLite's dialect writes an OFFSET, 0, with every LIMIT.
    assert offsets and not any(offsets), offsets


@pytest.mark.parametrize(
    ("old", "kept"),
    [
        ("page=2", ""),
        ("page=abc", ""),
        ("page=999999999999", ""),
        (f"page={2**63}", ""),
        ("page=-3", ""),
        ("action=role.grant&page=4", "action=role.grant"),
        ("actor=7&page=2&page=3", "actor=7"),
    ],
)
def test_a_numbered_page_link_goes_to_the_start_with_its_filters(
    client: FormClient, world: World, old: str, kept: str
) -> None:
    client.sign_in("admin", PASSWORD)
    moved = client.get(f"/admin/audit?{old}", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == (f"/admin/audit?{kept}" if kept else "/admin/audit")
    assert client.get(moved.headers["location"]).status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        "after=abc",
        "after=",
        "after=0",
        "after=-7",
        "after=1.5",
        "after=99999999999999999999999",
        "after=100000000000000000",
        "before=abc",
        "before=999999999",
        "before=-1",
        "after=%00",
        "after=abc&before=xyz",
    ],
)
def test_a_bad_cursor_shows_the_first_page(
    client: FormClient, engine: Engine, world: World, bad: str
) -> None:
    client.sign_in("admin", PASSWORD)
    _log(engine, world, PER_PAGE + 3, "e")
    first = client.get("/admin/audit").text
    page = client.get(f"/admin/audit?{bad}")
    assert page.status_code == 200, bad
    assert _tags(page.text) == _tags(first) and _link(page.text, "prev") is None


@pytest.mark.parametrize("actor", ["abc", "-3", "1.5", "99999999999999999999999", "%00"])
def test_an_unreadable_actor_number_says_so(
    client: FormClient, engine: Engine, world: World, actor: str
) -> None:
    client.sign_in("admin", PASSWORD)
    _log(engine, world, 3, "f")
    page = client.get(f"/admin/audit?actor={actor}")
    assert page.status_code == 200
    assert "操作人账号编号应为整数" in page.text
    assert len(_tags(page.text)) == 3  # the filter left out, the log shown


def test_an_unknown_action_or_actor_finds_nothing(client: FormClient, world: World) -> None:
    client.sign_in("admin", PASSWORD)
    for query in ("action=no.such", f"action={'x' * 5000}", "action=%00", f"actor={10**17}"):
        page = client.get(f"/admin/audit?{query}")
        assert page.status_code == 200 and "暂无记录。" in page.text, query
