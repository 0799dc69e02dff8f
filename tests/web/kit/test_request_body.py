"""The database session opens only after the whole request body has arrived."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from web.kit.dbsession import DatabaseSessionMiddleware


class Sessions:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    def __call__(self) -> Any:
        self.events.append("session opened")
        events = self.events

        class FakeSession:
            def connection(self, **_: Any) -> None:
                events.append("connection taken")

            def in_transaction(self) -> bool:
                return False

            def rollback(self) -> None: ...

            def close(self) -> None: ...

        return FakeSession()


def run(method: str, chunks: list[bytes]) -> tuple[list[str], bytes]:
    events: list[str] = []
    received = bytearray()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        events.append("app called")
        while True:
            message = await receive()
            received.extend(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def main() -> None:
        queue: list[Message] = [
            {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
            for n, chunk in enumerate(chunks)
        ]

        async def receive() -> Message:
            await asyncio.sleep(0)  # the network: other tasks may run meanwhile
            message = queue.pop(0)
            events.append(f"chunk {message['body'].decode()}")
            return message

        async def send(message: Message) -> None:
            return None

        state = type("State", (), {"sessions": Sessions(events)})()
        scope = {
            "type": "http",
            "method": method,
            "path": "/volunteers/shifts/1/signup",
            "app": type("App", (), {"state": state})(),
        }
        await DatabaseSessionMiddleware(app)(scope, receive, send)

    # A thread of its own: browser tests leave Playwright's loop running in this one.
    runner = threading.Thread(target=asyncio.run, args=(main(),))
    runner.start()
    runner.join()
    return events, bytes(received)


def test_a_post_body_is_read_before_the_session_opens() -> None:
    events, body = run("POST", [b"a", b"b", b"c"])
    assert body == b"abc"
    assert events.index("chunk c") < events.index("session opened") < events.index("app called")


def test_a_get_is_not_buffered() -> None:
    events, body = run("GET", [b""])
    assert events.index("session opened") < events.index("app called") < events.index("chunk ")
    assert body == b""
