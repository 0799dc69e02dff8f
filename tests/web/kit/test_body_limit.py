"""Oversized bodies are refused with 413 before they are read whole (issue 13, item 8).

The app is driven through ASGI directly with a body that is produced chunk by
chunk and records how much of it the app pulled: a refusal must come after at
most the route's limit plus one chunk, whether the size was declared
(``Content-Length``) or not (chunked).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from starlette.applications import Starlette
from starlette.types import Message

from web.kit.body_limit import DEFAULT_LIMIT, MB, limit_for

CHUNK = 64 * 1024


def post(app: Any, path: str, total: int, *, declare: bool | bytes) -> tuple[int, int, bytes]:
    """POST ``total`` bytes to ``path``; returns (status, bytes the app pulled, body)."""
    pulled = 0
    status = 0
    body = bytearray()

    async def main() -> None:
        nonlocal pulled, status
        sent = 0

        async def receive() -> Message:
            nonlocal pulled, sent
            size = min(CHUNK, total - sent)
            sent += size
            pulled += size
            return {"type": "http.request", "body": b"a" * size, "more_body": sent < total}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        headers = [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
        ]
        if declare:
            length = declare if isinstance(declare, bytes) else str(total).encode()
            headers.append((b"content-length", length))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
            "state": {},
        }
        await app(scope, receive, send)

    # A thread of its own: browser tests leave Playwright's loop running in this one.
    runner = threading.Thread(target=asyncio.run, args=(main(),))
    runner.start()
    runner.join()
    return status, pulled, bytes(body)


def test_a_declared_oversized_body_is_refused_unread(app: Starlette) -> None:
    status, pulled, body = post(app, "/login", 63 * MB, declare=True)
    assert status == 413
    assert pulled == 0
    assert "过大" in body.decode()  # the error page, in Chinese


def test_a_chunked_oversized_body_is_refused_at_the_limit(app: Starlette) -> None:
    status, pulled, _ = post(app, "/login", 63 * MB, declare=False)
    assert status == 413
    assert pulled <= DEFAULT_LIMIT + CHUNK


def test_upload_routes_take_more_than_ordinary_forms(app: Starlette) -> None:
    size = 2 * MB  # a photo-sized body: over the default, under the upload limit
    assert limit_for("/budgets/3/propose") > size > limit_for("/login")
    status, pulled, _ = post(app, "/budgets/3/propose", size, declare=False)
    assert status == 403  # read whole and refused by the CSRF check, not by size
    assert pulled == size
    status, _, _ = post(app, "/admin/rolls/import", 40 * MB, declare=True)
    assert status == 413


def test_an_unreadable_content_length_is_a_bad_request(app: Starlette) -> None:
    status, pulled, _ = post(app, "/login", 10, declare=b"-1")
    assert (status, pulled) == (400, 0)


def test_a_small_body_is_read_as_before(app: Starlette) -> None:
    status, pulled, _ = post(app, "/login", 10, declare=True)
    assert (status, pulled) == (403, 10)  # read whole; no CSRF token: refused as usual


def test_a_content_length_of_thousands_of_digits_is_too_large_not_a_crash(app: Starlette) -> None:
    """Python refuses to read an integer of more than 4,300 digits (ValueError)."""
    status, pulled, _ = post(app, "/login", 10, declare=b"9" * 5000)
    assert (status, pulled) == (413, 0)
