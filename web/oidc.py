"""OpenID Connect client registry (placeholder)."""

from __future__ import annotations

from typing import Any

from web.settings import Settings


def make_oauth(settings: Settings) -> Any:
    return None
