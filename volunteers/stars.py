"""Star-level schemes per area: set them (audited, history kept), find the one
that applies to an area or a volunteer.

Which scheme applies to a volunteer: the scheme of their *home area*, which is
the community they are on the resident roll of (a verified person); for a
person not on the roll, the area of the team in which they have served the
most minutes (ties: the older team); with neither, the defaults. From that
area, the nearest area up the tree with a scheme applies (a community's own, else
its street's, district's, city's), else the defaults. The profile page and
anything else that shows a volunteer's stars use :func:`scheme_for_volunteer`.

Schemes are never edited: a change is a new row with who and when; per area the
newest row already in force (``effective_at <= now``) applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from participation import audit
from participation.accounts import Account
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.rolls import RollEntry
from participation.rules.reach import lineage
from participation.scopes import under_any
from volunteers.models import HoursEntry, StarSchemeRecord, Team
from volunteers.rules.stars import DEFAULT_SCHEME, StarScheme, nearest_scheme, read_scheme


def _scheme(record: StarSchemeRecord) -> StarScheme:
    return StarScheme(tuple(int(h) for h in record.hours.split()), record.notice_days)


def set_scheme(
    session: Session,
    area: Area,
    hours_text: str,
    notice_text: str,
    actor_id: int,
    now: datetime,
    ip: str = "",
) -> StarSchemeRecord:
    """Set the area's scheme from form text, in force from ``now``. Bad input
    raises DomainError (422, a reason per field) and stores nothing."""
    scheme, problems = read_scheme(hours_text, notice_text)
    if scheme is None:
        raise DomainError("stars.invalid", N_("Please correct the marked fields."), fields=problems)
    record = StarSchemeRecord(
        area_id=area.id,
        hours=scheme.text(),
        notice_days=scheme.notice_days,
        effective_at=now,
        created_by=actor_id,
        created_at=now,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="volunteer.star_scheme",
        target=f"area:{area.id}",
        ip=ip,
        hours=list(scheme.hours),
        notice_days=scheme.notice_days,
    )
    return record


def schemes_in_force(session: Session, now: datetime) -> dict[int, StarScheme]:
    """The scheme in force per area id (areas without one are absent)."""
    rows = session.scalars(
        select(StarSchemeRecord)
        .where(StarSchemeRecord.effective_at <= now)
        .order_by(StarSchemeRecord.area_id, StarSchemeRecord.effective_at, StarSchemeRecord.id)
    ).all()
    return {r.area_id: _scheme(r) for r in rows}  # the newest per area wins


@dataclass(frozen=True)
class AppliedScheme:
    scheme: StarScheme
    area: Area | None  # the area that set it; None: the defaults


def _path_ids(area: Area) -> list[int]:
    return [int(p) for p in area.path.strip("/").split("/") if p]


def scheme_for_area(session: Session, area: Area | None, now: datetime) -> AppliedScheme:
    """The scheme of the nearest area up the tree from ``area`` that has one."""
    if area is None:
        return AppliedScheme(DEFAULT_SCHEME, None)
    scheme, source_id = nearest_scheme(_path_ids(area), schemes_in_force(session, now))
    return AppliedScheme(scheme, session.get(Area, source_id) if source_id else None)


def home_area(session: Session, account_id: int) -> Area | None:
    """The volunteer's home area (see the module's docstring)."""
    community_id = session.scalar(
        select(RollEntry.community_id).where(RollEntry.account_id == account_id)
    )
    if community_id is None:
        community_id = session.scalar(
            select(Team.area_id)
            .join(HoursEntry, HoursEntry.team_id == Team.id)
            .where(HoursEntry.account_id == account_id)
            .group_by(Team.id, Team.area_id)
            .order_by(func.sum(HoursEntry.minutes).desc(), Team.id)
            .limit(1)
        )
    return session.get(Area, community_id) if community_id is not None else None


def scheme_for_volunteer(session: Session, account_id: int, now: datetime) -> AppliedScheme:
    return scheme_for_area(session, home_area(session, account_id), now)


def history(
    session: Session, limit: int = 30, within: Sequence[str] | None = None
) -> list[tuple[StarSchemeRecord, Area, Account | None]]:
    """Schemes as they were set, newest first, with the area and who set it.
    ``within``: only the schemes that apply there (an officer's reach,
    ``participation.rules.reach``; None: every area): those of the areas at or
    below these paths and of the areas above them."""
    query = (
        select(StarSchemeRecord, Area, Account)
        .join(Area, Area.id == StarSchemeRecord.area_id)
        .outerjoin(Account, Account.id == StarSchemeRecord.created_by)
    )
    if within is not None:
        above = sorted({p for path in within for p in lineage(path)})
        query = query.where(or_(Area.path.in_(above), under_any(Area.path, within)))
    rows = session.execute(query.order_by(StarSchemeRecord.id.desc()).limit(limit)).all()
    return [(r, a, who) for r, a, who in rows]


def areas_with_schemes(session: Session, now: datetime) -> list[tuple[Area, StarScheme]]:
    """The areas that set a scheme in force, in tree order, for the public page."""
    schemes = schemes_in_force(session, now)
    if not schemes:
        return []
    areas = session.scalars(select(Area).where(Area.id.in_(schemes))).all()
    return [(a, schemes[a.id]) for a in sorted(areas, key=_path_ids)]
