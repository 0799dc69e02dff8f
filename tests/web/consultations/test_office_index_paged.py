"""/admin/consultations at a city's size: topics, consultations, terms and the
communities' own settings are each a page of 50 read in SQL (a city has hundreds
of each), each pager keeping the others' pages, in as many statements for 3N rows
as for N; a topic's merge targets are a page of their own (test_topic_merge), so the
page does not grow with the open topics of a community."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.models import CommunityRules, Topic
from participation.areas import create_area, get_area
from participation.rules.areas import AreaKind
from tests.support.client import FormClient
from tests.support.queries import page_selects, statements_of_page
from tests.web.consultations.test_consultations import PASSWORD, place  # noqa: F401 (fixture)

PER_PAGE = 50  # web.consultations.office.LIST_PER_PAGE
URL = "/admin/consultations"


def _grow(engine: Engine, place: dict[str, Any], count: int, tag: str) -> None:  # noqa: F811
    """``count`` topics in the community, and ``count`` communities with settings."""
    c = place["c"]
    with Session(engine) as s, s.begin():
        street = get_area(s, c.area.parent_id)
        for n in range(count):
            s.add(
                Topic(
                    area_id=c.area.id,
                    title=f"议题{tag}{n:03d}",
                    source="resident",
                    proposer_id=c.residents[0].id,
                    status="declined",
                    threshold=10,
                )
            )
            other = create_area(
                s,
                code=f"R{tag}{n}",
                name=f"社区{tag}{n:03d}",
                kind=AreaKind.COMMUNITY,
                parent=street,
            )
            s.add(CommunityRules(area_id=other.id, cosign_threshold=5))


def _topics(html: str) -> int:
    return len(re.findall(r'<a href="/consultations/topics/\d+">', html))


def _rules(html: str) -> int:
    return len(re.findall(r'<td data-label="法定人数">', html))


def test_the_consultations_office_runs_as_many_statements_for_3n_rows_as_for_n(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    """Fails on the old code: every topic and every community's settings were shown."""
    client.sign_in("cworker", PASSWORD)
    _grow(engine, place, 20, "a")
    few, small = page_selects(engine, client, URL)
    _grow(engine, place, 40, "b")
    many, big = page_selects(engine, client, URL)
    assert few == many
    assert _topics(small) < PER_PAGE and _rules(small) == 20
    assert _topics(big) == PER_PAGE and _rules(big) == PER_PAGE
    assert "议题b039" in big and "议题a000" not in big  # the newest topics first
    later = client.get(f"{URL}?topics=2&rules=2").text
    assert "议题a000" in later and "议题b039" not in later
    assert _rules(later) == 10 and "社区b039" in later
    assert f'href="{URL}?rules=2&amp;topics=1"' in later
    assert f'href="{URL}?topics=2&amp;rules=1"' in later
    # The accepted topic of the fixture can still be announced, its form intact.
    assert 'action="/admin/consultations/topics/' in client.get(f"{URL}?topics=9").text


def test_each_list_is_read_with_its_count_in_one_statement(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    """Fails on the old code: each of the four lists counted its rows in a statement
    of its own before reading its page (13 statements, now 9: the session's, the
    four lists and the area step's two; the merge targets, read here until they had a
    page of their own, no longer)."""
    client.sign_in("cworker", PASSWORD)
    _grow(engine, place, 60, "a")
    for query in ("", "?topics=2&rules=2"):
        seen = statements_of_page(client, URL + query)
        counts = [sql for sql in seen if sql.lstrip().upper().startswith("SELECT COUNT")]
        assert not any("consultation" in sql or "representative" in sql for sql in counts)
        assert len(seen) <= 8
    # A page past the end shows the last one (one more statement for that list).
    later = client.get(f"{URL}?topics=999999").text
    assert "议题a000" in later and "议题a059" not in later


def _open_topics(engine: Engine, place: dict[str, Any], count: int, tag: str) -> None:  # noqa: F811
    c = place["c"]
    with Session(engine) as s, s.begin():
        s.add_all(
            Topic(
                area_id=c.area.id,
                title=f"开放{tag}{n:03d}",
                source="resident",
                proposer_id=c.residents[0].id,
                status="collecting",
                threshold=10,
            )
            for n in range(count)
        )


def test_the_page_does_not_grow_with_the_open_topics_of_a_community(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    """Fails on the old code: each topic shown carried a <select> of every open topic
    of its community (3,000 topics: megabytes), read in a statement of its own."""
    client.sign_in("cworker", PASSWORD)
    _open_topics(engine, place, 60, "a")
    few, small = page_selects(engine, client, URL)
    _open_topics(engine, place, 120, "b")  # 3N
    many, big = page_selects(engine, client, URL)
    assert few == many
    assert _topics(small) == _topics(big) == PER_PAGE
    assert abs(len(big.encode()) - len(small.encode())) < 1_000
    assert "<option" not in big.split('id="triage-title"')[1].split("</section>")[0]
