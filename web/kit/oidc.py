"""OpenID Connect clients (authlib), one per provider configured in settings.

authlib keeps state, nonce and the PKCE verifier in the signed session and
checks them on the way back; the ID token's signature, issuer, audience and
nonce are validated when the token is exchanged.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from authlib.integrations.starlette_client import OAuth

from web.settings import Settings


def make_oauth(settings: Settings) -> OAuth:
    oauth = OAuth()
    for provider in settings.oidc_providers:
        oauth.register(
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={
                "scope": "openid profile email",
                "code_challenge_method": "S256",
                "timeout": 10,
            },
        )
    return oauth


def provider_origins(settings: Settings) -> list[str]:
    """Origins a form may redirect to (the link flow posts, then goes to the provider)."""
    origins = []
    for provider in settings.oidc_providers:
        parts = urlsplit(provider.discovery_url)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def _network_errors() -> tuple[type[Exception], ...]:
    # authlib talks through httpx2 when it is installed, else through httpx.
    errors: list[type[Exception]] = [httpx.HTTPError, OSError]
    try:
        import httpx2

        errors.append(httpx2.HTTPError)
    except ImportError:
        pass
    return tuple(errors)


NETWORK_ERRORS = _network_errors()
