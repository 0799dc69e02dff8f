"""The demo plans: a city and two community plans, every source, late items, one carry-over."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.db import make_engine
from participation.plan.board import Filters, item_views
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Judgement
from participation.plan.sources import SourceKind
from tests.support.client import FormClient
from tests.support.demo_db import demo_settings
from web.app import create_app
from web.plan.sources import item_source_url, judgement_source_url
from web.settings import Settings


def test_demo_plans(demo_url: str) -> None:
    settings = demo_settings(demo_url)
    engine = make_engine(demo_url)
    today = date.today()
    with Session(engine) as s:
        areas_with_plans = set(
            s.scalars(
                select(Area.name).join(Plan, Plan.area_id == Area.id).where(Plan.year == today.year)
            )
        )
        # The plan demo's own three; the other processes add their areas' plans.
        assert {"海澄市", "望江社区", "春晖社区"} <= areas_with_plans
        kinds = set(s.scalars(select(PlanItem.source_kind)))
        assert kinds == {k.value for k in SourceKind}
        views = item_views(s, today, Filters(year=today.year))
        statuses = {v.status for v in views}
        assert {"delayed", "done", "in_progress"} <= statuses
        carried = s.scalars(
            select(PlanItem).where(PlanItem.source_kind == SourceKind.CARRIED_OVER.value)
        ).one()
        assert carried.title == "3号楼加装电梯"
        parent = next(v for v in views if v.item.title.startswith("老旧小区改造提升"))
        assert parent.progress == 50  # (2 x 60 + 1 x 30) / 3
        items = s.scalars(select(PlanItem).order_by(PlanItem.id)).all()
        judgements = s.scalars(select(Judgement)).all()
    engine.dispose()
    _walk_sources_and_back(settings, items, judgements)


def _walk_sources_and_back(
    settings: Settings, items: Sequence[PlanItem], judgements: Sequence[Judgement]
) -> None:
    """On the demo (seeded once per run, see tests/support/demo_db.py): every item's page links
    to its source, the source page answers and links back to the item, and every kind
    of source but staff entry does so at least once; a judgement's link to its vote or
    report answers."""
    app = create_app(settings)
    linked: set[str] = set()
    with FormClient(app, base_url="http://testserver") as client:
        for item in items:
            page = client.get(f"/plan/items/{item.id}")
            assert page.status_code == 200, item.id
            source_url = item_source_url(item)
            if not source_url:
                continue
            assert f'href="{source_url}" id="source-link"' in page.text, item.id
            source = client.get(source_url)
            assert source.status_code == 200, source_url
            # The decision's page names the item (a carried item: last year's page).
            assert f'href="/plan/items/{item.id}"' in source.text, (item.id, source_url)
            linked.add(item.source_kind)
        for judged in judgements:
            judged_at = judgement_source_url(judged)
            if judged_at:  # the plan demo's own, of last year, name no page
                assert client.get(judged_at).status_code == 200, judged_at
    app.state.engine.dispose()
    assert linked == {k.value for k in SourceKind} - {SourceKind.DIRECT.value}
    # The year-end vote of the demo cycle judged its adopted projects (one dissatisfied).
    voted = [j for j in judgements if judgement_source_url(j).startswith("/livelihood/")]
    assert len(voted) >= 10 and sum(j.needs_rectification for j in voted) == 1
