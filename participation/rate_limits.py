"""Forgetting counted failures once no limit looks at them.

Every limit of the portal counts rows of ``sign_in_failures`` under keys of its
own prefix: failed sign-ins (participation.accounts), password-reset requests
and tries (participation.recovery), roll verification misses
(participation.verification) and tracking lookups that matched nothing
(participation.requests.guessing). Each of those modules says how far back its
limits count, by prefix (``FAILURE_WINDOWS``); a row older than its prefix's
window is never read again, and the pruning job deletes it. A key no prefix
claims is kept as long as the longest window.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_
from sqlalchemy.orm import Session

from participation import accounts, recovery, verification
from participation.accounts import SignInFailure
from participation.requests import guessing

#: Key prefix -> how far back the limits reading those keys count.
WINDOWS: dict[str, timedelta] = {
    **accounts.FAILURE_WINDOWS,
    **recovery.FAILURE_WINDOWS,
    **verification.FAILURE_WINDOWS,
    **guessing.FAILURE_WINDOWS,
}


def prune(session: Session, now: datetime) -> int:
    """Delete the failures no limit counts any more; how many, in one statement."""
    by_window: dict[timedelta, list[str]] = defaultdict(list)
    for prefix, window in WINDOWS.items():
        by_window[window].append(prefix)
    longest = max(by_window)
    result = session.execute(
        delete(SignInFailure)
        .where(
            or_(
                SignInFailure.at < now - longest,
                *(
                    and_(
                        SignInFailure.at < now - window,
                        or_(*(SignInFailure.key.startswith(p, autoescape=True) for p in prefixes)),
                    )
                    for window, prefixes in sorted(by_window.items())
                    if window < longest
                ),
            )
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
