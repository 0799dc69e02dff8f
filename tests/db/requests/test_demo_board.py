"""The demo has one hotspot that became a governance plan item."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.db import make_engine
from participation.plan.models import PlanItem
from participation.requests.loop import HotspotAction
from tests.support.demo_db import demo_template, demo_url  # noqa: F401  (fixtures)


def test_the_demo_has_a_hotspot_on_the_plan(demo_url: str) -> None:  # noqa: F811
    engine = make_engine(demo_url)
    with Session(engine) as s:
        action = s.scalars(select(HotspotAction)).one()
        item = s.get(PlanItem, action.plan_item_id)
        assert item is not None and item.source_kind == "resident_requests"
        assert item.source_id == action.id
    engine.dispose()


def test_the_demo_hotspot_is_also_a_topic_of_its_community(demo_url: str) -> None:  # noqa: F811
    from consultations.models import Topic
    from participation.areas import Area

    engine = make_engine(demo_url)
    with Session(engine) as s:
        action = s.scalars(select(HotspotAction)).one()
        topic = s.get(Topic, action.topic_id)
        grid = s.get(Area, action.area_id)
        assert topic is not None and grid is not None
        assert topic.area_id == grid.parent_id and topic.source == "community_worker"
    engine.dispose()
