"""Filing one resident request, in process: SQL statements per filing (and how many
run while SQLite's write lock is held, and for how long), CPU per filing, and where
the CPU goes.

python bench/profile_intake.py [--filings N] [--statements] [--profile]

Filings (POST /requests/new, as bench_intake.py sends them) run one after another
through the ASGI app, called directly in this thread (no server, no client: the CPU
measured is the app's own), so the figures are for one request without contention;
bench_intake.py measures the same path under load through a real server.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from bench_intake import prepare
from harness import ROOT, machine, post_form, timed_posts
from profile_signup import StatementLog

sys.path.insert(0, str(ROOT))

from sqlalchemy import event

from tests.support.voters import SECRET
from web.app import create_app
from web.settings import Settings

TEXT = quote("小区门口垃圾堆积")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--filings", type=int, default=1000)
    parser.add_argument("--statements", action="store_true", help="print the last one's SQL")
    parser.add_argument("--profile", action="store_true", help="print the cProfile top 30")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument("--callees", default="", help="print what functions matching this call")
    args = parser.parse_args()
    print(machine())
    with open("/proc/loadavg") as fh:
        print(f"load average before: {' '.join(fh.read().split()[:3])}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/intake.db"
        people_file = Path(tmp) / "people.txt"
        prepare(url, people_file)
        people = [line.split("\t") for line in people_file.read_text().splitlines()]
        grid_of = {cookie: grid for cookie, _token, grid in people}
        settings = Settings(
            environment="development",  # as bench_intake.py serves it
            database_url=url,
            secret_key=SECRET,
            base_url="http://testserver",
        )
        app = create_app(settings)
        log = StatementLog()
        event.listen(app.state.engine, "before_cursor_execute", log.before)
        event.listen(app.state.engine, "commit", log.ended)
        event.listen(app.state.engine, "rollback", log.ended)
        profiler = cProfile.Profile()
        statuses: Counter[int] = Counter()
        sent = 0

        async def post(cookie: str, token: str) -> int:
            nonlocal sent
            sent += 1
            body = (
                f"csrf_token={token}&category=environment&area_id={grid_of[cookie]}"
                f"&description={TEXT}{sent}"
            ).encode()
            status: int = await post_form(app, "/requests/new", body, cookie)
            return status

        sessions = [(cookie, token) for cookie, token, _grid in people]
        sessions = (sessions * (args.filings // len(sessions) + 2))[: args.filings + 1]
        first = sessions.pop(0)
        asyncio.run(post(*first))  # warm imports and caches
        log.__init__()
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
        print(f"{n} filings one after another: statuses {dict(statuses)}")
        kinds = ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(log.kinds.items()))
        print(
            f"per filing: {log.total / n:.2f} statements, {log.locked / n:.2f} of them "
            f"under the write lock ({kinds}); lock held {log.lock_seconds / n * 1e3:.2f} ms "
            f"wall, {log.lock_cpu / n * 1e3:.2f} ms CPU (to the commit)"
        )
        print(f"per filing: {cpu / n * 1e3:.2f} ms CPU, {wall / n * 1e3:.2f} ms wall")
        if args.statements:
            print("statements of the last filing:")
            for line in log.last:
                print("  " + line[:300])
        if args.profile:
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(30)
            if args.callees:
                stats.print_callees(args.callees)
        app.state.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
