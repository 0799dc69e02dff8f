"""HTTP throughput of the portal's pages next to a bare Starlette app, same run.

python bench/bench_http.py [--quick] [--workers N] [--pg] [--previous REF] [--rounds R]

Both apps run under uvicorn on 127.0.0.1 (the portal with ``--workers``, 2 by
default; the bare app with 2); ApacheBench (C, so the load generator costs the
2-core box little) drives 32 concurrent connections for a fixed number of
requests or a time limit, whichever comes first. Figures are reported as ratios
against the bare app measured in the same run. ``--pg`` serves the demo from a
throwaway PostgreSQL cluster too; ``--previous REF`` serves the code of a git ref
(unpacked with ``git archive``) from the same database, next to this code: both
servers run at once (one idle while the other is measured) and the runs of each
page alternate between them, ``--rounds`` times.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

from harness import (
    BIN,
    HEADER,
    KINDS,
    PORTAL_ENV,
    Databases,
    ab,
    code_trees,
    free_port,
    load_average,
    machine,
    portal_command,
    row,
    server,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from web.cli import load_demo
from web.settings import Settings

PAGES = [
    ("home page /", "/"),
    ("area list /areas", "/areas"),
    # Near the end of the route table: what routing by first segment saves.
    ("volunteering /volunteers", "/volunteers"),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pg", action="store_true", help="PostgreSQL too (a throwaway cluster), after SQLite"
    )
    parser.add_argument(
        "--previous", metavar="REF", help="the code of this git ref too, served the same way"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="runs of each page, alternating between the codes"
    )
    args = parser.parse_args()
    requests, seconds = (3000, 5) if args.quick else (20000, 15)
    print(machine())
    print(f"load average before: {load_average()}")
    hello_port = free_port()
    hello = [str(BIN / "uvicorn"), "hello:app", "--app-dir", "bench", "--workers", "2"]
    hello += ["--port", str(hello_port), "--log-level", "warning", "--no-access-log"]
    with server(hello, hello_port):
        ab(f"http://127.0.0.1:{hello_port}/", requests=500, seconds=2)  # warm up
        baseline = ab(f"http://127.0.0.1:{hello_port}/", requests=requests, seconds=seconds)
    print(f"load: ab, 32 concurrent connections, {requests} requests or {seconds} s at most each")
    print(f"the portal with {args.workers} workers on the demo data")
    print(f"{'database':<11} {'code':<20} {HEADER}")
    print(f"{'':<11} {'':<20} {row('bare Starlette hello', baseline, None)}")
    databases = Databases()
    try:
        with code_trees(args.previous) as trees:
            for kind in ["sqlite", *(["postgresql"] if args.pg else [])]:
                url = databases.url(kind, f"http_{kind}")
                load_demo(Settings(environment="development", database_url=url, cheap_hashing=True))
                with ExitStack() as servers:
                    ports = []
                    for _label, tree in trees:  # all up at once: the runs alternate
                        port = free_port()
                        env = {**PORTAL_ENV, "GONGZHI_DATABASE_URL": url}
                        servers.enter_context(
                            server(portal_command(args.workers, port), port, env, cwd=tree)
                        )
                        ab(f"http://127.0.0.1:{port}/", requests=500, seconds=2)  # warm up
                        ports.append(port)
                    for name, path in PAGES:
                        for _round in range(args.rounds):
                            for (label, _tree), port in zip(trees, ports, strict=True):
                                load = ab(
                                    f"http://127.0.0.1:{port}{path}",
                                    requests=requests,
                                    seconds=seconds,
                                )
                                print(
                                    f"{KINDS[kind]:<11} {label:<20} {row(name, load, baseline)}",
                                    flush=True,
                                )
    finally:
        databases.close()
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
