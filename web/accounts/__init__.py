"""Accounts: signing up and in (password or OpenID Connect), the account page, the inbox,
and personal-information rights (privacy notice, my data, closing the account)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.accounts import following, notices, oidc, privacy, public, recovery

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/signup", "/login", "/logout", "/account", "/auth/oidc")


def routes() -> list[BaseRoute]:
    return [
        *public.routes,
        *oidc.routes,
        *notices.routes,
        *recovery.routes,
        *following.routes,
        *privacy.routes,
    ]
