"""Intake (统一受理): one window with several doors. A resident files online; a grid
worker files on patrol or on a resident's behalf (代办); a desk worker records a
walk-in or a 12345 hotline call with its channel. Every request gets a tracking
number and a secret, and is routed at once when the routing table knows where."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from participation import audit
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.requests import files, routing, tracking_keys
from participation.requests.deadlines import local_day
from participation.requests.models import RequestStep, ResidentRequest
from participation.requests.rules.catalog import (
    CATEGORIES,
    CHANNELS,
    DESK_CHANNELS,
    GRID_CHANNELS,
    SCALES,
    URGENCIES,
)
from participation.requests.rules.tracking import KEYED, new_number, new_secret, secret_hash
from participation.rolls import RollEntry
from participation.rules.areas import AreaKind, is_within

_rng = random.SystemRandom()
MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class NewRequest:
    category: str
    description: str
    area_id: int | None
    channel: str = "online"
    address: str = ""
    public: bool = False
    scale: str = "individual"
    urgency: str = "normal"
    requester_name: str = ""
    requester_phone: str = ""


@dataclass(frozen=True)
class Filed:
    request: ResidentRequest
    secret: str  # shown once, to the requester; only its hash is kept


def _check(session: Session, new: NewRequest, scope: Sequence[str] | None) -> Area | None:
    problems: dict[str, str] = {}
    if new.category not in CATEGORIES:
        problems["category"] = N_("Choose the kind of matter.")
    if not new.description.strip():
        problems["description"] = N_("Describe the matter.")
    elif len(new.description) > MAX_DESCRIPTION:
        problems["description"] = N_("This text is too long.")
    if len(new.address) > 200:
        problems["address"] = N_("This text is too long.")
    if len(new.requester_name) > 60:
        problems["requester_name"] = N_("This text is too long.")
    if len(new.requester_phone) > 20:
        problems["requester_phone"] = N_("This text is too long.")
    if new.channel not in CHANNELS:
        problems["channel"] = N_("Choose one.")
    if new.scale not in SCALES:
        problems["scale"] = N_("Choose one.")
    if new.urgency not in URGENCIES:
        problems["urgency"] = N_("Choose one.")
    area = session.get(Area, new.area_id) if new.area_id else None
    if area is None or area.kind not in (AreaKind.GRID.value, AreaKind.COMMUNITY.value):
        problems["area_id"] = N_("Choose the grid or community where it is.")
        area = None
    elif scope is not None and not any(is_within(area.path, p) for p in scope):
        problems["area_id"] = N_("You can only file requests in the areas you cover.")
    if problems:
        raise DomainError("request.form", N_("Please correct the marked fields."), fields=problems)
    return area


def _unique_number(session: Session, now: datetime) -> str:
    for _ in range(20):
        number = new_number(local_day(now), _rng)
        if (
            session.scalar(select(ResidentRequest.id).where(ResidentRequest.number == number))
            is None
        ):
            return number
    raise DomainError("request.busy", N_("Please try again."), status=503)


@dataclass(frozen=True)
class Prepared:
    """A filing checked and routed by reads alone (``prepare_filing``), ready to be
    written (``record_filing``)."""

    new: NewRequest
    area_id: int
    filer_id: int | None
    requester_id: int | None
    name: str
    verified: bool
    images: list[tuple[str, bytes]]
    route: routing.Route | None


def prepare_filing(
    session: Session,
    new: NewRequest,
    *,
    filer_id: int | None,
    requester_id: int | None,
    images: Sequence[bytes] = (),
    scope: Sequence[str] | None = None,
) -> Prepared:
    """Check a filing and find its route, reading only (refused: DomainError).

    The web layer runs this outside SQLite's write lock and then ``record_filing`` in
    a short write (web.kit.dbsession.write_briefly). Nothing read here can go wrong
    by the time of the write: areas are never removed, and a routing rule changed in
    between routes the filing as if it had come a moment earlier."""
    tracking_keys.key()  # no key configured: refused before anything
    area = _check(session, new, scope)
    checked = files.checked_images(images)
    assert area is not None
    name, verified = new.requester_name.strip(), False
    if requester_id is not None:
        roll_name = session.scalar(
            select(RollEntry.name).where(RollEntry.account_id == requester_id)
        )
        if roll_name:
            name, verified = roll_name, True
    return Prepared(
        new=new,
        area_id=area.id,
        filer_id=filer_id,
        requester_id=requester_id,
        name=name,
        verified=verified,
        images=checked,
        route=routing.route_for(session, new.category, new.scale, area),
    )


def record_filing(session: Session, prepared: Prepared, now: datetime) -> Filed:
    """Write a prepared filing: the request (routed when its route is known, in one
    INSERT), its steps and photos, and the audit row of an assisted filing."""
    key = tracking_keys.key()
    new, filer_id = prepared.new, prepared.filer_id
    unit_id = routing.unit_of_route(session, prepared.route)  # makes a missing area office
    secret = new_secret(_rng)
    number = _unique_number(session, now)
    row: dict[str, object] = {
        "number": number,
        "secret_hash": secret_hash(key, number, secret),
        "secret_scheme": KEYED,
        "category": new.category,
        "scale": new.scale,
        "urgency": new.urgency,
        "channel": new.channel,
        "description": new.description.strip(),
        "area_id": prepared.area_id,
        "address": new.address.strip(),
        "public": new.public,
        "requester_id": prepared.requester_id,
        "requester_name": prepared.name,
        "requester_phone": new.requester_phone.strip(),
        "verified": prepared.verified,
        "filed_by_id": filer_id,
        "filed_at": now,
        "status": "unrouted",
    }
    if unit_id is not None:
        row |= routing.placed_with(new.category, new.urgency, unit_id, now)
    # One INSERT … RETURNING: the request comes back whole, in the session (the steps
    # and photos refer to its id), without the unit of work's bookkeeping.
    request = session.scalars(insert(ResidentRequest).returning(ResidentRequest), [row]).one()
    assisted = new.channel in (*GRID_CHANNELS, *DESK_CHANNELS)
    step = {"request_id": request.id, "at": now, "minutes": 0}
    steps = [
        step
        | {"kind": "filed", "actor_id": filer_id, "unit_id": None}
        | {"note": "assisted" if assisted else ""}
    ]
    if unit_id is not None:
        steps.append(step | {"kind": "routed", "actor_id": None, "unit_id": unit_id, "note": ""})
    # One executemany (Core: no ids read back), in this order: the timeline reads by id.
    session.connection().execute(insert(cast(Table, RequestStep.__table__)), steps)
    files.store(session, request.id, prepared.images)
    if assisted:
        audit.record(
            session,
            actor_id=filer_id,
            action="request.filed_for",
            target=f"request:{request.id}",
            channel=new.channel,
        )
    session.flush()
    return Filed(request, secret)


def file_request(
    session: Session,
    new: NewRequest,
    now: datetime,
    *,
    filer_id: int | None,
    requester_id: int | None,
    images: Sequence[bytes] = (),
    scope: Sequence[str] | None = None,
) -> Filed:
    """Record a request and route it.

    ``filer_id`` is who typed it in (the resident online, the grid or desk worker);
    ``requester_id`` the resident's account when there is one; ``scope`` the area
    paths a worker covers (None: anywhere, as for a resident online). A verified
    resident's request carries their roll name, which is never shown publicly.
    Nothing is stored when anything is refused.
    """
    prepared = prepare_filing(
        session, new, filer_id=filer_id, requester_id=requester_id, images=images, scope=scope
    )
    return record_filing(session, prepared, now)
