"""Limits on guessing tracking secrets (and on probing which numbers exist).

A lookup by number and secret that matches nothing counts as a miss against the
client's address and against the number typed (cleaned), whether or not such a
request exists, so the wait never tells a guesser which numbers are real. The
misses live beside failed sign-ins (``SignInFailure``), under their own keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.accounts import SignInFailure
from participation.requests.rules.tracking import clean
from participation.rules.ratelimit import Backoff, RateDecision, check_backoff, most_restrictive

#: Per address, across numbers: someone mistyping now and then is never held,
#: someone walking through numbers is slowed down more with each miss.
ADDRESS_BACKOFF = Backoff(
    free=10, base=timedelta(minutes=1), cap=timedelta(hours=24), window=timedelta(days=1)
)
#: Per number typed, across addresses. The requester signed in follows their own
#: request at /requests/mine, which this limit never holds.
NUMBER_BACKOFF = Backoff(
    free=5, base=timedelta(minutes=5), cap=timedelta(hours=6), window=timedelta(days=1)
)
#: How far back each key's limit counts (participation.rate_limits prunes by it).
FAILURE_WINDOWS = {
    "track-ip:": ADDRESS_BACKOFF.window,
    "track-number:": NUMBER_BACKOFF.window,
}


@dataclass(frozen=True)
class Lookup:
    """Who looks up which number, as far as the limits are concerned."""

    number: str
    ip: str

    def policies(self) -> dict[str, Backoff]:
        return {
            f"track-ip:{self.ip}"[:300]: ADDRESS_BACKOFF,
            f"track-number:{clean(self.number)}": NUMBER_BACKOFF,
        }


def decision(session: Session, lookup: Lookup, now: datetime) -> RateDecision:
    """Whether this lookup may be checked now, or how long to wait."""
    policies = lookup.policies()
    window = max(p.window for p in policies.values())
    rows = session.execute(
        select(SignInFailure.key, SignInFailure.at).where(
            SignInFailure.key.in_(list(policies)), SignInFailure.at > now - window
        )
    ).all()
    found: dict[str, list[datetime]] = {key: [] for key in policies}
    for key, at in rows:
        found[key].append(at)
    return most_restrictive(
        check_backoff(found[key], now, policy) for key, policy in policies.items()
    )


def record_miss(session: Session, lookup: Lookup, now: datetime) -> None:
    """Count a lookup that matched nothing against the address and the number."""
    session.add_all(SignInFailure(key=key, at=now) for key in lookup.policies())
    session.flush()
