"""The public lists of /consultations, a page at a time: consultations (latest
meeting first, narrowed to an area and a stage), proposed topics and elections of
representatives (newest first, narrowed to an area). Each page is one statement
that reads no further than its own end, however many rows a city holds over the
years: none is counted whole (:func:`participation.paging.page_ahead`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from consultations.models import Consultation, Cosignature, RepresentativeTerm, Topic
from consultations.rules.journey import Stage
from participation.areas import Area
from participation.paging import Window, page_ahead


def at_stage(wanted: Stage, now: datetime) -> ColumnElement[bool]:
    """The consultations at ``wanted`` at ``now``: :func:`consultations.rules.journey.stage`
    said in SQL (later milestones win over earlier ones), so a page of one stage is
    read, not picked from all of them. Tested to agree with the rule."""
    c = Consultation
    final = c.final_at.is_not(None)
    notice = and_(not_(final), c.notice_ends_at.is_not(None))
    before = and_(not_(final), c.notice_ends_at.is_(None))
    rejected = and_(before, c.passed == false())
    # Not rejected: NULL (no result yet) or true.
    undecided = and_(before, or_(c.passed.is_(None), c.passed == true()))
    ahead = and_(now < c.meets_at, now < c.deliberation_opens_at)
    match wanted:
        case Stage.FINAL:
            return final
        case Stage.NOTICE:
            return and_(notice, now < c.notice_ends_at)
        case Stage.AWAITING_FINAL:
            return and_(notice, c.notice_ends_at <= now)
        case Stage.REJECTED:
            return rejected
        case Stage.VOTING:
            return and_(undecided, c.box_id.is_not(None))
        case Stage.ANNOUNCED:
            return and_(undecided, c.box_id.is_(None), ahead)
        case Stage.DELIBERATING:
            return and_(undecided, c.box_id.is_(None), not_(ahead))


def consultations_page(
    session: Session,
    *,
    within: Area | None,
    stage: Stage | None,
    now: datetime,
    page: int,
    per_page: int,
) -> Window[tuple[Consultation, str]]:
    """A page of the consultations in ``within`` (and below; None: everywhere) at
    ``stage`` (None: any), the latest meeting first (the index on ``meets_at``),
    each with its community's name. One statement."""
    query = select(Consultation, Area.name).join(Area, Area.id == Consultation.area_id)
    if within is not None:
        query = query.where(Area.path.startswith(within.path))
    if stage is not None:
        query = query.where(at_stage(stage, now))
    query = query.order_by(Consultation.meets_at.desc(), Consultation.id.desc())
    found = page_ahead(session, query, page=page, per_page=per_page)
    return Window([(c, str(name)) for c, name in found.items], found.number, found.has_next)


def topics_page(
    session: Session, *, within: Area | None, page: int, per_page: int
) -> Window[tuple[Topic, int, str]]:
    """A page of the proposed topics in ``within`` (None: everywhere), newest first,
    each with its co-signatures (counted for the page's topics only, on their index)
    and its community's name. One statement."""
    cosigners = select(func.count()).where(Cosignature.topic_id == Topic.id).scalar_subquery()
    query = select(Topic, cosigners, Area.name).join(Area, Area.id == Topic.area_id)
    if within is not None:
        query = query.where(Area.path.startswith(within.path))
    found = page_ahead(session, query.order_by(Topic.id.desc()), page=page, per_page=per_page)
    return Window(
        [(t, int(n), str(name)) for t, n, name in found.items], found.number, found.has_next
    )


def terms_page(
    session: Session, *, within: Area | None, page: int, per_page: int
) -> Window[tuple[RepresentativeTerm, str]]:
    """A page of the representative terms in ``within`` (None: everywhere), newest
    first, each with its community's name. One statement."""
    query = select(RepresentativeTerm, Area.name).join(Area, Area.id == RepresentativeTerm.area_id)
    if within is not None:
        query = query.where(Area.path.startswith(within.path))
    found = page_ahead(
        session, query.order_by(RepresentativeTerm.id.desc()), page=page, per_page=per_page
    )
    return Window([(t, str(name)) for t, name in found.items], found.number, found.has_next)
