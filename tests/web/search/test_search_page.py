"""The search page over HTTP: results, highlighting (escaped), filters, privacy of
resident requests, and bad input (a clear message or nothing, never a 500)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.plan.delivery import DirectItem, enter_item
from participation.requests import intake
from search.indexing import drain
from tests.support.client import FormClient
from tests.support.requests import NOW, route_to_community, verify_resident
from tests.support.world import World


def index(engine: Engine) -> None:
    """What the worker's search-index job does every minute."""
    with Session(engine) as s, s.begin():
        drain(s)


@pytest.fixture
def items(engine: Engine, world: World) -> None:
    with Session(engine) as s, s.begin():
        for area, year, title in (
            (world["community"], 2027, "老旧小区加装电梯工程"),
            (world["other"], 2026, "加装电梯补贴 <script>alert(1)</script>"),
            (world["community"], 2027, "社区食堂助餐服务"),
        ):
            enter_item(s, DirectItem(area_id=area.id, year=year, title=title), actor_id=None)
    index(engine)


def hits(page: str) -> list[str]:
    return re.findall(r'<li data-kind="([a-z_]+)">', page)


def test_the_header_has_a_search_box_and_the_page_explains_itself(client: FormClient) -> None:
    page = client.get("/")
    assert 'action="/search"' in page.text
    page = client.get("/search")
    assert page.status_code == 200
    assert 'name="q"' in page.text and hits(page.text) == []


@pytest.mark.usefixtures("items")
def test_a_chinese_word_inside_a_title_is_found_and_marked(client: FormClient) -> None:
    page = client.get("/search", params={"q": "加装电梯"})
    assert page.status_code == 200
    assert hits(page.text) == ["plan_item", "plan_item"]
    assert "老旧小区<mark>加装</mark><mark>电梯</mark>工程" in page.text or (
        "老旧小区<mark>加装电梯</mark>工程" in page.text
    )
    assert re.search(r'href="/plan/items/\d+"', page.text)
    # A title is text, never markup, highlighted or not.
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


@pytest.mark.usefixtures("items")
def test_filters_by_year_kind_area_and_pages(client: FormClient, world: World) -> None:
    assert len(hits(client.get("/search", params={"q": "电梯", "year": "2026"}).text)) == 1
    assert hits(client.get("/search", params={"q": "电梯", "kind": "team"}).text) == []
    community = str(world["community"].id)
    assert len(hits(client.get("/search", params={"q": "电梯", "area": community}).text)) == 1
    street = str(world["street"].id)
    assert len(hits(client.get("/search", params={"q": "电梯", "area": street}).text)) == 2
    page = client.get("/search", params={"q": "电梯", "page": "2"})
    assert page.status_code == 200 and hits(page.text) == []


@pytest.mark.usefixtures("items")
def test_within_my_community(client: FormClient, engine: Engine, world: World) -> None:
    with Session(engine) as s, s.begin():
        verify_resident(s, world)
    client.sign_in("resident")
    page = client.get("/search", params={"q": "电梯", "mine": "1"})
    assert "一社区" in page.text
    assert len(hits(page.text)) == 1


@pytest.mark.parametrize(
    "typed",
    [
        "电梯" * 51,
        "x" * 5000,
        "!!! ，，，。。。 ---",
        '"',
        "'",
        "电梯' OR 1=1 --",
        "NEAR(电梯 加装, 2)",
        "电梯*",
        "^电梯",
        "words:电梯",
        "-电梯",
        "(电梯",
        "电梯 OR",
        "ＯＲ　（电梯）",
        "\x00\x1f",
        "%_",
    ],
)
@pytest.mark.usefixtures("items")
def test_bad_input_gets_a_message_or_nothing_never_an_error(client: FormClient, typed: str) -> None:
    page = client.get("/search", params={"q": typed})
    assert page.status_code == 200


@pytest.mark.usefixtures("items")
def test_messages_for_long_and_wordless_queries(client: FormClient) -> None:
    long = client.get("/search", params={"q": "电梯" * 51})
    assert 'aria-invalid="true"' in long.text and "100" in long.text
    assert hits(long.text) == []
    bare = client.get("/search", params={"q": "，，！！"})
    assert 'aria-invalid="true"' in bare.text and hits(bare.text) == []


@pytest.mark.usefixtures("items")
def test_unreadable_filters_are_ignored(client: FormClient) -> None:
    for params in (
        {"q": "电梯", "year": "二〇二七"},
        {"q": "电梯", "area": "99999999999999999999"},
        {"q": "电梯", "kind": "<b>"},
        {"q": "电梯", "page": "-3"},
        {"q": "电梯", "mine": "1"},  # signed out: no community
    ):
        page = client.get("/search", params=params)
        assert page.status_code == 200
        assert len(hits(page.text)) == 2


def test_a_request_shows_only_its_public_part(
    client: FormClient, engine: Engine, world: World
) -> None:
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        filed = intake.file_request(
            s,
            intake.NewRequest(
                category="environment",
                description="楼下垃圾桶满了张三家门口很臭",
                area_id=world["grid"].id,
                channel="walk_in",
                address="幸福路8号3栋",
                requester_name="李四",
                requester_phone="13912345678",
            ),
            NOW,
            filer_id=world["people"]["community_worker"].id,
            requester_id=None,
        )
        number = filed.request.number
    index(engine)
    found = client.get("/search", params={"q": number})
    assert hits(found.text) == ["request"]
    for private in ("李四", "13912345678", "幸福路", "垃圾桶", "张三"):
        assert private not in found.text
        assert hits(client.get("/search", params={"q": private}).text) == []


def test_the_first_search_loads_jieba_off_the_endpoints_thread(
    client: FormClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from search import querying
    from search.rules import words

    seen: dict[str, int] = {}
    load, run = words.tokenizer, querying.search

    def loading() -> object:
        seen.setdefault("load", threading.get_ident())
        return load()

    def searching(*args: Any, **kwargs: Any) -> Any:
        seen["search"] = threading.get_ident()
        return run(*args, **kwargs)

    monkeypatch.setattr(words, "_tokenizer", None)
    monkeypatch.setattr(words, "tokenizer", loading)
    monkeypatch.setattr("web.search.public.search", searching)
    assert client.get("/search", params={"q": "电梯"}).status_code == 200
    assert seen["load"] != seen["search"]
