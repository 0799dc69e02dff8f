"""Per request: an id, one JSON log line, and the request metrics.

The id comes from the proxy's ``X-Request-ID`` when it looks like one (nginx's
``$request_id``), else it is made here; it is sent back in ``X-Request-ID``,
kept in ``scope["state"]["request_id"]`` for error pages, and logged, so a
person quoting the number on an error page leads to the log line.
"""

from __future__ import annotations

import logging
import os
import re
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gongzhi.requests")

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
UNMATCHED = "unmatched"


def request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if REQUEST_ID.fullmatch(candidate):
                return candidate
    return os.urandom(16).hex()  # 32 hex digits, as uuid4().hex, without the UUID object


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/ballots/{box_id:int}``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


#: Path parameters that are secrets (the personal calendar feed's token): logged as "-".
SECRET_PARAMS = frozenset({"token"})


def logged_path(scope: Scope) -> str:
    """The request's path with secret path parameters blanked, for the log."""
    path: str = scope["path"]
    for name, value in scope.get("path_params", {}).items():
        if name in SECRET_PARAMS and isinstance(value, str) and value:
            path = path.replace(value, "-")
    return path


class ObserveMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500  # unless a response starts: an exception becomes the 500 page

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            scope["app"].state.metrics.observe(scope["method"], route, status, seconds)
            if log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                log.info(
                    "request",
                    extra={
                        "fields": {
                            "request_id": rid,
                            "method": scope["method"],
                            "path": logged_path(scope),
                            "route": route,
                            "status": status,
                            "duration_ms": round(seconds * 1000, 2),
                            "client": client[0] if client else None,
                            "forwarded_for": _header(scope, b"x-forwarded-for"),
                        }
                    },
                )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None
