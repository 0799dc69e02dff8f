"""Resident requests for tests: a routing rule, a verified requester, a fixed clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.requests import intake, routing, tracking_keys
from participation.requests.models import ResidentRequest
from participation.requests.rules.tracking import secret_hash
from participation.rolls import Congress, DeputyEntry, RollEntry

#: A Wednesday morning in Beijing (02:00 UTC).
NOW = datetime(2026, 5, 13, 2, 0, tzinfo=UTC)


def route_to_community(
    session: Session, world: Mapping[str, Any], category: str = "environment"
) -> None:
    """Requests of ``category`` in the world's district go to the place's community."""
    routing.add_rule(
        session,
        routing.NewRule(category, world["district"].id, "any", "community", None),
        None,
    )


def verify_resident(session: Session, world: Mapping[str, Any], role: str = "resident") -> None:
    session.add(
        RollEntry(
            community_id=world["community"].id,
            name="王小明",
            id_hash=f"{role:0>64}"[:64],
            birth_date=date(1980, 1, 1),
            household_code="H-" + role,
            account_id=world["people"][role].id,
        )
    )


def file(
    session: Session,
    world: Mapping[str, Any],
    text: str = "小区门口垃圾堆积三天没人清理",
    *,
    requester: str | None = "resident",
    category: str = "environment",
    now: datetime = NOW,
) -> tuple[ResidentRequest, str]:
    """A request filed online in the world's grid; returns it and its secret."""
    requester_id = world["people"][requester].id if requester else None
    filed = intake.file_request(
        session,
        intake.NewRequest(category=category, description=text, area_id=world["grid"].id),
        now,
        filer_id=requester_id,
        requester_id=requester_id,
    )
    key = tracking_keys.key()
    assert filed.request.secret_hash == secret_hash(key, filed.request.number, filed.secret)
    return filed.request, filed.secret


def deputy_on_roll(engine: Engine, world: Mapping[str, Any], constituency: str) -> None:
    """The world's ``deputy`` is a deputy of the street's congress for ``constituency``."""
    with Session(engine) as s, s.begin():
        congress = Congress(area_id=world["street"].id, term=1, session_number=1, name="一街道人大")
        s.add(congress)
        s.flush()
        s.add(
            DeputyEntry(
                congress_id=congress.id,
                name="陈代表",
                id_hash="d" * 64,
                constituency=constituency,
                account_id=world["people"]["deputy"].id,
            )
        )
