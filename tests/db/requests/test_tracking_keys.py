"""Tracking secrets hold against a copy of the database: the stored value is keyed
with a key that is not in it; rows stored before keys keep working and are keyed."""

from __future__ import annotations

import hashlib

from sqlalchemy import update
from sqlalchemy.orm import Session

from participation.requests import tracking, tracking_keys
from participation.requests.models import ResidentRequest
from participation.requests.rules.tracking import (
    KEYED,
    PLAIN,
    SECRET_ALPHABET,
    plain_digest,
    secret_matches,
    tracking_key,
)
from tests.support.requests import file
from tests.support.world import World
from web.settings import Settings


def test_a_copy_of_the_database_cannot_check_a_guess(session: Session, world: World) -> None:
    request, secret = file(session, world)
    session.commit()
    stored, number = request.secret_hash, request.number
    assert request.secret_scheme == KEYED
    # What the old code stored, and any unkeyed hash of what it is made of, is not it.
    assert stored != plain_digest(number, secret)
    assert stored != hashlib.sha256(f"{number}:{secret}".encode()).hexdigest()
    # Holding the row but not the server's key, the right secret does not check out.
    assert not secret_matches(tracking_key("anything but the key"), number, secret, stored)
    assert secret_matches(tracking_key(Settings().id_hash_key), number, secret, stored)
    assert len(secret) == 10 and set(secret) <= set(SECRET_ALPHABET)


def _as_before_keys(session: Session, request: ResidentRequest, secret: str) -> None:
    session.execute(
        update(ResidentRequest)
        .where(ResidentRequest.id == request.id)
        .values(secret_hash=plain_digest(request.number, secret), secret_scheme=PLAIN)
    )
    session.commit()
    session.expire_all()


def test_a_row_from_before_keys_opens_once_and_is_keyed_then(
    session: Session, world: World
) -> None:
    request, secret = file(session, world)
    session.commit()
    _as_before_keys(session, request, secret)
    version = request.version
    assert tracking.find(session, request.number, "WRONGWRONG") is None
    assert request.secret_scheme == PLAIN  # a wrong secret changes nothing
    found = tracking.find(session, request.number, secret)
    assert found is not None and found.id == request.id
    session.commit()
    session.expire_all()
    assert request.secret_scheme == KEYED
    assert request.secret_hash != plain_digest(request.number, secret)
    assert request.version == version  # staff acting on it now are not refused
    assert tracking.find(session, request.number, secret) is not None


def test_the_sweep_keys_rows_from_before_keys_without_their_secrets(
    session: Session, world: World
) -> None:
    first, first_secret = file(session, world)
    second, second_secret = file(session, world, "路灯坏了")
    session.commit()
    _as_before_keys(session, first, first_secret)
    _as_before_keys(session, second, second_secret)
    assert tracking_keys.wrap_plain(session) == 2
    assert tracking_keys.wrap_plain(session) == 0
    session.commit()
    session.expire_all()
    assert first.secret_scheme == second.secret_scheme == KEYED
    assert tracking.find(session, first.number, first_secret) is not None
    assert tracking.find(session, second.number, second_secret) is not None
    assert tracking.find(session, second.number, first_secret) is None
