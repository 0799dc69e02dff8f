"""One sign-up request, in process: SQL statements per request (and how many run
while the write lock is held), CPU per request, and where the CPU goes.

python bench/profile_signup.py [--people N] [--capacity C] [--profile]

Sign-ups run one after another through the ASGI app, called directly in this
thread (no server, no client: the CPU measured is the app's own), so the
figures are for one request without contention; the burst in bench_signup.py
is bounded by them because SQLite serialises the writes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections import Counter
from typing import Any

from bench_signup import SECRET, prepare
from harness import ROOT, machine, post_form, timed_posts

sys.path.insert(0, str(ROOT))

from sqlalchemy import event

from web.app import create_app
from web.settings import Settings


class StatementLog:
    """Counts statements per request and those between BEGIN IMMEDIATE and COMMIT,
    and the wall time the write lock is held."""

    def __init__(self) -> None:
        self.total = 0
        self.locked = 0
        self.in_write = False
        self.lock_started = 0.0
        self.lock_seconds = 0.0
        self.lock_cpu_started = 0.0
        self.lock_cpu = 0.0
        self.kinds: Counter[str] = Counter()
        self.last: list[str] = []

    def before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.total += 1
        self.last.append(("[locked] " if self.in_write else "") + " ".join(statement.split()))
        head = statement.split(None, 1)[0].upper()
        if statement.startswith("BEGIN IMMEDIATE"):
            self.in_write = True
            self.lock_started = time.perf_counter()
            self.lock_cpu_started = time.thread_time()
        elif self.in_write:
            self.locked += 1
            self.kinds[head] += 1

    def ended(self, conn: Any) -> None:
        if self.in_write:
            self.lock_seconds += time.perf_counter() - self.lock_started
            self.lock_cpu += time.thread_time() - self.lock_cpu_started
            self.in_write = False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--statements", action="store_true", help="print the last one's SQL")
    parser.add_argument("--profile", action="store_true", help="print the cProfile top 30")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument("--lines", type=int, default=30, help="cProfile lines printed")
    parser.add_argument(
        "--inline",
        action="store_true",
        help="run handlers on the event loop (request_threads=0) so that --profile sees them",
    )
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/signup.db"
        shift_id, sessions = prepare(url, args.people, args.capacity)
        settings = Settings(
            environment="development",  # as bench_signup.py serves it
            database_url=url,
            secret_key=SECRET,
            base_url="http://testserver",
            **({"request_threads": 0} if args.inline else {}),
        )
        app = create_app(settings)
        log = StatementLog()
        event.listen(app.state.engine, "before_cursor_execute", log.before)
        event.listen(app.state.engine, "commit", log.ended)
        event.listen(app.state.engine, "rollback", log.ended)
        profiler = cProfile.Profile()
        statuses: Counter[int] = Counter()

        async def post(cookie: str, token: str) -> int:
            body = f"csrf_token={token}".encode()
            return await post_form(app, f"/volunteers/shifts/{shift_id}/signup", body, cookie)

        cookie, token = sessions.pop(0)
        asyncio.run(post(cookie, token))  # warm imports and caches: the first person
        log.__init__()  # type: ignore[misc]
        cpu, wall = asyncio.run(
            timed_posts(
                post,
                sessions,
                statuses=statuses,
                log=log,
                profiler=profiler if args.profile else None,
            )
        )
        n = len(sessions)
        print(f"{n} sign-ups one after another ({args.capacity} places): statuses {dict(statuses)}")
        kinds = ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(log.kinds.items()))
        print(
            f"per sign-up: {log.total / n:.2f} statements, {log.locked / n:.2f} of them "
            f"under the write lock ({kinds}); lock held {log.lock_seconds / n * 1e3:.2f} ms "
            f"wall, {log.lock_cpu / n * 1e3:.2f} ms CPU (to the commit)"
        )
        print(f"per sign-up: {cpu / n * 1e3:.2f} ms CPU, {wall / n * 1e3:.2f} ms wall")
        if args.statements:
            print("statements of the last sign-up:")
            for line in log.last:
                print("  " + line[:300])
        if args.profile:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
        app.state.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
