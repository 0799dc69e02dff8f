"""Ended sessions are kept exactly as long as their cookies could still be presented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.accounts import EndedSession, end_session, session_ended

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
LIFETIME = timedelta(days=14)


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(EndedSession)) or 0)


def test_ending_is_idempotent_and_expired_ids_are_purged(session: Session) -> None:
    end_session(session, "a", NOW, LIFETIME)
    end_session(session, "a", NOW, LIFETIME)  # signing out twice (two tabs)
    session.flush()
    assert session_ended(session, "a") and not session_ended(session, "b")
    assert count(session) == 1
    # Once a's cookie has expired anyway, the next sign-out forgets it.
    end_session(session, "b", NOW + LIFETIME + timedelta(seconds=1), LIFETIME)
    session.flush()
    assert not session_ended(session, "a") and session_ended(session, "b")
    assert count(session) == 1
