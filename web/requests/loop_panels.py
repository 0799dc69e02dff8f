"""What the loop adds to other pages: the plan item and topic a request's matter fed
(on the requester's and the office's request pages), where a topic came from (on the
topic's page), and the way to the deputies' liaison station."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from consultations.models import Topic
from participation.plan.models import PlanItem
from participation.requests import loop, supervision, tracking
from participation.requests.models import ResidentRequest
from web.kit.auth import CurrentUser, current_user_or_none
from web.kit.dbsession import db


@dataclass(frozen=True)
class Fed:
    """The hotspot a request's matter fed, with its plan item and topic (if any)."""

    action: loop.HotspotAction
    item: PlanItem | None
    topic: Topic | None


def fed(session: Session, found: ResidentRequest) -> Fed | None:
    action = loop.fed_by(session, found)
    if action is None:
        return None
    return Fed(
        action=action,
        item=session.get(PlanItem, action.plan_item_id) if action.plan_item_id else None,
        topic=session.get(Topic, action.topic_id) if action.topic_id else None,
    )


def follow_panel(request: Request, found: ResidentRequest) -> dict[str, Any]:
    """For the requester's page (followed by number or signed in)."""
    return {"fed": fed(db(request), found)}


def office_panel(
    request: Request, found: ResidentRequest, followed: tracking.Followed
) -> dict[str, Any]:
    """For the office's page: what the matter fed, and whether it is a merged
    recurring matter staff may put on the plan or make a topic of (``followed``
    counted the requests merged into it)."""
    merged = followed.raised_by - 1 if found.merged_into_id is None else 0
    return {"fed": fed(db(request), found), "merged_count": merged}


def topic_origin(session: Session, topic_id: int) -> loop.Matter | None:
    """Where a consultation topic came from, when a hotspot of requests made it."""
    action = loop.action_of_topic(session, topic_id)
    return loop.matter(session, action) if action is not None else None


def is_deputy(session: Session, me: CurrentUser | None) -> bool:
    """Whether ``me`` sits on a deputy roll (and so has a liaison station page)."""
    return me is not None and bool(supervision.constituencies(session, me.id))


def deputy_context(request: Request) -> dict[str, Any]:
    return {"deputy_station": is_deputy(db(request), current_user_or_none(request))}
