"""Requests served on threads of their own, so that a database call never stops the event loop.

The portal's database calls are synchronous SQLAlchemy inside ``async def``
endpoints. Run on the event loop, every round trip to PostgreSQL (and every wait
for SQLite's write lock) stopped the whole worker process: one request waiting
on a row lock kept all the others of that worker waiting too.

:class:`RequestThreads` runs the rest of a request (the database session, CSRF,
routing, the endpoint, the commit) on one of at most ``size`` threads, each with
its own event loop; the process's loop only reads the body, relays what the
request sends and receives, and answers what needs no database (static files,
``/healthz``). ``size`` matches the connection pool (``GONGZHI_REQUEST_THREADS``,
by default pool size plus max overflow), so every running request can hold a
connection and the rest queue here, not in the pool.

- The endpoint runs in a copy of the request's context (``contextvars``): the
  locale set by ``LocaleMiddleware`` is seen by the endpoint; what the endpoint
  sets stays in its copy (the outer middlewares use the scope, which is shared).
- ``send`` and ``receive`` are the outer ones, called on the process's loop
  (``run_coroutine_threadsafe``): the session cookie, security headers, the
  request log and streaming (each chunk relayed in order, back-pressure kept,
  a disconnect seen by ``receive``) work as before. A response's start is held
  until its first body message; a response sent whole (start, then one body
  message) is handed back with the finished job and sent by the process's loop,
  so that an ordinary page crosses threads twice (there and back) and the two
  threads do not take the GIL from each other mid-request.
- An exception raised by the request reaches the outer middlewares as before
  (the 500 page is rendered on the loop, without the database).
- A request that waited longer than ``wait`` seconds for a thread is answered by
  ``busy`` instead (the 503 page), never queued forever.
- Idle threads end after :data:`IDLE_SECONDS`, closing their loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from queue import Empty, SimpleQueue
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Seconds an idle request thread waits for work before it ends.
IDLE_SECONDS = 10.0

Handler = Callable[[Scope, Receive, Send], Awaitable[None]]


class _Job:
    __slots__ = (
        "context",
        "future",
        "handler",
        "loop",
        "queued",
        "receive",
        "reply",
        "scope",
        "send",
        "waited",
    )

    def __init__(
        self,
        handler: Handler,
        scope: Scope,
        receive: Receive,
        send: Send,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.handler = handler
        self.scope = scope
        self.receive = receive
        self.send = send
        self.loop = loop  # the process's loop, where send and receive run
        self.context = contextvars.copy_context()
        self.future: concurrent.futures.Future[None] = concurrent.futures.Future()
        self.queued = time.monotonic()
        self.waited = False  # queued because every thread was busy
        self.reply: list[Message] = []  # a whole response, sent by the loop after the job


class _Relay:
    """``send`` and ``receive`` of one request, called on the process's loop."""

    def __init__(self, job: _Job) -> None:
        self.job = job
        self.start: Message | None = None

    async def _there(self, work: Callable[[], Awaitable[Any]]) -> Any:
        async def call() -> Any:
            return await work()

        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call(), self.job.loop))

    async def receive(self) -> Message:
        buffered: list[Message] | None = getattr(self.job.receive, "buffered", None)
        if buffered:  # a body read in full before the request came here
            return buffered.pop(0)
        message: Message = await self._there(self.job.receive)
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message  # crosses with the first body message
            return
        start, self.start = self.start, None
        if start is not None and not message.get("more_body", False):
            self.job.reply = [start, message]  # a whole response: the loop sends it after
            return
        send = self.job.send

        async def both() -> None:
            if start is not None:
                await send(start)
            await send(message)

        await self._there(both)

    async def flush(self) -> None:
        """Send a start still held (the request ended or raised without a body)."""
        start, self.start = self.start, None
        if start is not None:
            send = self.job.send
            await self._there(lambda: send(start))


class _Worker(threading.Thread):
    def __init__(self, pool: RequestThreads, first: _Job) -> None:
        super().__init__(name="gongzhi-request", daemon=True)
        self.pool = pool
        self.inbox: SimpleQueue[_Job] = SimpleQueue()
        self.inbox.put(first)

    def run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            while True:
                job: _Job | None
                try:
                    job = self.inbox.get(timeout=IDLE_SECONDS)
                except Empty:
                    if self.pool._retire(self):
                        return
                    job = self.inbox.get()  # handed a job just as the wait ended
                while job is not None:
                    self._serve(loop, job)
                    job = self.pool._next(self)
        finally:
            loop.close()

    def _serve(self, loop: asyncio.AbstractEventLoop, job: _Job) -> None:
        if not job.future.set_running_or_notify_cancel():
            return  # the request was abandoned while it queued
        handler = job.handler
        if job.waited and time.monotonic() - job.queued > self.pool.wait:
            handler = self.pool.busy
        relay = _Relay(job)

        async def serve() -> None:
            try:
                await handler(job.scope, relay.receive, relay.send)
            finally:
                await relay.flush()

        try:
            loop.run_until_complete(loop.create_task(serve(), context=job.context))
        except BaseException as error:  # handed to the request's task, which raises it
            job.future.set_exception(error)
        else:
            job.future.set_result(None)


class RequestThreads:
    """At most ``size`` threads serving requests; requests beyond wait in order."""

    def __init__(self, size: int, *, wait: float, busy: ASGIApp) -> None:
        if size < 1:
            raise ValueError("at least one request thread")
        self.size = size
        self.wait = wait
        self.busy = busy
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []  # last in, first out: warm threads stay warm
        self._queued: deque[_Job] = deque()
        self._threads = 0

    @property
    def running(self) -> int:
        """Threads alive (busy or idle), for tests and metrics."""
        return self._threads

    async def run(self, handler: Handler, scope: Scope, receive: Receive, send: Send) -> None:
        job = _Job(handler, scope, receive, send, asyncio.get_running_loop())
        with self._lock:
            if self._idle:
                self._idle.pop().inbox.put(job)
            elif self._threads < self.size:
                self._threads += 1
                _Worker(self, job).start()
            else:
                job.waited = True
                self._queued.append(job)
        await asyncio.wrap_future(job.future)
        for message in job.reply:
            await send(message)

    def _next(self, worker: _Worker) -> _Job | None:
        """The next queued request for ``worker``, or None once it is filed as idle."""
        with self._lock:
            if self._queued:
                return self._queued.popleft()
            self._idle.append(worker)
            return None

    def _retire(self, worker: _Worker) -> bool:
        """End an idle ``worker`` unless a job was just handed to it."""
        with self._lock:
            if worker in self._idle:
                self._idle.remove(worker)
                self._threads -= 1
                return True
            return False
