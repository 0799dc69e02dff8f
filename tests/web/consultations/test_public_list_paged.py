"""/consultations at a city's size (thousands of topics over the years): the
consultations, the topics and the elections are each a page read in SQL, in as many
statements for 3N rows as for N; each pager keeps the filters and the other lists'
pages; a bad or far ``?page=`` gives a normal page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from consultations.models import Consultation, RepresentativeTerm, Topic
from tests.support.client import FormClient
from tests.support.consultations import NOW, community
from tests.support.queries import RENDER_ANEW, statements_of_page

URL = "/consultations"
CONSULTATIONS, TOPICS, TERMS = 20, 20, 10  # web.consultations.public's *_PER_PAGE


@pytest.fixture
def place(engine: Engine, app: Starlette) -> dict[str, Any]:
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)
    return {"area": c.area, "other": c.other, "proposer": c.residents[0].id}


def _grow(engine: Engine, place: dict[str, Any], count: int, tag: str, *, start: int = 0) -> None:
    """``count`` topics, consultations (final ones, the latest meeting numbered
    highest) and terms in the community, numbered from ``start``."""
    with Session(engine) as s, s.begin():
        for n in range(start, start + count):
            topic = Topic(
                area_id=place["area"].id,
                title=f"议题{tag}{n:03d}",
                source="resident",
                proposer_id=place["proposer"],
                status="accepted",
                threshold=10,
            )
            s.add(topic)
            s.flush()
            at = NOW - timedelta(days=1000 - n)
            s.add(
                Consultation(
                    topic_id=topic.id,
                    area_id=place["area"].id,
                    title=f"协商{tag}{n:03d}",
                    agenda="议程",
                    meets_at=at,
                    announced_at=at - timedelta(days=7),
                    deliberation_opens_at=at - timedelta(days=5),
                    deliberation_closes_at=at,
                    passed=True,
                    final_at=at + timedelta(days=20),
                )
            )
            s.add(
                RepresentativeTerm(
                    area_id=place["area"].id,
                    title=f"届{tag}{n:03d}",
                    seats=7,
                    starts_on=at.date(),
                    ends_on=(at + timedelta(days=1000)).date(),
                )
            )


def _shown(html: str, kind: str) -> list[str]:
    return re.findall(rf'<a href="/consultations/{kind}/?\d+">(?:<strong>)?([^<]+)<', html)


def _consultations(html: str) -> list[str]:
    return re.findall(r'<a href="/consultations/\d+"><strong>([^<]+)</strong>', html)


def _topics(html: str) -> list[str]:
    return _shown(html, "topics")


def _terms(html: str) -> list[str]:
    return _shown(html, "terms")


def test_the_page_runs_as_many_statements_for_3n_rows_as_for_n(
    client: FormClient, engine: Engine, place: dict[str, Any]
) -> None:
    """Fails on the old code: every consultation, topic and term was read (and the
    co-signatures of every topic counted) for a page that showed 50 topics and 20 terms."""
    _grow(engine, place, 30, "a")
    few = statements_of_page(client, URL)
    _grow(engine, place, 60, "b")  # 3N
    many = statements_of_page(client, URL)
    assert len(few) == len(many)
    page = client.get(URL, headers=RENDER_ANEW).text
    assert len(_consultations(page)) == CONSULTATIONS
    assert len(_topics(page)) == TOPICS and len(_terms(page)) == TERMS
    # The latest meeting first, the newest topic and term first.
    assert _consultations(page)[0] == "协商b059" and _topics(page)[0] == "议题b059"
    assert _terms(page)[0] == "届b059"
    # No statement reads a list without a LIMIT (one more row than shown, for "next").
    for sql in many:
        if "FROM consultation_topics" in sql or "FROM representative_terms" in sql:
            assert "LIMIT" in sql


def test_the_pages_follow_each_other_and_keep_the_filters(
    client: FormClient, engine: Engine, place: dict[str, Any]
) -> None:
    _grow(engine, place, 45, "a")
    area = place["area"].id
    first = client.get(f"{URL}?area={area}&stage=final", headers=RENDER_ANEW).text
    assert 'rel="prev"' not in first.split('id="consultation_list"')[1].split("</section>")[0]
    following = f"/consultations?area={area}&amp;stage=final&amp;page=2#list-title"
    assert f'href="{following}"' in first
    # Each list's pager keeps the filters and leaves the other lists' pages alone.
    assert f'href="/consultations?area={area}&amp;stage=final&amp;topics=2#topics-title"' in first
    second = client.get(f"{URL}?area={area}&stage=final&page=2", headers=RENDER_ANEW).text
    third = client.get(f"{URL}?area={area}&stage=final&page=3", headers=RENDER_ANEW).text
    pages = [_consultations(p) for p in (first, second, third)]
    assert [len(p) for p in pages] == [20, 20, 5]
    seen = [title for p in pages for title in p]
    assert seen == [f"协商a{n:03d}" for n in range(44, -1, -1)]  # each once, in order
    assert 'rel="next"' not in third.split('id="consultation_list"')[1].split("</section>")[0]
    # The topics' page 2 keeps the consultations' page.
    both = client.get(f"{URL}?page=2&topics=2", headers=RENDER_ANEW).text
    assert _consultations(both) == pages[1] and _topics(both)[0] == "议题a024"
    assert 'href="/consultations?page=2&amp;topics=3#topics-title"' in both
    # Filters narrow every list: the other community has none of them.
    elsewhere = client.get(f"{URL}?area={place['other'].id}", headers=RENDER_ANEW).text
    assert not _consultations(elsewhere) and not _topics(elsewhere) and not _terms(elsewhere)
    # A stage the consultations are not at lists none of them.
    assert not _consultations(client.get(f"{URL}?stage=voting", headers=RENDER_ANEW).text)


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-3",
        "page=1e3",
        "page=",
        "topics=x&terms=%00",
        "page=999999999999",
    ],
)
def test_an_unreadable_page_number_shows_the_first_page(
    client: FormClient, engine: Engine, place: dict[str, Any], query: str
) -> None:
    """Beyond web.kit.pagination.MAX_PAGE a number is unreadable too (as everywhere)."""
    _grow(engine, place, 25, "a")
    page = client.get(f"{URL}?{query}", headers=RENDER_ANEW)
    assert page.status_code == 200
    assert _consultations(page.text)[0] == "协商a024" and _topics(page.text)[0] == "议题a024"


@pytest.mark.parametrize("number", ["3", "1000000"])
def test_a_page_past_the_end_shows_the_last_page(
    client: FormClient, engine: Engine, place: dict[str, Any], number: str
) -> None:
    _grow(engine, place, 25, "a")
    page = client.get(f"{URL}?page={number}&topics={number}", headers=RENDER_ANEW)
    assert page.status_code == 200
    assert _consultations(page.text) == [f"协商a{n:03d}" for n in range(4, -1, -1)]
    assert _topics(page.text) == [f"议题a{n:03d}" for n in range(4, -1, -1)]
    assert 'href="/consultations?topics=' in page.text  # and the way back


def test_an_unknown_stage_lists_every_stage_and_the_fragment_reads_the_list_alone(
    client: FormClient, engine: Engine, place: dict[str, Any]
) -> None:
    _grow(engine, place, 3, "a")
    assert _consultations(client.get(f"{URL}?stage=nonsense", headers=RENDER_ANEW).text)
    fragment = client.get(
        f"{URL}?page=1", headers={"HX-Request": "true", "HX-Target": "consultation_list"}
    )
    assert fragment.text.lstrip().startswith('<section id="consultation_list"')
    assert len(_consultations(fragment.text)) == 3 and not _topics(fragment.text)
