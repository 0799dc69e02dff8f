"""Casting one ballot, in process: SQL statements per cast (and how many run while
the write lock is held), CPU per cast, ballots per second of one worker.

python bench/profile_cast.py [--voters N] [--rounds R] [--profile]

Casts run one after another through the ASGI app, called directly in this
thread (no server, no client: the CPU measured is the app's own), so the
figures are for one request without contention. bench_cast.py measures the
same path under load through a real server (it needs wrk); this one needs
nothing but the portal, so it also runs where wrk is missing. With --rounds,
each round casts ``voters`` ballots into a fresh box and the best round counts
(the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
from collections import Counter
from typing import Any

from harness import ROOT, machine, post_form, timed_posts
from profile_signup import StatementLog

sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from participation.ballots.models import Participation
from tests.support.voters import SECRET, prepare_voters
from web.app import create_app
from web.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--statements", action="store_true", help="print the last one's SQL")
    parser.add_argument("--profile", action="store_true", help="print the cProfile top 30")
    args = parser.parse_args()
    print(machine())
    best: tuple[float, float] | None = None
    for _round in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/cast.db"
            box_id, people = prepare_voters(url, args.voters + 1)
            settings = Settings(
                environment="development", database_url=url, secret_key=SECRET,
                base_url="http://testserver",
            )  # fmt: skip
            app = create_app(settings)
            log = StatementLog()
            event.listen(app.state.engine, "before_cursor_execute", log.before)
            event.listen(app.state.engine, "commit", log.ended)
            event.listen(app.state.engine, "rollback", log.ended)
            profiler = cProfile.Profile()
            statuses: Counter[int] = Counter()
            path = f"/ballots/{box_id}/cast"

            async def post(cookie: str, token: str, path: str = path, app: Any = app) -> int:
                body = f"csrf_token={token}&item=1".encode()
                return await post_form(app, path, body, cookie)

            asyncio.run(post(people[0][1], people[0][2]))  # warm imports and caches
            log.__init__()  # type: ignore[misc]
            cpu, wall = asyncio.run(
                timed_posts(
                    post,
                    [(cookie, token) for _account, cookie, token in people[1:]],
                    statuses=statuses,
                    log=log,
                    profiler=profiler if args.profile else None,
                )
            )
            with Session(app.state.engine) as s:
                stored = s.scalar(select(func.count()).select_from(Participation))
            app.state.engine.dispose()
        n = args.voters
        print(f"{n} casts one after another: statuses {dict(statuses)}, {stored} stored")
        kinds = ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(log.kinds.items()))
        print(
            f"  per cast: {log.total / n:.2f} statements, {log.locked / n:.2f} under the write "
            f"lock ({kinds}); lock held {log.lock_seconds / n * 1e3:.3f} ms wall, "
            f"{log.lock_cpu / n * 1e3:.3f} ms CPU; {cpu / n * 1e3:.3f} ms CPU, "
            f"{wall / n * 1e3:.3f} ms wall ({n / wall:.0f} casts/s)"
        )
        if best is None or cpu < best[0]:
            best = (cpu, wall)
        if args.statements:
            print("statements of the last cast:")
            for line in log.last:
                print("    " + line[:300])
        if args.profile:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    assert best is not None
    print(
        f"best round: {best[0] / args.voters * 1e3:.3f} ms CPU per cast, "
        f"{args.voters / best[1]:.0f} casts/s in one thread"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
