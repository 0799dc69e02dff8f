"""OpenID Connect sign-in (placeholder until the OIDC work lands)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
