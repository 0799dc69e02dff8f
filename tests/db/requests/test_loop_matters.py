"""A merged recurring matter joins its place's hotspot: when the hotspot already has a
plan item and a topic, the matter's people (older than the hotspot's window) are told
of both, once, and their requests show both."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations import topics
from participation.areas import Area
from participation.notices import Notice
from participation.requests import loop, merging
from tests.support.requests import NOW, file, route_to_community
from tests.support.world import World


def _opener(session: Session, proposer_id: int) -> loop.OpenTopic:
    def open_topic(community: Area) -> tuple[int, str]:
        topic = topics.propose_topic(
            session,
            area=community,
            title="一网格：环境卫生",
            body="",
            source=topics.Source.COMMUNITY_WORKER,
            proposer_id=proposer_id,
        )
        return topic.id, topic.title

    return open_topic


def _told(session: Session, kind: str) -> list[int]:
    return sorted(session.scalars(select(Notice.account_id).where(Notice.kind == kind)))


def test_an_old_merged_matter_joins_the_hotspot_and_its_people_are_told_once(
    engine: Engine, world: World
) -> None:
    people, grid, staff = world["people"], world["grid"].id, world["people"]["staff"].id
    with Session(engine) as s, s.begin():
        route_to_community(s, world)
        old = NOW - timedelta(days=200)
        first, _ = file(s, world, "东门垃圾堆积", now=old)
        second, _ = file(s, world, "东门垃圾又堆积了", requester="volunteer", now=old)
        merging.merge(s, second, first, old, staff)
        file(s, world, "西门垃圾桶满了", requester="nobody")  # recent: the hotspot's window
        loop.hotspot_to_plan(s, grid, "environment", NOW, actor_id=staff, title="一网格：环境卫生")
        loop.hotspot_to_topic(
            s, grid, "environment", NOW, actor_id=staff, open_topic=_opener(s, staff)
        )
        assert _told(s, "requests.hotspot_planned") == [people["nobody"].id]
        first_id, second_id = first.id, second.id
    for _ in range(2):  # the second time changes nothing
        with Session(engine) as s, s.begin():
            matter = s.get(type(first), first_id)
            assert matter is not None
            a = loop.matter_to_plan(s, matter, NOW, actor_id=staff, title="x")
            b = loop.matter_to_topic(s, matter, NOW, actor_id=staff, open_topic=_opener(s, staff))
            assert a.id == b.id
    with Session(engine) as s:
        everyone = sorted(people[p].id for p in ("resident", "volunteer", "nobody"))
        assert _told(s, "requests.hotspot_planned") == everyone
        assert _told(s, "requests.hotspot_topic") == everyone
        merged = s.get(type(first), second_id)
        assert merged is not None
        fed = loop.fed_by(s, merged)
        assert fed is not None and fed.plan_item_id and fed.topic_id
        assert loop.matter(s, fed).count == 3 and loop.matter(s, fed).merged_matters == 1
