"""The key of tracking secrets, for this process, and moving rows stored before keys.

The key is derived from ``GONGZHI_ID_HASH_KEY`` (``rules.tracking.tracking_key``),
which lives in the server's settings and never in the database; the web layer, the
command line and the worker hand it over once per process with :func:`use_key`, as
they do the sealing key. Without it nothing is filed or followed (refused loudly,
never stored unkeyed).
"""

from __future__ import annotations

import threading

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from participation.requests.models import ResidentRequest
from participation.requests.rules.tracking import KEYED, PLAIN, tracking_key, wrap

_state: dict[str, bytes | None] = {"key": None}
_lock = threading.Lock()


class NoTrackingKey(RuntimeError):
    """No key was handed over: a programming error of the entry point."""


def use_key(material: str) -> None:
    """Hash tracking secrets under the key derived from ``material`` from now on."""
    derived = tracking_key(material)
    with _lock:
        _state["key"] = derived


def key() -> bytes:
    found = _state["key"]
    if found is None:
        raise NoTrackingKey("no tracking key: call participation.requests.tracking_keys.use_key")
    return found


def rekey(session: Session, request: ResidentRequest, stored: str) -> None:
    """Store ``stored`` (a ``KEYED`` hash) for a ``PLAIN`` row, without moving its
    version: staff acting on the request at this moment are not refused for it."""
    session.execute(
        update(ResidentRequest)
        .where(ResidentRequest.id == request.id, ResidentRequest.secret_scheme == PLAIN)
        .values(secret_hash=stored, secret_scheme=KEYED)
        .execution_options(synchronize_session=False)
    )
    session.expire(request, ["secret_hash", "secret_scheme"])


def wrap_plain(session: Session, limit: int = 5000) -> int:
    """Wrap up to ``limit`` rows stored before keys with the key (no secret needed:
    the keyed hash is taken over the stored digest); returns how many."""
    current = key()
    rows = session.execute(
        select(ResidentRequest.id, ResidentRequest.secret_hash)
        .where(ResidentRequest.secret_scheme == PLAIN)
        .order_by(ResidentRequest.id)
        .limit(limit)
    ).all()
    done = 0
    for row in rows:
        moved = session.execute(
            update(ResidentRequest)
            .where(ResidentRequest.id == row.id, ResidentRequest.secret_scheme == PLAIN)
            .values(secret_hash=wrap(current, row.secret_hash), secret_scheme=KEYED)
            .execution_options(synchronize_session=False)
        )
        done += moved.rowcount  # type: ignore[attr-defined]
    return done
