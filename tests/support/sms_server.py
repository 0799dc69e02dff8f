"""A local SMS provider for tests: a real HTTP server on 127.0.0.1 that records
every message posted to it (and can be told to fail), in a thread of its own."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "test-sms-key"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass
class SmsServer:
    url: str
    messages: list[dict[str, str]] = field(default_factory=list)
    status: int = 200  # what it answers; 503 plays a provider that is down
    refused_keys: list[str] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def to(self, phone: str) -> list[str]:
        return [m["text"] for m in self.messages if m["to"] == phone]

    def last_code(self, phone: str) -> str:
        texts = self.to(phone)
        assert texts, f"no message to {phone}"
        found = CODE.search(texts[-1])
        assert found, texts[-1]
        return found.group(1)

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        """Until ``count`` messages have arrived (a browser test's server sends
        after its response); fails after ``timeout`` seconds."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.messages) >= count, timeout), (
                f"{len(self.messages)} of {count} messages arrived"
            )


@contextmanager
def sms_server() -> Iterator[SmsServer]:
    recorder: SmsServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.headers.get("Authorization") != f"Bearer {KEY}":
                recorder.refused_keys.append(self.headers.get("Authorization", ""))
                self.send_response(401)
            elif recorder.status != 200:
                self.send_response(recorder.status)
            else:
                with recorder.arrived:
                    recorder.messages.append({"to": body["to"], "text": body["text"]})
                    recorder.arrived.notify_all()
                self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder = SmsServer(url=f"http://127.0.0.1:{server.server_address[1]}/send")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
