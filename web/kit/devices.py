"""The device cookie: which browser this is, and which accounts signed in from it.

A random id in a long-lived cookie, signed so that nobody can claim to be a
device an account has used. Sign-in failures are counted per device, and a
device an account signed in from before is not held back by failures made
elsewhere (participation.accounts.sign_in_decision). It outlives sign-out on
purpose, and carries no personal data beyond account ids.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "gongzhi_device"
MAX_AGE = 400 * 86400  # browsers cap cookie lifetimes at 400 days
REMEMBERED = 10  # accounts per device


@dataclass(frozen=True)
class Device:
    id: str
    accounts: tuple[int, ...] = ()

    def knows(self, account_id: int | None) -> bool:
        return account_id is not None and account_id in self.accounts


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.settings.secret_key, salt="gongzhi.device")


def device_of(request: Request) -> Device:
    """This browser's device (a new one when it has no valid cookie yet)."""
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data = _serializer(request).loads(raw)
            ids = tuple(int(a) for a in data["a"])[-REMEMBERED:]
            if isinstance(data["d"], str) and len(data["d"]) <= 64:
                return Device(data["d"], ids)
        except (BadSignature, KeyError, TypeError, ValueError):
            pass
    return Device(secrets.token_urlsafe(16))


def remember(request: Request, response: Response, device: Device, account_id: int | None) -> None:
    """Set the cookie, adding ``account_id`` to the accounts signed in from here."""
    ids = device.accounts
    if account_id is not None:
        ids = (*[a for a in ids if a != account_id], account_id)[-REMEMBERED:]
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps({"d": device.id, "a": list(ids)}),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
    )
