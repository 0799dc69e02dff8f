"""The consultations of the open data (/api/v1/consultations and its CSV), filtered
by area and stage in SQL and read by id after a given one (keyset): a page of the
API is one statement whatever the number of consultations, and the CSV reads them
a batch at a time as it is sent, never all at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations.listing import at_stage
from consultations.models import Consultation
from consultations.rules.journey import Stage
from participation.areas import Area

#: Consultations a batch of the whole list (:func:`every_consultation`).
BATCH = 500


def consultations_after(
    session: Session,
    *,
    within_id: int | None,
    stage: Stage | None,
    now: datetime,
    after: int = 0,
    limit: int = 100,
) -> list[tuple[Consultation, Area]]:
    """At most ``limit`` consultations with their community, by id, after the one of
    id ``after`` (0: from the first); only those in the area of id ``within_id`` and
    below it (an unknown area holds none), at ``stage`` at ``now`` (None: any). One
    statement (the stage is :func:`consultations.listing.at_stage`, the rule said in
    SQL, so a page is full whatever stage is asked)."""
    query = select(Consultation, Area).join(Area, Area.id == Consultation.area_id)
    if within_id:
        within = select(Area.path).where(Area.id == within_id).scalar_subquery()
        query = query.where(Area.path.startswith(within))
    if stage is not None:
        query = query.where(at_stage(stage, now))
    query = query.where(Consultation.id > after).order_by(Consultation.id).limit(limit)
    return [(consultation, area) for consultation, area in session.execute(query)]


def every_consultation(
    session: Session,
    *,
    within_id: int | None,
    stage: Stage | None,
    now: datetime,
    batch: int = BATCH,
) -> Iterator[list[tuple[Consultation, Area]]]:
    """All of :func:`consultations_after` (same filters and order), ``batch`` at a
    time: one statement a batch, and only one batch held."""
    after = 0
    while True:
        rows = consultations_after(
            session, within_id=within_id, stage=stage, now=now, after=after, limit=batch
        )
        if rows:
            yield rows
        if len(rows) < batch:
            return
        after = rows[-1][0].id
        session.expunge_all()  # the batch sent is not kept in the session's identity map
