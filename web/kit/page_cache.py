"""The page cache: public pages shown again without being rendered again.

A public page seen by someone not signed in is the same for everyone who asks in
the same language and display mode, apart from the form token in its forms. The
first request renders it and records which tables it read
(participation.table_versions); later requests read those tables' counters (one
statement) and, if none moved, get the same bytes with their own token put in.
A page is therefore never older than the database: a ballot cast, a shift filled
or a plan item moved by any process over the same database shows on the next view.

What may be reused, and why that holds:
- GET pages listed in ``CACHEABLE``: public pages whose only inputs are the path,
  the query, the language, the display mode, the host and the database.
- Asked by a visitor whose session holds nothing but a form token (not signed in,
  no message waiting to be shown), not by htmx (a fragment, not the page).
- Rendered with status 200 as HTML, without writing, without SQL whose tables are
  unknown, and without setting a cookie of its own.
- Keyed by host, scheme, path, query, language, every cookie but the session's
  (display mode, chosen community...) and the clock's minute: the one input that
  changes without a write is time (a ballot that closes at 18:00 shows closed
  from then on; the portal's times are entered in whole minutes), so no page
  outlives the minute it was rendered in.
- A request with ``Cache-Control: no-cache`` (a hard reload) is rendered anew.
- The counters are read before the data (see participation.table_versions).

Each web process keeps its own entries, least recently used first out, within
``GONGZHI_PAGE_CACHE_MB`` (0 turns the cache off).
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation import table_versions
from participation.db import utcnow
from web.kit import i18n
from web.kit.security import session_token

#: The public pages that may be reused (path patterns, query aside).
CACHEABLE = re.compile(
    r"^/(?:"
    r"|areas(?:/\d+)?"
    r"|volunteers(?:/shifts/\d+|/teams/\d+)?"
    r"|budgets(?:/\d+(?:/results)?)?"
    r"|livelihood(?:/\d+)?"
    r"|plan(?:/items/\d+|/departments)?"
    r"|consultations(?:/\d+)?"
    r"|evaluations(?:/\d+)?"
    r"|requests/board"
    r")$"
)
#: The session's own cookie (web/app.py), the one cookie pages do not differ by.
SESSION_COOKIE = "gongzhi_session"
#: Session keys a visitor may have and still be shown the shared page.
SHARED_SESSION_KEYS = frozenset({"csrf"})
#: Stands in a stored page for the visitor's form token (as long as a real one, so
#: the length does not change; random per process, so no content can contain it).
_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32), web.kit.security.csrf_token
PLACEHOLDER = secrets.token_urlsafe(32)
assert len(PLACEHOLDER) == _TOKEN_LENGTH
_PLACEHOLDER = PLACEHOLDER.encode()
RECORDING = "page_cache_recording"


@dataclass(frozen=True)
class Entry:
    """A page kept (always a 200; its minute is in its key)."""

    versions: tuple[tuple[int, int], ...]  # (bucket, counter) for every table read
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes  # with PLACEHOLDER where the visitor's token goes
    route: Any

    @property
    def cost(self) -> int:
        """Bytes counted against the limit: the body, and about as much again as
        the headers and the key take."""
        return len(self.body) + 512


class Pages:
    """A process's stored pages: least recently used first out, within ``limit`` bytes.
    Used from several request threads at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple[Any, ...], entry: Entry) -> None:
        if entry.cost > self.limit // 4:
            return  # one page may not push out most of the others
        with self.lock:
            self._pop(key)
            self.entries[key] = entry
            self.size += entry.cost
            while self.size > self.limit:
                _, dropped = self.entries.popitem(last=False)
                self.size -= dropped.cost

    def drop(self, key: tuple[Any, ...]) -> None:
        with self.lock:
            self._pop(key)

    def _pop(self, key: tuple[Any, ...]) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old.cost


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _cookies(scope: Scope) -> tuple[tuple[str, str], ...]:
    """Every cookie but the session's: the language, the display mode, the chosen
    community... whatever a page reads from them, pages differ by them."""
    raw = _header(scope, b"cookie")
    if raw is None:
        return ()
    found = cookie_parser(raw.decode("latin-1"))
    found.pop(SESSION_COOKIE, None)
    return tuple(sorted(found.items()))


def shared_visitor(scope: Scope) -> bool:
    """Whether this request may be shown the page everyone not signed in sees."""
    if scope["method"] != "GET" or _header(scope, b"hx-request") is not None:
        return False
    if not CACHEABLE.match(scope["path"]):
        return False
    session = scope.get("session")
    return session is not None and set(session) <= SHARED_SESSION_KEYS


def _reload(scope: Scope) -> bool:
    """A reload that asks past caches (Cache-Control: no-cache, a browser's hard
    reload): rendered anew, and kept for the next visitor."""
    asked = _header(scope, b"cache-control") or _header(scope, b"pragma") or b""
    return b"no-cache" in asked


def _key(scope: Scope) -> tuple[Any, ...]:
    return (
        scope.get("scheme", "http"),
        _header(scope, b"host"),
        scope["path"],
        scope.get("query_string", b""),
        i18n.current_locale.get(),
        _cookies(scope),
        _minute(scope),
    )


def _minute(scope: Scope) -> int:
    app = scope["app"]
    fixed = getattr(app.state, "fixed_now", None)
    moment = fixed if fixed is not None else utcnow()
    return int(moment.timestamp() // 60)


def _unchanged(connection: Any, versions: Iterable[tuple[int, int]]) -> bool:
    wanted = dict(versions)
    return table_versions.current(connection, wanted) == wanted


class PageCacheMiddleware:
    """Serves a stored copy of a public page when no table it read has changed.

    Sits inside the database session (it reads the counters in the request's own
    transaction, before anything else) and the session cookie (it hands each
    visitor their own form token)."""

    def __init__(self, app: ASGIApp, *, megabytes: int) -> None:
        self.app = app
        self.pages = Pages(megabytes * 1024 * 1024) if megabytes > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.pages is None or scope["type"] != "http" or not shared_visitor(scope):
            await self.app(scope, receive, send)
            return
        session_db = scope["state"]["db"]
        connection = session_db.connection()
        key = _key(scope)
        entry = None if _reload(scope) else self.pages.get(key)
        if entry is not None and _unchanged(connection, entry.versions):
            await self._replay(scope, entry, send)
            return
        if entry is not None:
            self.pages.drop(key)
        await self._record(scope, receive, send, key, connection)

    async def _replay(self, scope: Scope, entry: Entry, send: Send) -> None:
        scope["route"] = entry.route
        await send({"type": "http.response.start", "status": 200, "headers": list(entry.headers)})
        await send({"type": "http.response.body", "body": _with_token(scope, entry.body)})

    async def _record(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple[Any, ...],
        connection: Any,
    ) -> None:
        before = table_versions.current(connection)
        reads = table_versions.Reads()
        scope["state"][RECORDING] = True
        start: Message | None = None
        chunks: list[bytes] = []
        storable = True

        async def capture(message: Message) -> None:
            nonlocal start, storable
            if message["type"] == "http.response.start":
                start = message
                headers = message.get("headers", [])
                storable = (
                    message["status"] == 200
                    and any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                    and not any(k == b"set-cookie" for k, v in headers)
                )
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            if storable and not reads.unsafe:
                versions = tuple((b, before.get(b, 0)) for b in sorted(reads.buckets))
                entry = Entry(versions, tuple(start["headers"]), body, scope.get("route"))
                self.pages.put(key, entry)  # type: ignore[union-attr]
            await send(start)
            await send({"type": "http.response.body", "body": _with_token(scope, body)})

        token = table_versions.reading.set(reads)
        try:
            await self.app(scope, receive, capture)
        finally:
            table_versions.reading.reset(token)
            scope["state"].pop(RECORDING, None)


def _with_token(scope: Scope, body: bytes) -> bytes:
    """The page with this visitor's form token where the placeholder stands (their
    session's token, made if they have none: the session cookie then carries it)."""
    if _PLACEHOLDER not in body:
        return body
    return body.replace(_PLACEHOLDER, session_token(scope["session"]).encode())


def form_token(request: Any, real: str) -> str:
    """What a page's forms carry: the visitor's token, or the placeholder while the
    page is being recorded for everyone (put back per visitor when sent)."""
    return PLACEHOLDER if request.scope.get("state", {}).get(RECORDING) else real
