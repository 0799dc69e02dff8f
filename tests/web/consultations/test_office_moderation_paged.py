"""The consultation's back-office page at a city's size: the moderation list shows
a page of threads and a page of opinion statements (a city consultation draws
thousands), each pager keeping the other's page, in as many statements for 3N
threads and statements as for N."""

from __future__ import annotations

import html as markup
import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.models import OpinionStatement
from tests.support.client import FormClient
from tests.support.consultations import NOW
from tests.support.queries import page_selects
from tests.web.consultations.test_consultation_page_queries import grow
from tests.web.consultations.test_consultations import PASSWORD, place  # noqa: F401 (fixture)

PER_PAGE = 50  # web.consultations.office.MODERATION_PER_PAGE


def _statements(engine: Engine, place: dict[str, Any], count: int, tag: str) -> None:  # noqa: F811
    author = place["c"].residents[0].id
    with Session(engine) as s, s.begin():
        for n in range(count):
            s.add(
                OpinionStatement(
                    consultation_id=place["consultation"].id,
                    author_id=author,
                    text=f"观点{tag}{n:03d}",
                    created_at=NOW,
                )
            )


def _shown(html: str) -> tuple[int, int]:
    return (
        len(re.findall(r'action="/admin/consultations/\d+/posts/\d+/hide"', html)),
        len(re.findall(r'action="/admin/consultations/\d+/statements/\d+/hide"', html)),
    )


def test_moderation_runs_as_many_statements_for_3n_posts_as_for_n(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    """Fails on the old code: every post and statement was loaded and rendered."""
    client.sign_in("cworker", PASSWORD)
    url = f"/admin/consultations/{place['consultation'].id}"
    grow(engine, place, 20, "甲")
    _statements(engine, place, 20, "甲")
    few, small = page_selects(engine, client, url)
    grow(engine, place, 40, "乙")
    _statements(engine, place, 40, "乙")
    many, big = page_selects(engine, client, url)
    assert few == many
    posts, statements = _shown(small)
    assert posts == 40 and 26 <= statements < PER_PAGE  # 20 threads with a reply
    assert _shown(big) == (2 * PER_PAGE, PER_PAGE)  # 50 threads, each with its reply
    # Each pager names the row its next page starts after and keeps the other's place.
    posts_next = _link(big, "posts_after")
    later = client.get(_link(client.get(posts_next).text, "statements_after")).text
    assert _shown(later) == (2 * 10, statements + 6 + 40 - PER_PAGE)
    assert "论点乙039" in later and "论点甲000" not in later and "观点乙039" in later
    assert posts_next.split("?")[1] in _link(later, "statements_before")
    assert "statements_after=" in _link(later, "posts_before")
    again, _ = page_selects(engine, client, _link(later, "posts_before"))
    assert again == many  # a page reached by a link costs what the first does
    assert client.get(f"{url}?posts=2&statements=abc&posts_after=x").status_code == 200


def _link(html: str, param: str) -> str:
    found = re.search(rf'<a href="([^"]*{param}=[^"]+)" rel="(?:next|prev)">', html)
    assert found, param
    return markup.unescape(found.group(1))
