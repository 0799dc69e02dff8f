"""The consultation page runs a fixed number of SQL statements whatever the rows
behind it (statements, votes, posts, replies, reports), shows the discussion a
page of threads at a time, and its opinion block (htmx's ``#opinion`` swap) reads
only what that block shows."""

from __future__ import annotations

import html as markup
import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations import deliberation
from consultations.models import Consultation
from tests.support.client import FormClient
from tests.support.consultations import NOW, refresh_maps
from tests.support.queries import statements, statements_of_page
from tests.web.consultations.test_consultations import PASSWORD, place  # noqa: F401 (fixture)

HTMX = {"HX-Request": "true", "HX-Target": "opinion"}


def grow(engine: Engine, place: dict[str, Any], threads: int, tag: str = "") -> None:  # noqa: F811
    """More of everything the page is about: statements and their votes, threads
    with replies and reports."""
    c = place["c"]
    with Session(engine) as s, s.begin():
        consultation = s.get(Consultation, place["consultation"].id)
        assert consultation is not None
        people = [s.merge(p) for p in c.residents]
        for n in range(6):
            sid = deliberation.add_statement(
                s, consultation, people[n].id, f"补充意见{tag}{n}", NOW
            ).id
            for voter in people[1:]:
                deliberation.vote_statement(s, consultation, sid, voter.id, "agree", NOW)
        for n in range(threads):
            top = deliberation.write_post(
                s, consultation, people[n % 6], "for", f"论点{tag}{n:03d}", NOW, None
            )
            deliberation.write_post(
                s, consultation, people[(n + 1) % 6], "comment", f"回复{tag}{n:03d}", NOW, top.id
            )
            deliberation.report_post(s, top, people[(n + 2) % 6].id, "不实", NOW)
    refresh_maps(engine)


def test_the_page_runs_as_many_statements_for_many_rows_as_for_few(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    url = f"/consultations/{place['consultation'].id}"

    def measure() -> tuple[int, int, int, int]:
        anonymous = len(statements_of_page(client, url))
        client.sign_in("res1", PASSWORD)
        signed_in = len(statements_of_page(client, url))
        with_htmx = len(statements_of_page_htmx(client, url))
        client.cookies.clear()
        return anonymous, signed_in, with_htmx, anonymous

    grow(engine, place, 2, "甲")
    few = measure()
    grow(engine, place, 40, "乙")
    many = measure()
    assert many == few
    anonymous, signed_in, opinion_only, _ = many
    # The page's own statements: the consultation with its community, topic and
    # co-signatures, quorum counts and plan item (one: it took five), the map's header
    # (newer votes and the statement count in one), the texts the map names, the
    # participants, one page of threads; signed in: the session, standing, the next
    # statement, the follow button.
    assert anonymous <= 7, anonymous
    assert signed_in <= 10, signed_in
    # The opinion block alone: not the threads, participants, follow button or the
    # topic, quorum and plan item (it took eleven statements, the whole page fifteen).
    assert opinion_only <= 7, opinion_only
    assert opinion_only <= signed_in - 3, (opinion_only, signed_in)


def statements_of_page_htmx(client: FormClient, url: str) -> list[str]:
    with statements() as seen:
        page = client.get(url, headers=HTMX)
    assert page.status_code == 200
    assert page.text.lstrip().startswith('<section id="opinion"')
    return seen


def test_the_discussion_is_paged_and_the_pager_keeps_the_place(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    url = f"/consultations/{place['consultation'].id}"
    grow(engine, place, 45)
    first = client.get(url).text
    assert first.count('<article class="post') == 20
    assert "论点000" in first and "回复000" in first and "论点020" not in first
    second = client.get(_link(first, "next")).text
    third_link = _link(second, "next")
    assert third_link.startswith(f"{url}?after=") and third_link.endswith("#discussion")
    third = client.get(third_link).text
    assert third.count('<article class="post') == 5
    assert "论点044" in third and "回复044" in third and "论点039" not in third
    assert 'rel="next"' not in third
    assert client.get(_link(third, "prev")).text.count('<article class="post') == 20
    # A page reached by a link costs what the first does, for N threads and 3N.
    deep = len(statements_of_page(client, third_link))
    grow(engine, place, 90, "丙")
    client.get(url)  # the new opinion map read once, then kept (ShownMap)
    assert (
        len(statements_of_page(client, third_link)) == deep == len(statements_of_page(client, url))
    )
    # Old numbered links go to the start; unreadable or huge cursors give a page.
    moved = client.get(f"{url}?page=3", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == url
    for cursor in ("abc", "-1", "0", str(2**31), "9" * 30, "%00"):
        for direction in ("after", "before"):
            assert client.get(f"{url}?{direction}={cursor}").status_code == 200


def _link(html: str, rel: str) -> str:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    assert found, rel
    return markup.unescape(found.group(1))
