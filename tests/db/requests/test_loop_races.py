"""Two people turning one hotspot into a topic (or a plan item) at once: one wins, the
other gets the same topic, no second topic, no second notice. Played out step by step
(no timing): the loser read the hotspot before the winner wrote. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations import topics
from consultations.models import Topic
from participation.areas import Area
from participation.notices import Notice
from participation.plan.models import PlanItem
from participation.requests import loop
from tests.support.requests import NOW, file, route_to_community


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def _opener(session: Session, proposer_id: int) -> loop.OpenTopic:
    def open_topic(community: Area) -> tuple[int, str]:
        topic = topics.propose_topic(
            session,
            area=community,
            title="一网格：道路交通",
            body="",
            source=topics.Source.COMMUNITY_WORKER,
            proposer_id=proposer_id,
        )
        return topic.id, topic.title

    return open_topic


def _count(engine: Engine, what: object, *where: object) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(what).where(*where)) or 0)  # type: ignore[arg-type]


def test_two_topics_of_one_hotspot_at_once(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    grid, staff = world["grid"].id, world["people"]["staff"].id
    with Session(engine) as s, s.begin():
        route_to_community(s, world, "roads")
        for i, who in enumerate(["resident", "nobody"]):
            file(s, world, f"路灯坏了{i}", category="roads", requester=who, now=NOW - timedelta(i))
        loop.hotspot_to_plan(s, grid, "roads", NOW, actor_id=staff, title="一网格：道路交通")
    loser = Session(engine, expire_on_commit=False)
    stale = loop.action_for(loser, grid, "roads")
    assert stale is not None and stale.topic_id is None
    loser.commit()
    with Session(engine) as winner, winner.begin():
        won = loop.hotspot_to_topic(
            winner, grid, "roads", NOW, actor_id=staff, open_topic=_opener(winner, staff)
        )
        winning_topic = won.topic_id
    lost = loop.hotspot_to_topic(
        loser, grid, "roads", NOW, actor_id=staff, open_topic=_opener(loser, staff)
    )
    assert lost.topic_id == winning_topic is not None
    loser.commit()
    loser.close()
    assert _count(engine, Topic) == 1
    assert _count(engine, Notice, Notice.kind == "requests.hotspot_topic") == 2  # once each


def test_two_plan_items_of_one_hotspot_at_once(engine: Engine, world) -> None:  # type: ignore[no-untyped-def]
    grid, staff = world["grid"].id, world["people"]["staff"].id
    with Session(engine) as s, s.begin():
        route_to_community(s, world, "roads")
        file(s, world, "路灯坏了", category="roads", requester="resident")
        loop.hotspot_to_topic(s, grid, "roads", NOW, actor_id=staff, open_topic=_opener(s, staff))
    loser = Session(engine, expire_on_commit=False)
    stale = loop.action_for(loser, grid, "roads")
    assert stale is not None and stale.plan_item_id is None
    loser.commit()
    with Session(engine) as winner, winner.begin():
        loop.hotspot_to_plan(winner, grid, "roads", NOW, actor_id=staff, title="一网格：道路交通")
    lost = loop.hotspot_to_plan(loser, grid, "roads", NOW, actor_id=staff, title="一网格：道路交通")
    assert lost.plan_item_id is not None
    loser.commit()
    loser.close()
    assert _count(engine, PlanItem) == 1
    assert _count(engine, Notice, Notice.kind == "requests.hotspot_planned") == 1
