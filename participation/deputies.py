"""People's congresses (level, term, session) and their deputy rolls."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.rolls import Congress, DeputyEntry
from participation.rules.areas import AreaKind

CONGRESS_LEVELS = (AreaKind.CITY, AreaKind.DISTRICT, AreaKind.STREET)


def create_congress(
    session: Session,
    area: Area,
    term: int,
    session_number: int,
    name: str,
    *,
    actor_id: int | None,
    ip: str = "",
) -> Congress:
    """A congress sits at a city, district or street (town) level; one per term and
    session. Audited."""
    if area.area_kind not in CONGRESS_LEVELS:
        raise DomainError(
            "congress.level", N_("A congress sits at city, district or street level.")
        )
    if term < 1 or session_number < 1:
        raise DomainError("congress.numbers", N_("Term and session are numbers from 1."))
    if (
        session.scalar(
            select(Congress.id).where(
                Congress.area_id == area.id,
                Congress.term == term,
                Congress.session_number == session_number,
            )
        )
        is not None
    ):
        raise DomainError("congress.exists", N_("This congress session already exists."))
    congress = Congress(
        area_id=area.id,
        term=term,
        session_number=session_number,
        name=name.strip() or f"{area.name}第{term}届人大第{session_number}次会议",
    )
    session.add(congress)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="congress.create",
        target=f"congress:{congress.id}",
        ip=ip,
        name=congress.name,
    )
    return congress


def get_congress(session: Session, congress_id: int) -> Congress:
    congress = session.get(Congress, congress_id)
    if congress is None:
        raise DomainError("congress.not_found", N_("No such congress."), status=404)
    return congress


def deputies_of(session: Session, congress: Congress) -> Sequence[DeputyEntry]:
    return session.scalars(
        select(DeputyEntry)
        .where(DeputyEntry.congress_id == congress.id)
        .order_by(DeputyEntry.constituency, DeputyEntry.id)
    ).all()


def congresses_with_areas(
    session: Session, *, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[Congress, Area]], int, int]:
    """Page ``page`` (from 1; past the end: the last) of the congresses with the
    areas they sit at, oldest first, ``per_page`` a page; with how many there are
    and the page's number (two statements, whatever the number of congresses)."""
    total = int(session.scalar(select(func.count()).select_from(Congress)) or 0)
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = session.execute(
        select(Congress, Area)
        .join(Area, Area.id == Congress.area_id)
        .order_by(Congress.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [(congress, area) for congress, area in rows], total, page


def all_congresses(session: Session) -> Sequence[Congress]:
    return session.scalars(select(Congress).order_by(Congress.id)).all()


def get_deputy(session: Session, deputy_id: int) -> DeputyEntry | None:
    return session.get(DeputyEntry, deputy_id)
