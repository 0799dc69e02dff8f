"""Counted failures (sign-in, password reset, roll verification, tracking lookups) are
forgotten once no limit looks at them, and every limit decides exactly as before the
pruning: table-driven over every limit that reads ``sign_in_failures`` (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import accounts, rate_limits, recovery, verification
from participation.accounts import SignInFailure
from participation.db import make_engine
from participation.errors import DomainError
from participation.requests import guessing
from participation.rules.ratelimit import Backoff, Limit, RateDecision
from tests.support.queries import statements

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
KEY = recovery.reset_key("test material")
SECRET = b"verification test secret"
BORN = date(1970, 1, 1)

Record = Callable[[Session, int, datetime], None]
#: The limit's answer at a moment: a decision, or the refusal's parameters.
Decide = Callable[[Session, datetime], object]


@dataclass(frozen=True)
class Case:
    name: str
    policy: Limit | Backoff
    #: Writes the i-th counted failure at a moment, through the service.
    record: Record
    decide: Decide

    @property
    def refusing(self) -> int:
        """Failures inside the window that make the limit refuse."""
        if isinstance(self.policy, Limit):
            return self.policy.max_failures
        return self.policy.free + 1


def _sign_in(login: Callable[[int], str], ip: Callable[[int], str], device: str | None) -> Record:
    def record(s: Session, i: int, at: datetime) -> None:
        accounts.record_failure(s, login(i), ip(i), device, at)

    return record


def _refusal(act: Callable[[Session, datetime], object]) -> Decide:
    """Try the action in a savepoint that is rolled back: its refusal, or "allowed"."""

    def decide(s: Session, at: datetime) -> object:
        nested = s.begin_nested()
        try:
            act(s, at)
        except DomainError as refused:
            nested.rollback()
            return (refused.status, refused.params)
        nested.rollback()
        return "allowed"

    return decide


def _attempt(i: int, **who: object) -> verification.Attempt:
    fields: dict[str, object] = {"name": "张三", "ip": "10.1.0.1", "birth_date": BORN}
    fields.update(who)
    return verification.Attempt(secret=SECRET, **fields)  # type: ignore[arg-type]


def _miss(make: Callable[[int], verification.Attempt]) -> Record:
    def record(s: Session, i: int, at: datetime) -> None:
        verification.record_miss(s, make(i), at)

    return record


def _lookup_miss(make: Callable[[int], guessing.Lookup]) -> Record:
    def record(s: Session, i: int, at: datetime) -> None:
        guessing.record_miss(s, make(i), at)

    return record


def _sms(phone: Callable[[int], str], ip: Callable[[int], str]) -> Record:
    def record(s: Session, i: int, at: datetime) -> None:
        recovery.request_sms_code(s, KEY, phone(i), ip(i), at)

    return record


def _link(s: Session, i: int, at: datetime) -> None:
    recovery.request_email_link(s, KEY, "a@example.cn", _address(i), at, "http://x")


def _try_code(s: Session, i: int, at: datetime) -> None:
    recovery.reset_with_code(
        s,
        KEY,
        login="13800000000",
        code="000000",
        password="a long new password",
        confirm="a long new password",
        ip="10.2.0.1",
        now=at,
    )


def _address(i: int) -> str:
    return f"10.0.{i // 250}.{i % 250}"


CASES = [
    Case(
        "sign-in: one login from one address",
        accounts.PAIR_BACKOFF,
        _sign_in(lambda i: "alice", lambda i: "10.0.0.1", None),
        lambda s, at: accounts.sign_in_decision(s, "alice", "10.0.0.1", None, False, at),
    ),
    Case(
        "sign-in: one address trying many logins",
        accounts.IP_LIMIT,
        _sign_in(lambda i: f"user{i}", lambda i: "10.0.0.1", None),
        lambda s, at: accounts.sign_in_decision(s, "someone-else", "10.0.0.1", None, False, at),
    ),
    Case(
        "sign-in: one login from many addresses",
        accounts.ACCOUNT_BACKOFF,
        _sign_in(lambda i: "alice", _address, None),
        lambda s, at: accounts.sign_in_decision(s, "alice", "10.9.9.9", None, False, at),
    ),
    Case(
        "sign-in: one login on one known device",
        accounts.PAIR_BACKOFF,
        _sign_in(lambda i: "alice", _address, "device-1"),
        lambda s, at: accounts.sign_in_decision(s, "alice", "10.9.9.9", "device-1", True, at),
    ),
    Case(
        "reset: codes asked for one number",
        recovery.SEND_PER_TARGET,
        _sms(lambda i: "13800000000", _address),
        _refusal(lambda s, at: recovery.request_sms_code(s, KEY, "13800000000", "10.9.9.9", at)),
    ),
    Case(
        "reset: codes asked from one address",
        recovery.SEND_PER_IP,
        _sms(lambda i: f"1390000{i:04d}", lambda i: "10.0.0.1"),
        _refusal(lambda s, at: recovery.request_sms_code(s, KEY, "13999999999", "10.0.0.1", at)),
    ),
    Case(
        "reset: links asked for one address",
        recovery.SEND_PER_TARGET,
        _link,
        _refusal(
            lambda s, at: recovery.request_email_link(
                s, KEY, "a@example.cn", "10.9.9.9", at, "http://x"
            )
        ),
    ),
    Case(
        "reset: codes tried from one address",
        recovery.TRY_PER_IP,
        _try_code,
        _refusal(lambda s, at: _try_code(s, 0, at)),
    ),
    Case(
        "verification: one person guessed at",
        verification.PERSON_BACKOFF,
        _miss(lambda i: _attempt(i, ip=_address(i))),
        lambda s, at: verification.attempt_decision(s, _attempt(0, ip="10.9.9.9"), at),
    ),
    Case(
        "verification: one address",
        verification.ADDRESS_BACKOFF,
        _miss(lambda i: _attempt(i, name=f"李{i}")),
        lambda s, at: verification.attempt_decision(s, _attempt(0, name="王五"), at),
    ),
    Case(
        "verification: one account",
        verification.ACCOUNT_BACKOFF,
        _miss(lambda i: _attempt(i, name=f"李{i}", ip=_address(i), account_id=5)),
        lambda s, at: verification.attempt_decision(
            s, _attempt(0, name="王五", ip="10.9.9.9", account_id=5), at
        ),
    ),
    Case(
        "verification: one desk worker",
        verification.DESK_BACKOFF,
        _miss(lambda i: _attempt(i, name=f"李{i}", desk_worker_id=7)),
        lambda s, at: verification.attempt_decision(
            s, _attempt(0, name="王五", desk_worker_id=7), at
        ),
    ),
    Case(
        "tracking: one address walking numbers",
        guessing.ADDRESS_BACKOFF,
        _lookup_miss(lambda i: guessing.Lookup(number=f"R{i:06d}", ip="10.0.0.1")),
        lambda s, at: guessing.decision(s, guessing.Lookup(number="R999999", ip="10.0.0.1"), at),
    ),
    Case(
        "tracking: one number from many addresses",
        guessing.NUMBER_BACKOFF,
        _lookup_miss(lambda i: guessing.Lookup(number="R000001", ip=_address(i))),
        lambda s, at: guessing.decision(s, guessing.Lookup(number="R000001", ip="10.9.9.9"), at),
    ),
]


@pytest.fixture
def session(any_db_url: str) -> Iterator[Session]:
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


def _window(key: str) -> timedelta:
    prefixes = [p for p in rate_limits.WINDOWS if key.startswith(p)]
    assert len(prefixes) == 1, f"{key!r} has no window of its own: {prefixes}"
    return rate_limits.WINDOWS[prefixes[0]]


def _rows(s: Session) -> list[tuple[str, datetime]]:
    return [(key, at) for key, at in s.execute(select(SignInFailure.key, SignInFailure.at))]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_pruning_keeps_what_each_limit_counts(session: Session, case: Case) -> None:
    window = case.policy.window
    # One failure just out of the window, one just inside it (the oldest counted:
    # without it the answer changes), the rest a few seconds ago: refused.
    case.record(session, 0, NOW - window - timedelta(minutes=1))
    case.record(session, 1, NOW - window + timedelta(minutes=1))
    for i in range(2, case.refusing + 1):
        case.record(session, i, NOW - timedelta(seconds=case.refusing + 1 - i))
    session.flush()
    before = case.decide(session, NOW)
    assert before not in ("allowed", RateDecision(True))
    rows = _rows(session)
    # Every key a limit writes has a window of its own (too short a one would change
    # the answer below).
    counted = [(k, at) for k, at in rows if at > NOW - _window(k)]

    deleted = rate_limits.prune(session, NOW)
    session.flush()

    assert case.decide(session, NOW) == before
    kept = _rows(session)
    assert sorted(kept) == sorted(counted)  # what a limit still counts, and only that
    assert deleted == len(rows) - len(counted) > 0


def test_each_limit_window_is_kept_for_its_keys() -> None:
    """The registered windows are those of the limits that read the keys."""
    assert rate_limits.WINDOWS["verify-person:"] == verification.PERSON_BACKOFF.window
    assert rate_limits.WINDOWS["ip:"] == accounts.IP_LIMIT.window
    assert rate_limits.WINDOWS["account-ip:"] == accounts.PAIR_BACKOFF.window
    assert rate_limits.WINDOWS["reset-try:"] == recovery.TRY_PER_IP.window
    assert rate_limits.WINDOWS["track-number:"] == guessing.NUMBER_BACKOFF.window


def test_a_key_no_limit_claims_is_kept_the_longest_window(session: Session) -> None:
    longest = max(rate_limits.WINDOWS.values())
    session.add_all(
        [
            SignInFailure(key="unknown:a", at=NOW - longest + timedelta(minutes=1)),
            SignInFailure(key="unknown:b", at=NOW - longest - timedelta(minutes=1)),
        ]
    )
    session.flush()
    assert rate_limits.prune(session, NOW) == 1
    assert [k for k, _ in _rows(session)] == ["unknown:a"]


def test_pruning_is_one_statement_however_many_failures(session: Session) -> None:
    session.add_all(
        SignInFailure(key=f"{prefix}{i}", at=NOW - timedelta(hours=i))
        for prefix in rate_limits.WINDOWS
        for i in range(200)
    )
    session.flush()
    with statements() as seen:
        deleted = rate_limits.prune(session, NOW)
    assert deleted > 1000
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("DELETE")
