"""HTTP throughput of the portal's pages next to a bare Starlette app, same run.

python bench/bench_http.py [--quick]

Both apps run under uvicorn with 2 workers on 127.0.0.1; ApacheBench (C, so the
load generator costs the 2-core box little) drives 32 concurrent connections for
a fixed number of requests or a time limit, whichever comes first. Figures are reported as
ratios against the bare app measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from harness import BIN, HEADER, ab, free_port, machine, row, server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from web.cli import load_demo
from web.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    requests, seconds = (3000, 5) if args.quick else (20000, 15)
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        load_demo(Settings(environment="development", database_url=url, cheap_hashing=True))
        hello_port, portal_port = free_port(), free_port()
        hello = [
            str(BIN / "uvicorn"),
            "hello:app",
            "--app-dir",
            "bench",
            "--workers",
            "2",
            "--port",
            str(hello_port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        portal = [
            str(BIN / "gongzhi"),
            "serve",
            "--workers",
            "2",
            "--port",
            str(portal_port),
            "--quiet",
        ]
        with server(hello, hello_port), server(portal, portal_port, {"GONGZHI_DATABASE_URL": url}):
            for base in (f"http://127.0.0.1:{hello_port}/", f"http://127.0.0.1:{portal_port}/"):
                ab(base, requests=500, seconds=2)  # warm up
            baseline = ab(f"http://127.0.0.1:{hello_port}/", requests=requests, seconds=seconds)
            home = ab(f"http://127.0.0.1:{portal_port}/", requests=requests, seconds=seconds)
            areas = ab(f"http://127.0.0.1:{portal_port}/areas", requests=requests, seconds=seconds)
            # Near the end of the route table: what routing by first segment saves.
            volunteers = ab(
                f"http://127.0.0.1:{portal_port}/volunteers", requests=requests, seconds=seconds
            )
    print(f"load: ab, 32 concurrent connections, {requests} requests or {seconds} s at most each")
    print(HEADER)
    print(row("bare Starlette hello", baseline, None))
    print(row("home page /", home, baseline))
    print(row("area list /areas", areas, baseline))
    print(row("volunteering /volunteers", volunteers, baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
