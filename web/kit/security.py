"""Security headers and CSRF protection for every unsafe method.

CSRF: a per-session random token must come back with every POST/PUT/PATCH/
DELETE, as the form field ``csrf_token`` or the ``X-CSRF-Token`` header (htmx
sends the header, set once on <body>). A cross-site ``Origin`` or
``Sec-Fetch-Site`` is refused before the token is even looked at.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PARSED_FORM = "gongzhi_parsed_form"
MAX_BODY = 64 * 1024 * 1024


def content_security_policy(form_targets: list[str]) -> str:
    """No inline scripts or styles; forms post to us (and, for account linking,
    are redirected on to the configured sign-in providers)."""
    form_action = " ".join(["'self'", *form_targets])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    )


HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), geolocation=(), microphone=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def csrf_token(request: Request) -> str:
    return session_token(request.session)


def session_token(session: dict[str, Any]) -> str:
    """The session's form token, made (and kept in the session) if it has none."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool, form_targets: list[str]) -> None:
        self.app = app
        self.hsts = hsts
        self.csp = content_security_policy(form_targets).encode()
        #: Added to every response: the same list for every request, made once.
        self.headers = [*HEADERS, (b"content-security-policy", self.csp)]
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_wrapper)


class CSRFMiddleware:
    """Runs inside the session middleware, so ``scope["session"]`` is available."""

    def __init__(self, app: ASGIApp, *, origin: str) -> None:
        self.app = app
        self.origin = origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                await _refuse(scope, receive, send, 413)
                return

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            allowed = self._same_origin(headers, scope) and await self._token_ok(
                scope, headers, replay
            )
        except HTTPException as error:  # an unreadable form: a field over 1 MB, say
            await _refuse(scope, replay, send, error.status_code)
            return
        if not allowed:
            await _refuse(scope, replay, send, 403)
            return
        try:
            await self.app(scope, replay, send)
        finally:
            form = scope.get("state", {}).pop(PARSED_FORM, None)
            if form is not None:
                await form.close()

    def _same_origin(self, headers: Headers, scope: Scope) -> bool:
        site = headers.get("sec-fetch-site")
        if site is not None and site not in {"same-origin", "none"}:
            return False
        origin = headers.get("origin")
        if origin and origin != "null":
            host = headers.get("host", "")
            allowed = {self.origin, f"http://{host}", f"https://{host}"}
            return origin in allowed
        return True

    async def _token_ok(self, scope: Scope, headers: Headers, replay: Receive) -> bool:
        expected = scope.get("session", {}).get("csrf")
        if not expected:
            return False
        sent = headers.get("x-csrf-token")
        if not sent:
            ctype = headers.get("content-type", "")
            if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                form = await Request(scope, replay).form()
                value = form.get("csrf_token")
                sent = value if isinstance(value, str) else None
                # Keep the parsed form: the endpoint reads it instead of parsing again.
                scope.setdefault("state", {})[PARSED_FORM] = form
        # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError).
        return bool(sent) and hmac.compare_digest(str(sent).encode(), str(expected).encode())


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int) -> None:
    # Rendered by the app's error handler, in the user's language.
    scope = dict(scope)
    scope["gongzhi.refused"] = status
    scope["method"] = "GET"
    scope["path"] = f"/_error/{status}"
    scope["raw_path"] = scope["path"].encode()
    app = scope["app"]
    await app.router(scope, receive, send)


def origin_of(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"
