"""Demo: the street-lights hotspot (demo.requests_board) also became a topic of
community consultation, proposed by the community worker; its requesters were told."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from consultations import topics
from participation.accounts import find_by_login
from participation.areas import Area
from participation.requests import loop


def seed_loop(session: Session, grid: Area, now: datetime) -> None:
    worker = find_by_login(session, "worker")
    if worker is None:  # the city's people were not seeded
        return

    def open_topic(community: Area) -> tuple[int, str]:
        topic = topics.propose_topic(
            session,
            area=community,
            title=f"{grid.name}：东门路灯怎么修、谁来管",
            body="网格内一个月里四次反映东门路灯不亮：请居民一起商量维修和日常管护的办法。",
            source=topics.Source.COMMUNITY_WORKER,
            proposer_id=worker.id,
        )
        return topic.id, topic.title

    loop.hotspot_to_topic(
        session,
        grid.id,
        "roads",
        now - timedelta(hours=20),
        actor_id=worker.id,
        open_topic=open_topic,
    )
