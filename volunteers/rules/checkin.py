"""Rotating check-in codes: an HMAC of the shift and a 30-second time window.

The leader's page shows the code of the current window; a scanned code is
accepted for its own window and the next one, so each code lives at most 60 s.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

WINDOW_SECONDS = 30


def window_of(now: datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def checkin_code(secret: bytes, shift_id: int, window: int) -> str:
    digest = hmac.new(secret, f"checkin:{shift_id}:{window}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def code_is_valid(secret: bytes, shift_id: int, code: str, now: datetime) -> bool:
    """Invariant: a code is valid for at most two consecutive windows (≤ 60 s).

    Any text may be scanned or typed: it is compared as bytes, so a code with
    non-ASCII characters is simply not valid.
    """
    current = window_of(now)
    sent = code.encode()
    return any(
        hmac.compare_digest(checkin_code(secret, shift_id, w).encode(), sent)
        for w in (current, current - 1)
    )
