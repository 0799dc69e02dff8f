"""Operations: health and readiness checks, metrics, request logs, the background
worker's jobs, backups. Only the checks and metrics are routes."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.ops import health

#: Every path of this area starts with one of these (see web.routes).
PREFIXES = ("/healthz", "/readyz", "/metrics")


def routes() -> list[BaseRoute]:
    return [*health.routes]
