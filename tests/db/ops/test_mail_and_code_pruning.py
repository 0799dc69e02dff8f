"""The pruning job forgets spent password-reset codes and sent mail once their
retention windows pass (``recovery.KEEP_SPENT_FOR``, ``outbox.KEEP_SENT_FOR``), each
in one statement, and never a live code nor a message not sent (SQLite and
PostgreSQL). Rows sit a minute either side of each boundary."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from participation import outbox, recovery
from participation.accounts import Account
from participation.db import make_engine
from participation.outbox import MAX_ATTEMPTS, OutboxMessage
from participation.recovery import ResetCode
from tests.support.queries import statements
from web.ops import jobs
from web.settings import Settings

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
CODES = recovery.KEEP_SPENT_FOR
MAIL = outbox.KEEP_SENT_FOR

#: Reset codes by name: (created, expires, used) as ages before NOW (None: not
#: used), and whether the pruning keeps them.
RESET_CODES: dict[str, tuple[timedelta, timedelta, timedelta | None, bool]] = {
    "live sms code": (5 * MINUTE, -5 * MINUTE, None, True),
    "live desk code, issued days ago": (6 * CODES / 7, -CODES / 7, None, True),
    "used just inside the window": (CODES, CODES - 30 * MINUTE, CODES - MINUTE, True),
    "used just past the window": (CODES + 2 * MINUTE, CODES - 30 * MINUTE, CODES + MINUTE, False),
    "expired just inside the window": (CODES + 9 * MINUTE, CODES - MINUTE, None, True),
    "expired just past the window": (CODES + 11 * MINUTE, CODES + MINUTE, None, False),
    "used and expired long ago": (CODES * 10, CODES * 10 - MINUTE, CODES * 10, False),
}

#: Messages by subject: (created, sent) as ages before NOW (None: not sent),
#: attempts, and whether the pruning keeps them.
MESSAGES: dict[str, tuple[timedelta, timedelta | None, int, bool]] = {
    "sent just now": (MINUTE, MINUTE, 1, True),
    "sent just inside the window": (MAIL, MAIL - MINUTE, 1, True),
    "sent just past the window": (MAIL + 2 * MINUTE, MAIL + MINUTE, 2, False),
    "sent long ago": (MAIL * 10, MAIL * 10, 1, False),
    "waiting for months (server down)": (MAIL * 3, None, 0, True),
    "given up long ago": (MAIL * 3, None, MAX_ATTEMPTS, True),
}


@pytest.fixture
def maker(any_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(any_db_url)
    maker = sessionmaker(engine, expire_on_commit=False)
    with maker.begin() as s:
        person = Account(username="forgetful", display_name="健忘的人")
        s.add(person)
        s.flush()
        for name, (created, expires, used, _) in RESET_CODES.items():
            s.add(
                ResetCode(
                    account_id=person.id,
                    channel="desk" if "desk" in name else "sms",
                    code_hash=name,  # a name to find it by: no code is looked up here
                    created_at=NOW - created,
                    expires_at=NOW - expires,
                    used_at=None if used is None else NOW - used,
                )
            )
        for subject, (created, sent, attempts, _) in MESSAGES.items():
            s.add(
                OutboxMessage(
                    key=f"test:{subject}",
                    to_address="someone@example.org",
                    subject=subject,
                    body="…",
                    created_at=NOW - created,
                    sent_at=None if sent is None else NOW - sent,
                    attempts=attempts,
                    account_id=person.id,
                )
            )
    yield maker
    engine.dispose()


def _codes(maker: sessionmaker[Session]) -> set[str]:
    with maker() as s:
        return set(s.scalars(select(ResetCode.code_hash)))


def _messages(maker: sessionmaker[Session]) -> set[str]:
    with maker() as s:
        return set(s.scalars(select(OutboxMessage.subject)))


def _one_delete(seen: list[str]) -> bool:
    run = [sql for sql in seen if not sql.startswith("BEGIN")]  # SQLite's, as it begins
    return len(run) == 1 and run[0].lstrip().upper().startswith("DELETE")


def test_spent_codes_are_forgotten_after_the_window_and_live_ones_never(
    maker: sessionmaker[Session],
) -> None:
    with maker.begin() as s, statements() as seen:
        deleted = recovery.prune_codes(s, NOW)
    assert _one_delete(seen)
    assert _codes(maker) == {name for name, row in RESET_CODES.items() if row[3]}
    assert deleted == sum(1 for row in RESET_CODES.values() if not row[3])


def test_sent_mail_is_forgotten_after_the_window_and_unsent_mail_never(
    maker: sessionmaker[Session],
) -> None:
    with maker.begin() as s, statements() as seen:
        deleted = outbox.prune_sent(s, NOW)
    assert _one_delete(seen)
    assert _messages(maker) == {subject for subject, row in MESSAGES.items() if row[3]}
    assert deleted == sum(1 for row in MESSAGES.values() if not row[3])


def test_the_hourly_pruning_job_forgets_codes_and_mail(
    maker: sessionmaker[Session], any_db_url: str
) -> None:
    """Fails on the old code: the job pruned only the job ledger and the counted
    failures; reset codes and sent mail were kept for ever."""
    settings = Settings(environment="test", database_url=any_db_url)
    job = next(j for j in jobs.JOBS if j.name == "prune")
    with maker.begin() as s:
        summary = job.run(s, NOW, settings)
    assert _codes(maker) == {name for name, row in RESET_CODES.items() if row[3]}
    assert _messages(maker) == {subject for subject, row in MESSAGES.items() if row[3]}
    assert "3 spent reset codes" in summary and "2 sent messages" in summary
    assert "reset codes" in job.help and "sent mail" in job.help
