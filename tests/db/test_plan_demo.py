"""The demo plans: a city and two community plans, every source, late items, one carry-over."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.db import make_engine
from participation.plan.board import Filters, item_views
from participation.plan.models import Plan, PlanItem
from participation.plan.sources import SourceKind
from web.demo import seed_demo
from web.settings import Settings


def test_demo_plans(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    seed_demo(Settings(environment="test", database_url=url, cheap_hashing=True), residents=300)
    engine = make_engine(url)
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
    engine.dispose()
