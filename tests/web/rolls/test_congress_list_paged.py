"""/admin/congresses at a city's size (issue 17): the congress list is paged in SQL,
50 a page, to the last congress, the pager keeping the area step's query; a page runs
as many statements for 3N congresses as for N."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.rolls import Congress
from tests.support.client import FormClient
from tests.support.queries import statements_of_page

PAGE = "/admin/congresses"


def _congresses(engine: Engine, world: dict[str, Any], n: int, tag: str) -> None:
    """``n`` more congresses of the district, terms 1 to n of session ``ord(tag)``."""
    with Session(engine) as s, s.begin():
        s.add_all(
            Congress(
                area_id=world["district"].id,
                term=k + 1,
                session_number=ord(tag),
                name=f"会{tag}{k}",
            )
            for k in range(n)
        )


def _listed(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/congresses/\d+">(会\w+)</a>', html)


def test_the_congress_list_is_paged_to_the_last_congress(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: all 120 congresses on one page, no pager."""
    client.sign_in("admin")
    _congresses(engine, world, 120, "a")
    first = client.get(PAGE)
    assert len(_listed(first.text)) <= 50 and 'rel="next"' in first.text
    seen: list[str] = []
    url: str | None = PAGE
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen.extend(_listed(page.text))
        following = re.search(r'<a href="([^"]+)" rel="next"', page.text)
        url = following.group(1).replace("&amp;", "&") if following else None
    assert seen == [f"会a{k}" for k in range(120)]
    # Past the end: the last page; the pager keeps the area step's query.
    assert _listed(client.get(f"{PAGE}?page=99").text) == [f"会a{k}" for k in range(100, 120)]
    kept = client.get(f"{PAGE}?area={world['district'].id}").text
    assert f"area={world['district'].id}&amp;page=2" in kept


def test_a_page_runs_as_many_statements_for_3n_congresses(
    client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    client.sign_in("admin")
    _congresses(engine, world, 60, "s")
    small = len(statements_of_page(client, PAGE))
    _congresses(engine, world, 120, "l")
    large = statements_of_page(client, PAGE)
    assert len(large) == small
