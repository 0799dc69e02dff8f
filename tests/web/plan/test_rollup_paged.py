"""The year-end roll-up form a page at a time (issue 17): a city plan's thousands of
items were one form (1.2 MB). Each page shows 50 items and runs as many statements
for 3N items as for N; saving a page keeps its choices and every other page's; the
roll-up records what it recorded before, from the saved choices; bad input is
refused in Chinese with nothing written."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.plan import delivery
from participation.plan.delivery import DirectItem
from participation.plan.models import PlanItem
from participation.plan.records import YearEndDraft, YearEndOutcome
from participation.plan.yearend_drafts import PER_PAGE
from tests.support.client import FormClient
from tests.support.queries import statements_of_page
from tests.support.world import World

NOW = datetime(2027, 12, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def plan_id(app: Starlette, engine: Engine, world: World) -> int:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        first = delivery.enter_item(
            s,
            DirectItem(area_id=world["community"].id, year=2027, title="首个事项"),
            actor_id=None,
        )
        return first.plan_id


def _grow(engine: Engine, plan_id: int, n: int, tag: str) -> list[int]:
    """``n`` open items of the plan, due within the year: each would carry over."""
    with Session(engine) as s, s.begin():
        return list(
            s.scalars(
                insert(PlanItem).returning(PlanItem.id),
                [
                    {
                        "plan_id": plan_id,
                        "title": f"事项{tag}{k}",
                        "source_kind": "direct",
                        "source_ref": f"{tag}-{k}",
                        "owner_department": "住建局",
                        "due_on": date(2027, 6, 1),
                        "status": "planned",
                    }
                    for k in range(n)
                ],
            )
        )


def _rows(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-item="(\d+)"', html)]


def _count(engine: Engine, model: type[YearEndDraft] | type[YearEndOutcome]) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_page_runs_as_many_statements_for_3n_items_as_for_n(
    client: FormClient, engine: Engine, plan_id: int
) -> None:
    """Fails on the old code: the form listed every item of the plan."""
    client.sign_in("admin")
    url = f"/admin/plan/rollup?plan={plan_id}"
    _grow(engine, plan_id, 60, "a")
    few = statements_of_page(client, url)
    _grow(engine, plan_id, 120, "b")  # 3N
    many = statements_of_page(client, url)
    assert len(many) == len(few)
    page = client.get(url).text
    assert len(_rows(page)) == PER_PAGE
    assert "181 项，尚待判定 181 项" in page
    last = client.get(f"{url}&show=all&page=4").text
    assert len(_rows(last)) == 181 - 3 * PER_PAGE and "事项b119" in last


def test_saving_a_page_keeps_the_other_pages_and_the_roll_up_uses_them(
    client: FormClient, engine: Engine, plan_id: int
) -> None:
    client.sign_in("admin")
    ids = _grow(engine, plan_id, 60, "a")
    url = f"/admin/plan/rollup?plan={plan_id}&show=all"
    first, second = _rows(client.get(f"{url}&page=1").text), _rows(client.get(f"{url}&page=2").text)
    assert len(first) == PER_PAGE and len(second) == 11 and ids[-1] in second
    saved = client.submit(
        f"{url}&page=1",
        {"items": ",".join(map(str, first)), f"drop_{ids[0]}": "资金未落实", "action": "save"},
        page=f"{url}&page=1",
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("&page=1")
    client.submit(
        f"{url}&page=2",
        {"items": ",".join(map(str, second)), f"drop_{ids[-1]}": "并入其他项目"},
        page=f"{url}&page=2",
    )
    with Session(engine) as s:
        reasons = {i: r for i, r in s.execute(select(YearEndDraft.item_id, YearEndDraft.reason))}
    assert reasons[ids[0]] == "资金未落实" and reasons[ids[-1]] == "并入其他项目"
    assert len(reasons) == 61
    # Saving page 1 again with the reason cleared changes that item only.
    client.submit(f"{url}&page=1", {"items": ",".join(map(str, first))}, page=f"{url}&page=1")
    with Session(engine) as s:
        assert s.scalar(select(YearEndDraft.reason).where(YearEndDraft.item_id == ids[0])) == ""
        assert (
            s.scalar(select(YearEndDraft.reason).where(YearEndDraft.item_id == ids[-1]))
            == "并入其他项目"
        )
    todo = client.get(f"/admin/plan/rollup?plan={plan_id}").text
    assert "61 项，尚待判定 0 项" in todo and not _rows(todo)
    assert 'value="并入其他项目"' in client.get(f"{url}&page=2").text
    done = client.submit(
        f"/admin/plan/rollup?plan={plan_id}",
        {"items": "", "action": "rollup"},
        page=f"/admin/plan/rollup?plan={plan_id}",
    )
    assert done.status_code == 303
    with Session(engine) as s:
        outcomes = {
            i: (o, r)
            for i, o, r in s.execute(
                select(YearEndOutcome.item_id, YearEndOutcome.outcome, YearEndOutcome.reason)
            )
        }
    assert len(outcomes) == 61 and outcomes[ids[-1]] == ("dropped", "并入其他项目")
    assert outcomes[ids[0]] == ("delayed", "")  # its reason was cleared: carried over
    assert _count(engine, YearEndDraft) == 0  # the outcomes hold them now
    after = client.get(f"/admin/plan/rollup?plan={plan_id}").text
    assert 'id="rolled-up"' in after and 'name="drop_' not in after


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
    client: FormClient, engine: Engine, plan_id: int, world: World
) -> None:
    client.sign_in("admin")
    ids = _grow(engine, plan_id, 3, "a")
    with Session(engine) as s, s.begin():
        elsewhere = delivery.enter_item(
            s, DirectItem(area_id=world["street"].id, year=2027, title="街道事项"), actor_id=None
        ).id
    url = f"/admin/plan/rollup?plan={plan_id}&show=all&page=1"
    page_ids = ",".join(map(str, _rows(client.get(url).text)))
    too_long = client.submit(
        url,
        {"items": page_ids, f"drop_{ids[0]}": "理" * 501, f"drop_{ids[1]}": "已由街道承接"},
        page=url,
    )
    assert too_long.status_code == 422
    assert "请更正标出的内容" in too_long.text and "内容过长" in too_long.text
    assert 'value="已由街道承接"' in too_long.text  # what was typed is kept
    assert f'aria-describedby="drop-{ids[0]}-error"' in too_long.text
    foreign = client.submit(
        url, {"items": f"{page_ids},{elsewhere}", f"drop_{ids[1]}": "理由"}, page=url
    )
    assert foreign.status_code == 422 and "不属于本计划" in foreign.text
    for items in ("abc", "1,,x", "99999999999999999999999"):
        unreadable = client.submit(url, {"items": items, "action": "rollup"}, page=url)
        assert unreadable.status_code == 422 and "不属于本计划" in unreadable.text
    assert _count(engine, YearEndDraft) == 0 and _count(engine, YearEndOutcome) == 0


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=0", "page=-3", "page=99999999999999999999", "page=９", "show=xyz&page=2"],
)
def test_a_bad_page_or_filter_gives_a_page(
    client: FormClient, engine: Engine, plan_id: int, query: str
) -> None:
    client.sign_in("admin")
    _grow(engine, plan_id, 60, "a")
    page = client.get(f"/admin/plan/rollup?plan={plan_id}&{query}")
    assert page.status_code == 200 and _rows(page.text)


def test_a_rolled_up_plan_refuses_a_saved_page(
    client: FormClient, engine: Engine, plan_id: int
) -> None:
    client.sign_in("admin")
    ids = _grow(engine, plan_id, 2, "a")
    url = f"/admin/plan/rollup?plan={plan_id}"
    assert client.submit(url, {"action": "rollup"}, page=url).status_code == 303
    again = client.submit(url, {"items": str(ids[0]), f"drop_{ids[0]}": "迟到的理由"}, page=url)
    assert again.status_code == 422 and "该计划已完成年终盘点" in again.text
    assert _count(engine, YearEndDraft) == 0
