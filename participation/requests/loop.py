"""The loop: a hotspot (one grid × category with recurring requests) becomes a
governance plan item in one step, linked both ways, and every requester is told.

A ``HotspotAction`` row is the record both sides point to: the plan item names it as
its source (source kind ``resident_requests``), and the hotspot page shows the item.
Idempotent per grid × category: a second click returns the same item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation import audit, notices
from participation.areas import Area, get_area
from participation.db import Base, utcnow
from participation.errors import N_, DomainError
from participation.plan.intake import ItemFromSource, receive_item
from participation.plan.models import PlanItem
from participation.plan.sources import SourceKind
from participation.requests.models import ResidentRequest
from participation.requests.rules.calendar import local_day
from participation.requests.rules.catalog import CATEGORIES
from participation.rules.areas import is_within

#: Requests filed this many days back make up the matter whose requesters are told.
WINDOW_DAYS = 90


class HotspotAction(Base):
    """A hotspot that staff turned into a plan item."""

    __tablename__ = "request_hotspot_actions"
    __table_args__ = (UniqueConstraint("area_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    category: Mapped[str] = mapped_column(String(20))
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"))
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
) -> HotspotAction:
    """Put the hotspot on the plan of its place for this year and tell each requester
    of the matter (requests filed there in that category in the last ``WINDOW_DAYS``).
    ``title`` and ``description`` are the item's, in the portal's language (the web
    layer words them); ``scope``: the area paths the person routes requests for (None:
    everywhere)."""
    if category not in CATEGORIES:
        raise DomainError(
            "requests.category", N_("Choose one."), fields={"category": N_("Choose one.")}
        )
    area: Area = get_area(session, area_id)
    if scope is not None and not any(is_within(area.path, p) for p in scope):
        raise DomainError(
            "requests.hotspot_scope", N_("This place is outside your areas."), status=403
        )
    existing = action_for(session, area_id, category)
    if existing is not None:
        return existing
    action = HotspotAction(area_id=area_id, category=category, created_by=actor_id, created_at=now)
    session.add(action)
    session.flush()
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
    action.plan_item_id = item.id
    since = now - timedelta(days=WINDOW_DAYS)
    requesters = session.scalars(
        select(ResidentRequest.requester_id)
        .where(
            ResidentRequest.area_id == area_id,
            ResidentRequest.category == category,
            ResidentRequest.filed_at >= since,
            ResidentRequest.requester_id.isnot(None),
        )
        .distinct()
    ).all()
    for account_id in requesters:
        if account_id is None:  # filtered out by the query; says so to the type checker
            continue
        notices.notify(
            session,
            account_id,
            "requests.hotspot_planned",
            N_("A matter you raised is now on the governance plan: %(title)s"),
            link=f"/plan/items/{item.id}",
            params={"title": item.title},
            now=now,
        )
    audit.record(
        session,
        actor_id=actor_id,
        action="requests.hotspot_planned",
        target=f"plan_item:{item.id}",
        source=f"hotspot:{area_id}:{category}",
    )
    return action


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
    """What the hotspot's public page shows: its place, category, plan item and how many
    requests (merged ones too) were filed there in the window before it was planned."""
    since = action.created_at - timedelta(days=WINDOW_DAYS)
    count = session.scalar(
        select(func.count()).where(
            ResidentRequest.area_id == action.area_id,
            ResidentRequest.category == action.category,
            ResidentRequest.filed_at >= since,
        )
    )
    return {
        "action": action,
        "place": get_area(session, action.area_id),
        "item": session.get(PlanItem, action.plan_item_id) if action.plan_item_id else None,
        "count": int(count or 0),
    }
