"""The loop: a hotspot (one grid × category with recurring requests) or a merged
recurring matter (a request with merged duplicates) becomes a governance plan item or
a consultation topic (社区协商 议题) in one step, linked both ways, and every requester
of the matter is told.

A ``HotspotAction`` row is the record both sides point to: the plan item names it as
its source (source kind ``resident_requests``), the topic's page finds it by the
topic's id, and the hotspot page shows the item and the topic. One row per grid ×
category: a second click returns the same item or topic. A merged matter feeds the
row of its own place and category (a ``MatterLink`` says which request with merged
duplicates did), so that a place's recurring matter yields one item and one topic.

The civic core does not know consultations (they build on it): the web layer hands
``hotspot_to_topic`` the function that proposes the topic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation import audit, notices
from participation.areas import Area, ancestors, get_area
from participation.db import Base, utcnow
from participation.errors import N_, DomainError
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.models import PlanItem
from participation.plan.sources import SourceKind
from participation.requests.models import ResidentRequest
from participation.requests.rules.calendar import local_day
from participation.requests.rules.catalog import CATEGORIES
from participation.rules.areas import AreaKind, is_within

#: Requests filed this many days back make up the matter whose requesters are told.
WINDOW_DAYS = 90


class HotspotAction(Base):
    """A hotspot that staff turned into a plan item, a consultation topic, or both."""

    __tablename__ = "request_hotspot_actions"
    __table_args__ = (UniqueConstraint("area_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    category: Mapped[str] = mapped_column(String(20))
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A consultation topic (consultation_topics.id). No foreign key: the civic core's
    # tables do not name the consultations' (which build on it, not it on them).
    topic_id: Mapped[int | None] = mapped_column(unique=True)


class MatterLink(Base):
    """A merged recurring matter (the request others were merged into) that staff
    put on the plan or made a topic of, through its place's ``HotspotAction``."""

    __tablename__ = "request_matter_links"

    request_id: Mapped[int] = mapped_column(ForeignKey("resident_requests.id"), primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("request_hotspot_actions.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def action_for(session: Session, area_id: int, category: str) -> HotspotAction | None:
    return session.scalar(
        select(HotspotAction).where(
            HotspotAction.area_id == area_id, HotspotAction.category == category
        )
    )


def actions(session: Session) -> dict[tuple[int, str], HotspotAction]:
    return {(a.area_id, a.category): a for a in session.scalars(select(HotspotAction))}


def get_action(session: Session, action_id: int) -> HotspotAction:
    found = session.get(HotspotAction, action_id)
    if found is None:
        raise DomainError("requests.hotspot_not_found", N_("No such hotspot."), status=404)
    return found


def _place(session: Session, area_id: int, category: str, scope: Sequence[str] | None) -> Area:
    """The hotspot's place, once its category is known and the person routes
    requests there (``scope``: their area paths, None: everywhere)."""
    if category not in CATEGORIES:
        raise DomainError(
            "requests.category", N_("Choose one."), fields={"category": N_("Choose one.")}
        )
    area = session.get(Area, area_id)
    if area is None:
        raise DomainError("requests.hotspot_not_found", N_("No such hotspot."), status=404)
    if scope is not None and not any(is_within(area.path, p) for p in scope):
        raise DomainError(
            "requests.hotspot_scope", N_("This place is outside your areas."), status=403
        )
    return area


def _action(
    session: Session, area_id: int, category: str, now: datetime, actor_id: int | None
) -> HotspotAction:
    """The place's record, made now if it has none (of two made at once, the unique
    key keeps one and the other reads it)."""
    found = action_for(session, area_id, category)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            made = HotspotAction(
                area_id=area_id, category=category, created_by=actor_id, created_at=now
            )
            session.add(made)
        return made
    except IntegrityError:
        again = action_for(session, area_id, category)
        if again is None:
            raise
        return again


def _claim(session: Session, action: HotspotAction, field: str, value: int) -> bool:
    """Set the action's plan item or topic unless someone set it since it was read:
    True when this call did. Of two people acting at once, one wins."""
    column = getattr(HotspotAction, field)
    done = session.execute(
        update(HotspotAction)
        .where(HotspotAction.id == action.id, column.is_(None))
        .values({field: value})
        .execution_options(synchronize_session=False)
    )
    session.refresh(action)
    return bool(getattr(done, "rowcount", 0) == 1)


def root_of(session: Session, request: ResidentRequest) -> ResidentRequest:
    """The request a merged one was merged into (merges follow on: one level)."""
    if request.merged_into_id is None:
        return request
    root = session.get(ResidentRequest, request.merged_into_id)
    return root if root is not None else request


def merged_count(session: Session, request: ResidentRequest) -> int:
    """How many requests were merged into this one."""
    return int(
        session.scalar(select(func.count()).where(ResidentRequest.merged_into_id == request.id))
        or 0
    )


def _recurring(session: Session, request: ResidentRequest, scope: Sequence[str] | None) -> None:
    """Refuse unless ``request`` is a merged recurring matter within ``scope``."""
    if request.merged_into_id is not None or merged_count(session, request) == 0:
        raise DomainError(
            "requests.not_recurring",
            N_("Only a request that others were merged into is a recurring matter."),
        )
    _place(session, request.area_id, request.category, scope)


def _link(
    session: Session,
    action: HotspotAction,
    matter: ResidentRequest | None,
    now: datetime,
    actor_id: int | None,
) -> None:
    """Record that ``matter`` fed the action (once)."""
    if matter is None or session.get(MatterLink, matter.id) is not None:
        return
    session.add(
        MatterLink(request_id=matter.id, action_id=action.id, created_by=actor_id, created_at=now)
    )
    session.flush()


def _matter_filter(action: HotspotAction, since: datetime) -> ColumnElement[bool]:
    """Which requests make up the matter: those filed in the action's place and
    category since ``since``, and every merged matter linked to it with the
    requests merged into them."""
    roots = select(MatterLink.request_id).where(MatterLink.action_id == action.id)
    return or_(
        (ResidentRequest.area_id == action.area_id)
        & (ResidentRequest.category == action.category)
        & (ResidentRequest.filed_at >= since),
        ResidentRequest.id.in_(roots),
        ResidentRequest.merged_into_id.in_(roots),
    )


def requesters(session: Session, action: HotspotAction, now: datetime) -> list[int]:
    """The accounts that raised the matter (anonymous requests have none)."""
    since = now - timedelta(days=WINDOW_DAYS)
    found = session.scalars(
        select(ResidentRequest.requester_id)
        .where(_matter_filter(action, since), ResidentRequest.requester_id.isnot(None))
        .distinct()
    ).all()
    return sorted(a for a in found if a is not None)


def matter_requesters(session: Session, matter: ResidentRequest) -> list[int]:
    """The accounts that raised a merged matter: its requester and those of the
    requests merged into it."""
    found = session.scalars(
        select(ResidentRequest.requester_id)
        .where(
            or_(ResidentRequest.id == matter.id, ResidentRequest.merged_into_id == matter.id),
            ResidentRequest.requester_id.isnot(None),
        )
        .distinct()
    ).all()
    return sorted(a for a in found if a is not None)


def _tell(
    session: Session,
    accounts: Sequence[int],
    now: datetime,
    kind: str,
    message: str,
    link: str,
    params: dict[str, object] | None = None,
) -> None:
    """A notice to each account, once: who was told of this item or topic already
    is not told again."""
    told = set(
        session.scalars(
            select(notices.Notice.account_id).where(
                notices.Notice.kind == kind, notices.Notice.link == link
            )
        )
    )
    for account_id in accounts:
        if account_id not in told:
            notices.notify(session, account_id, kind, message, link=link, params=params, now=now)


PLANNED = N_("A matter you raised is now on the governance plan: %(title)s")
TOPIC = N_("A matter you raised is now a topic of community consultation: %(title)s")
#: To the people of a merged matter that joins a topic made earlier (its title is the
#: consultations' to word).
JOINED_TOPIC = N_("A matter you raised is now a topic of community consultation.")


def hotspot_to_plan(
    session: Session,
    area_id: int,
    category: str,
    now: datetime,
    *,
    actor_id: int | None,
    title: str,
    description: str = "",
    scope: Sequence[str] | None = None,
    matter: ResidentRequest | None = None,
) -> HotspotAction:
    """Put the hotspot on the plan of its place for this year and tell each requester
    of the matter (requests filed there in that category in the last ``WINDOW_DAYS``,
    and ``matter``, a request with merged duplicates, with those merged into it).
    ``title`` and ``description`` are the item's, in the portal's language (the web
    layer words them); ``scope``: the area paths the person routes requests for (None:
    everywhere)."""
    _place(session, area_id, category, scope)
    action = _action(session, area_id, category, now, actor_id)
    _link(session, action, matter, now, actor_id)
    if action.plan_item_id is not None:
        item = session.get(PlanItem, action.plan_item_id)
        if matter is not None and item is not None:  # its people, told once
            link = f"/plan/items/{item.id}"
            people = matter_requesters(session, matter)
            _tell(
                session,
                people,
                now,
                "requests.hotspot_planned",
                PLANNED,
                link,
                {"title": item.title},
            )
        return action
    item = receive_item(
        session,
        ItemFromSource(
            area_id=area_id,
            year=local_day(now).year,
            title=title,
            description=description,
            source_kind=SourceKind.RESIDENT_REQUESTS,
            source_ref=f"hotspot:{area_id}:{category}",
            source_id=action.id,
        ),
        actor_id=actor_id,
    )
    if not _claim(session, action, "plan_item_id", item.id):
        return action  # someone else put it on the plan meanwhile: their item stands
    _tell(
        session,
        requesters(session, action, now),
        now,
        "requests.hotspot_planned",
        PLANNED,
        f"/plan/items/{item.id}",
        {"title": item.title},
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="requests.hotspot_planned",
        target=f"plan_item:{item.id}",
        source=f"hotspot:{area_id}:{category}",
        matter=matter.id if matter is not None else None,
    )
    return action


def community_of(session: Session, area: Area) -> Area | None:
    """The community a place belongs to (itself when it is one); None above them."""
    for node in reversed(ancestors(session, area)):
        if node.kind == AreaKind.COMMUNITY.value:
            return node
    return None


#: Proposes the topic in the community given, and returns it as (id, title).
OpenTopic = Callable[[Area], tuple[int, str]]


def hotspot_to_topic(
    session: Session,
    area_id: int,
    category: str,
    now: datetime,
    *,
    actor_id: int | None,
    open_topic: OpenTopic,
    scope: Sequence[str] | None = None,
    matter: ResidentRequest | None = None,
) -> HotspotAction:
    """Propose the hotspot as a consultation topic of the community its place belongs
    to (``open_topic`` does, as the person acting) and tell each requester of the
    matter; the topic's page finds the hotspot by the topic's id."""
    area = _place(session, area_id, category, scope)
    community = community_of(session, area)
    if community is None:
        raise DomainError(
            "requests.no_community",
            N_("Topics are proposed to a community: this place is not within one."),
        )
    action = _action(session, area_id, category, now, actor_id)
    _link(session, action, matter, now, actor_id)
    if action.topic_id is not None:
        if matter is not None:  # its people, told once
            link = f"/consultations/topics/{action.topic_id}"
            people = matter_requesters(session, matter)
            _tell(session, people, now, "requests.hotspot_topic", JOINED_TOPIC, link)
        return action
    proposing = session.begin_nested()
    topic_id, topic_title = open_topic(community)
    if not _claim(session, action, "topic_id", topic_id):
        proposing.rollback()  # someone else made the topic meanwhile: theirs stands
        session.refresh(action)
        return action
    proposing.commit()
    _tell(
        session,
        requesters(session, action, now),
        now,
        "requests.hotspot_topic",
        TOPIC,
        f"/consultations/topics/{topic_id}",
        {"title": topic_title},
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="requests.hotspot_topic",
        target=f"topic:{topic_id}",
        source=f"hotspot:{area_id}:{category}",
        matter=matter.id if matter is not None else None,
    )
    return action


def matter_to_plan(
    session: Session,
    request: ResidentRequest,
    now: datetime,
    *,
    actor_id: int | None,
    title: str,
    description: str = "",
    scope: Sequence[str] | None = None,
) -> HotspotAction:
    """Put a merged recurring matter on the plan: through its place's hotspot."""
    _recurring(session, request, scope)
    return hotspot_to_plan(
        session,
        request.area_id,
        request.category,
        now,
        actor_id=actor_id,
        title=title,
        description=description,
        scope=scope,
        matter=request,
    )


def matter_to_topic(
    session: Session,
    request: ResidentRequest,
    now: datetime,
    *,
    actor_id: int | None,
    open_topic: OpenTopic,
    scope: Sequence[str] | None = None,
) -> HotspotAction:
    """Make a merged recurring matter a consultation topic: through its place's hotspot."""
    _recurring(session, request, scope)
    return hotspot_to_topic(
        session,
        request.area_id,
        request.category,
        now,
        actor_id=actor_id,
        open_topic=open_topic,
        scope=scope,
        matter=request,
    )


def fed_by(session: Session, request: ResidentRequest) -> HotspotAction | None:
    """The action this request's matter fed: its merged matter's, else its place's
    when it was filed at most ``WINDOW_DAYS`` before that action (or after)."""
    root = root_of(session, request)
    link = session.get(MatterLink, root.id)
    if link is not None:
        return session.get(HotspotAction, link.action_id)
    for r in (request, root) if root is not request else (request,):
        found = action_for(session, r.area_id, r.category)
        if found is not None and r.filed_at >= found.created_at - timedelta(days=WINDOW_DAYS):
            return found
    return None


def action_of_topic(session: Session, topic_id: int) -> HotspotAction | None:
    return session.scalar(select(HotspotAction).where(HotspotAction.topic_id == topic_id))


@dataclass(frozen=True)
class Matter:
    """What a hotspot's pages show of it: counts only, no personal data."""

    action: HotspotAction
    place: Area
    count: int  # requests of the matter, merged ones too
    people: int  # distinct signed-in requesters among them
    merged_matters: int  # requests with merged duplicates that fed it
    item: PlanItem | None
    topic_id: int | None


def matter(session: Session, action: HotspotAction) -> Matter:
    """The hotspot's matter as it stood when staff first acted on it: requests filed
    there in the ``WINDOW_DAYS`` before, and the merged matters that fed it."""
    since = action.created_at - timedelta(days=WINDOW_DAYS)
    where = _matter_filter(action, since)
    count = session.scalar(select(func.count()).select_from(ResidentRequest).where(where))
    people = session.scalar(
        select(func.count(func.distinct(ResidentRequest.requester_id))).where(where)
    )
    merged = session.scalar(
        select(func.count()).select_from(MatterLink).where(MatterLink.action_id == action.id)
    )
    return Matter(
        action=action,
        place=get_area(session, action.area_id),
        count=int(count or 0),
        people=int(people or 0),
        merged_matters=int(merged or 0),
        item=session.get(PlanItem, action.plan_item_id) if action.plan_item_id else None,
        topic_id=action.topic_id,
    )


# The figures' indexes (see participation.requests.board): declared here, in this
# area's own module, so that the shared model file stays as the first round left it.
Index(
    "ix_resident_requests_board",
    ResidentRequest.category,
    ResidentRequest.channel,
    ResidentRequest.status,
    ResidentRequest.closure,
    ResidentRequest.filed_at,
)
Index(
    "ix_resident_requests_place_window",
    ResidentRequest.area_id,
    ResidentRequest.category,
    ResidentRequest.filed_at,
    ResidentRequest.closure,
)


def shown(session: Session, action: HotspotAction) -> dict[str, object]:
    """What the hotspot's public page shows: its place, category, plan item, topic and
    how many requests (merged ones too) and people make up the matter."""
    m = matter(session, action)
    return {
        "action": action,
        "place": m.place,
        "item": m.item,
        "topic_id": m.topic_id,
        "count": m.count,
        "people": m.people,
        "merged_matters": m.merged_matters,
    }
