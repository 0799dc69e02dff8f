"""The request's notion of now: real time, or a fixed clock set by tests."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request

from participation.db import utcnow


def now(request: Request) -> datetime:
    fixed = getattr(request.app.state, "fixed_now", None)
    return fixed if isinstance(fixed, datetime) else utcnow()
