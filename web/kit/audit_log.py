"""Recording an administrative action from a request: who, from where, what."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from participation import audit
from web.kit.auth import current_user_or_none
from web.kit.client_ip import client_ip
from web.kit.dbsession import db


def log_action(request: Request, action: str, target: str = "", **detail: Any) -> None:
    """Append to the audit log in the request's transaction (kept only if it commits)."""
    user = current_user_or_none(request)
    audit.record(
        db(request),
        actor_id=user.id if user else None,
        action=action,
        target=target,
        ip=client_ip(request),
        **detail,
    )
