"""Merging a topic on a page of its own (web.consultations.office_merge): the topics
it may go into are a page of its community's open ones, newest first, narrowed by a
title or a number, in as many statements for 3N topics as for N; the target is
checked on the server, and each refusal is a message beside the field with nothing
changed. /admin/consultations no longer lists any topic's merge targets."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.models import Cosignature, Topic
from tests.support.client import FormClient
from tests.support.queries import RENDER_ANEW, page_selects
from tests.web.consultations.test_consultations import PASSWORD, place  # noqa: F401 (fixture)

PER_PAGE = 20  # web.consultations.office_merge.CANDIDATES_PER_PAGE
REFUSED = "请选择同一社区另一个未结的议题进行合并。"


def _topic(
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
    title: str,
    *,
    status: str = "collecting",
    elsewhere: bool = False,
    signers: int = 1,
) -> int:
    """A topic of the community (or of the other one), co-signed by its first
    ``signers`` residents; its id."""
    c = place["c"]
    with Session(engine) as s, s.begin():
        topic = Topic(
            area_id=(c.other if elsewhere else c.area).id,
            title=title,
            source="resident",
            proposer_id=c.residents[0].id,
            status=status,
            threshold=10,
        )
        s.add(topic)
        s.flush()
        for resident in c.residents[:signers]:
            s.add(Cosignature(topic_id=topic.id, account_id=resident.id))
        return topic.id


def _grow(engine: Engine, place: dict[str, Any], count: int, tag: str) -> None:  # noqa: F811
    """``count`` open topics in the community."""
    c = place["c"]
    with Session(engine) as s, s.begin():
        s.add_all(
            Topic(
                area_id=c.area.id,
                title=f"候选{tag}{n:03d}",
                source="resident",
                proposer_id=c.residents[0].id,
                status="collecting",
                threshold=10,
            )
            for n in range(count)
        )


def _candidates(html: str) -> list[str]:
    return re.findall(r'name="merge_into" value="\d+"> #\d+ ([^ <]+) ·', html)


def _state(engine: Engine, topic_id: int) -> tuple[str, int | None, int]:
    with Session(engine) as s:
        topic = s.get(Topic, topic_id)
        assert topic is not None
        signed = s.scalar(select(func.count()).where(Cosignature.topic_id == topic_id))
        return topic.status, topic.merged_into_id, int(signed or 0)


def test_the_merge_page_runs_as_many_statements_for_3n_topics_as_for_n(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    """Fails on the old code: there was no such page, and /admin/consultations
    listed every open topic of the community in each topic's <select>."""
    client.sign_in("cworker", PASSWORD)
    mine = _topic(engine, place, "我的议题")
    url = f"/admin/consultations/topics/{mine}/merge"
    _grow(engine, place, 30, "a")
    few, small = page_selects(engine, client, url)
    _grow(engine, place, 60, "b")  # 3N
    many, big = page_selects(engine, client, url)
    assert few == many
    assert len(_candidates(small)) == len(_candidates(big)) == PER_PAGE
    assert _candidates(big)[0] == "候选b059"  # the newest first
    assert "我的议题" not in _candidates(big)  # never itself
    assert abs(len(big) - len(small)) < 200  # one page either way
    # The last page, and a page past the end shows it too.
    last = client.get(f"{url}?page=5", headers=RENDER_ANEW).text
    assert _candidates(last)[-2:] == ["候选a000", "加装电梯"]  # the fixture's is oldest
    assert _candidates(client.get(f"{url}?page=999999", headers=RENDER_ANEW).text) == (
        _candidates(last)
    )
    # The list of every topic no longer carries a merge list per topic.
    index = client.get("/admin/consultations", headers=RENDER_ANEW).text
    assert 'name="merge_into"' not in index
    assert len(re.findall(r'href="/admin/consultations/topics/\d+/merge"', index)) == 50


def test_the_search_narrows_the_candidates_by_title_or_number(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    client.sign_in("cworker", PASSWORD)
    mine = _topic(engine, place, "我的议题")
    _grow(engine, place, 45, "a")
    wanted = _topic(engine, place, "电梯加装")
    _topic(engine, place, "电梯维修", elsewhere=True)  # another community's
    _topic(engine, place, "电梯噪音", status="declined")  # closed
    url = f"/admin/consultations/topics/{mine}/merge"
    # The fixture's accepted topic (加装电梯) is open too; neither the other
    # community's nor the declined one is offered.
    assert _candidates(client.get(f"{url}?q=电梯").text) == ["电梯加装", "加装电梯"]
    assert _candidates(client.get(f"{url}?q={wanted}").text)[0] == "电梯加装"
    assert _candidates(client.get(f"{url}?q=%23{wanted}").text)[0] == "电梯加装"
    # The pager keeps the search.
    found = client.get(f"{url}?q=候选a").text
    assert len(_candidates(found)) == PER_PAGE
    assert f'href="{url}?q=%E5%80%99%E9%80%89a&amp;page=2"' in found
    # LIKE's wildcards are text; nothing found is said.
    nothing = client.get(f"{url}?q=%25").text
    assert not _candidates(nothing) and "本社区没有符合条件的其他未结议题。" in nothing


def test_merging_carries_the_cosigners_over_and_tells_the_page(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    client.sign_in("cworker", PASSWORD)
    mine = _topic(engine, place, "停车难", signers=4)
    into = _topic(engine, place, "车位不足", signers=2)
    url = f"/admin/consultations/topics/{mine}/merge"
    done = client.submit(url, {"merge_into": into, "reason": "同一问题"}, page=url)
    assert done.status_code == 303 and done.headers["location"] == "/admin/consultations"
    assert _state(engine, mine) == ("merged", into, 4)
    assert _state(engine, into) == ("collecting", None, 4)  # two came over
    public = client.get(f"/consultations/topics/{mine}").text
    assert "同一问题" in public and "车位不足" in public
    # A decided topic's page says so and offers no form.
    again = client.get(url).text
    assert "该议题已有处理结果，不能再合并。" in again and 'name="merge_into"' not in again


@pytest.mark.parametrize(
    "target",
    [
        "other community",
        "declined",
        "merged",
        "itself",
        "",
        "abc",
        "0",
        "-4",
        "99999999",
        "99999999999999999999999",
    ],
)
def test_a_merge_into_a_topic_it_may_not_go_into_is_a_field_message(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
    target: str,
) -> None:
    client.sign_in("cworker", PASSWORD)
    mine = _topic(engine, place, "停车难", signers=3)
    into = {
        "other community": lambda: _topic(engine, place, "别处的", elsewhere=True),
        "declined": lambda: _topic(engine, place, "已否决", status="declined"),
        "merged": lambda: _topic(engine, place, "已合并", status="merged"),
        "itself": lambda: mine,
    }.get(target, lambda: target)()
    before = _state(engine, mine)
    url = f"/admin/consultations/topics/{mine}/merge"
    refused = client.submit(url, {"merge_into": into, "reason": "同一问题"}, page=url)
    assert refused.status_code == 422
    field = refused.text.split("<fieldset")[1].split("</fieldset>")[0]
    assert "has-error" in field and REFUSED in field
    assert "同一问题" in refused.text  # what was typed is kept
    assert _state(engine, mine) == before
    if isinstance(into, int) and into != mine:
        assert _state(engine, into)[2] == 1  # nothing carried over


def test_a_merge_without_a_reason_is_refused_beside_the_reason(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
) -> None:
    client.sign_in("cworker", PASSWORD)
    mine = _topic(engine, place, "停车难")
    into = _topic(engine, place, "车位不足")
    url = f"/admin/consultations/topics/{mine}/merge"
    refused = client.submit(url, {"merge_into": into, "reason": ""}, page=url)
    assert refused.status_code == 422 and 'id="merge-reason-error"' in refused.text
    assert _state(engine, mine) == ("collecting", None, 1)


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=999999999999",
        "q=" + "长" * 500,
        "q=%00",
        "q=99999999999999999999",
    ],
)
def test_unreadable_input_gives_a_normal_page(
    client: FormClient,
    engine: Engine,
    place: dict[str, Any],  # noqa: F811
    query: str,
) -> None:
    client.sign_in("cworker", PASSWORD)
    mine = _topic(engine, place, "停车难")
    _grow(engine, place, 3, "a")
    page = client.get(f"/admin/consultations/topics/{mine}/merge?{query}")
    assert page.status_code == 200


def test_a_topic_of_an_unknown_number_is_not_found(
    client: FormClient,
    place: dict[str, Any],  # noqa: F811
) -> None:
    client.sign_in("cworker", PASSWORD)
    assert client.get("/admin/consultations/topics/99999999/merge").status_code == 404
