"""Request body limits, enforced before the body is read.

Every later layer reads a POST body whole before it checks anything (the session
middleware buffers it so no database connection waits on the network, and the
CSRF check parses the form), so without a limit here an anonymous 60 MB POST was
read into memory before being refused. This middleware sits outside them: a
declared ``Content-Length`` over the route's limit is refused at once, unread;
a body without one (chunked) is counted as it streams and refused as soon as it
passes the limit. Either way the answer is 413 with the error page in the
user's language, and nothing was read beyond the limit (plus one chunk).

Limits are per route: a small default for ordinary forms, larger ones for the
few routes that take files (roll and area imports, budget proposal photos).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.kit.security import _refuse as refuse

KB = 1024
MB = 1024 * KB

#: Ordinary forms: the longest text fields (minutes, descriptions) are tens of KB.
DEFAULT_LIMIT = 1 * MB
#: Routes that take files, by path: (pattern, limit in bytes).
UPLOAD_LIMITS: tuple[tuple[re.Pattern[str], int], ...] = (
    # Resident and deputy rolls, the area tree: CSV or XLSX of a whole district.
    (re.compile(r"^/admin/rolls/import$"), 32 * MB),
    (re.compile(r"^/admin/congresses/\d+/import$"), 32 * MB),
    (re.compile(r"^/admin/areas/import$"), 8 * MB),
    # A budget proposal's photo (at most 2 MB, checked by the domain) and its text.
    (re.compile(r"^/budgets/\d+/propose$"), 3 * MB),
    # A resident request or a handling record: up to 4 photos of 2 MB each, and text.
    (re.compile(r"^/requests/(new|assist)$"), 9 * MB),
    (re.compile(r"^/admin/requests/\d+/record$"), 9 * MB),
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyTooLarge(Exception):
    """Raised from ``receive`` when the body passes the route's limit."""


def limit_for(path: str, uploads: Sequence[tuple[re.Pattern[str], int]] = UPLOAD_LIMITS) -> int:
    """The most bytes a request body to ``path`` may have."""
    for pattern, limit in uploads:
        if pattern.match(path):
            return limit
    return DEFAULT_LIMIT


async def _empty() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


class BodyLimitMiddleware:
    """Refuses bodies over the route's limit with 413, without reading them whole."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not (declared.isascii() and declared.isdigit()):
                await refuse(scope, _empty, send, 400)
                return
            # More digits than any limit has is too large, and never read as an
            # integer (Python refuses ints of over 4,300 digits with ValueError).
            if len(declared.lstrip("0")) > 18 or int(declared) > limit:
                await refuse(scope, _empty, send, 413)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def send_started(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, send_started)
        except BodyTooLarge:
            if started:  # an app that answered before reading: nothing left to say
                return
            await refuse(scope, _empty, send, 413)
