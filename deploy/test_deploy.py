"""The deployment, end to end on this machine (``make test-deploy``).

Starts a throwaway PostgreSQL cluster, two portal processes on different ports
as two "hosts", the background worker, and Debian's nginx with
deploy/nginx/gongzhi.conf (TLS with a throwaway certificate, ports and paths
rewritten for a temporary directory). Then, through nginx:

- pages, /readyz, static files' cache headers (a year with a version), /metrics refused;
- a burst of votes and a burst of volunteer sign-ups, during which one host is
  stopped (SIGTERM): every acknowledged vote and sign-up is stored exactly once,
  and the site keeps answering from the other host;
- the vote throughput with two hosts and with one;
- the worker's jobs run (a job_runs row).

``--direct`` runs the same without nginx, the clients spreading over the two
hosts themselves (for machines without nginx; it proves less). Everything it
starts listens on 127.0.0.1 and is stopped at the end. Exit status 0 when every
check passed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from participation.areas import Area  # noqa: E402
from participation.ballots.models import Participation  # noqa: E402
from participation.db import make_engine  # noqa: E402
from participation.job_runs import JobRun  # noqa: E402
from tests.support.pg import free_port, start_cluster  # noqa: E402
from tests.support.volunteering import make_shift  # noqa: E402
from tests.support.voters import SECRET, prepare_voters, stored_ballots  # noqa: E402
from volunteers.models import SignUp  # noqa: E402

VOTERS = 900
BURST = 300  # votes per burst: one during the stop, one with two hosts, one with one
CAPACITY = 40


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


class Stack:
    """The processes started, stopped in reverse order at the end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)


def wait_for(url: str, what: str, timeout: float = 120, verify: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2, verify=verify).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"test-deploy: {what} did not become ready at {url}")
        time.sleep(0.2)


def nginx_config(workdir: Path, port: int, hosts: list[int]) -> Path:
    """deploy/nginx/gongzhi.conf, with this run's ports, certificate and folders."""
    site = (ROOT / "deploy/nginx/gongzhi.conf").read_text()
    site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{hosts[0]}")
    site = site.replace("server 127.0.0.1:8002", f"server 127.0.0.1:{hosts[1]}")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    site = site.replace("listen [::]:80;\n", "").replace("listen [::]:443 ssl http2;\n", "")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
    site = site.replace("/etc/ssl/gongzhi/", f"{workdir}/")
    site = site.replace("/opt/gongzhi/static/", f"{ROOT}/static/")
    site = site.replace("/etc/nginx/gongzhi-proxy.conf", f"{ROOT}/deploy/nginx/gongzhi-proxy.conf")
    (workdir / "site.conf").write_text(site)
    conf = workdir / "nginx.conf"
    conf.write_text(
        # As root, nginx's workers would run as nobody, who may not read the checkout.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {workdir}/nginx-access.log;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    include {workdir}/site.conf;
}}
"""
    )
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(workdir / "privkey.pem"),
            "-out",
            str(workdir / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return conf


def burst(
    bases: list[str],
    people: list[tuple[int, str, str]],
    path: str,
    form: str,
    *,
    threads: int = 8,
    midway: Callable[[], None] | None = None,
) -> tuple[list[int], float]:
    """POST ``form`` to ``path`` as each person from ``threads`` clients (client n
    talks to ``bases[n % len(bases)]``); ``midway`` runs once half are sent.
    Returns the acknowledged (303) account ids and the seconds it took."""
    acknowledged: list[int] = []
    lock = threading.Lock()
    sent = [0]
    half = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(base_url=bases[n % len(bases)], timeout=30, verify=False) as http:
            for account_id, cookie, token in people[n::threads]:
                try:
                    response = http.post(
                        path,
                        content=f"csrf_token={token}{form}",
                        headers={
                            "Cookie": f"gongzhi_session={cookie}",
                            "Content-Type": "application/x-www-form-urlencoded",
                        },
                    )
                except httpx.HTTPError:
                    continue  # not acknowledged: the person would try again
                with lock:
                    sent[0] += 1
                    if sent[0] >= len(people) // 2:
                        half.set()
                    if response.status_code == 303:
                        acknowledged.append(account_id)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    if midway is not None:
        half.wait(timeout=300)
        midway()
    for w in workers:
        w.join()
    return acknowledged, time.perf_counter() - started


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, ok: bool, what: str) -> None:
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.failed.append(what)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--direct", action="store_true", help="without nginx (proves less)")
    args = parser.parse_args()
    nginx = None if args.direct else find_nginx()
    if not args.direct and nginx is None:
        print(
            "test-deploy: needs Debian's nginx (apt-get install nginx), or --direct",
            file=sys.stderr,
        )
        return 2
    check = Checks()
    workdir = Path(tempfile.mkdtemp(prefix="gongzhi-deploy-"))
    cluster = start_cluster()
    stack = Stack(workdir)
    try:
        admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE gongzhi"))
        admin.dispose()
        url = cluster.url("gongzhi")
        box_id, people = prepare_voters(url, VOTERS)  # migrates first
        engine = make_engine(url)
        with Session(engine) as s, s.begin():
            community = s.scalars(select(Area).where(Area.code == "M")).one()
            start = datetime.now(UTC) + timedelta(days=3)
            shift_id = make_shift(s, community, start, capacity=CAPACITY).id

        hosts = [free_port(), free_port()]
        front = free_port()
        base = f"https://127.0.0.1:{front}" if nginx else f"http://127.0.0.1:{hosts[0]}"
        env = os.environ | {
            "GONGZHI_DATABASE_URL": url,
            "GONGZHI_SECRET_KEY": SECRET,
            "GONGZHI_ENV": "test",
            "GONGZHI_BASE_URL": base,
            "GONGZHI_TRUST_PROXY": "1" if nginx else "0",
        }
        gongzhi = [sys.executable, "-m", "web.cli"]
        for n, port in enumerate(hosts, 1):
            stack.start(f"host{n}", [*gongzhi, "serve", "--port", str(port)], env)
        stack.start("worker", [*gongzhi, "worker"], env)
        for port in hosts:
            wait_for(f"http://127.0.0.1:{port}/readyz", f"the portal on port {port}")
        if nginx:
            conf = nginx_config(workdir, front, hosts)
            stack.start("nginx", [nginx, "-c", str(conf), "-g", "daemon off;"], env)
            wait_for(f"{base}/healthz", "nginx", verify=False)
            bases = [base]
        else:
            bases = [f"http://127.0.0.1:{port}" for port in hosts]

        for front_base in bases:
            with httpx.Client(base_url=front_base, verify=False, timeout=30) as http:
                ready = http.get("/readyz")
                check(ready.status_code == 200 and ready.json()["status"] == "ready", "/readyz")
                pages = [http.get("/").status_code for _ in range(20)]
                check(pages == [200] * 20, "20 home pages")
                # Through nginx the peer is loopback: refused all the same.
                proxied = http.get("/metrics", headers={} if nginx else {"X-Real-IP": "1.2.3.4"})
                check(proxied.status_code == 404, "/metrics is not served through a proxy")
        with httpx.Client(base_url=bases[0], verify=False, timeout=30) as http:
            if nginx:
                css = http.get("/static/css/site.css")
                check(
                    css.status_code == 200
                    and "max-age=604800" in css.headers.get("cache-control", ""),
                    "static files without a version from nginx with a week's cache",
                )
                # The page names them with their content's hash: kept a year.
                named = re.findall(
                    r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]{10})"', http.get("/").text
                )
                kept = [http.get(url).headers.get("cache-control") for url in named]
                check(
                    len(named) >= 4
                    and any("/vendor/" in url for url in named)  # through the portal
                    and kept == ["public, max-age=31536000, immutable"] * len(named),
                    f"{len(named)} versioned static files from the home page kept a year",
                )
                check(len(http.get("/").headers.get("x-request-id", "")) == 32, "request id")
        served = []
        for port in hosts:
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            served.append(
                sum(
                    float(line.rsplit(" ", 1)[1])
                    for line in metrics.splitlines()
                    if line.startswith('gongzhi_http_requests_total{method="GET",route="/"')
                )
            )
        check(all(n > 0 for n in served), f"both hosts served pages {served}")

        # Votes while host 1 stops, then sign-ups on host 2 alone.
        cast = f"/ballots/{box_id}/cast"
        during, _ = burst(
            bases, people[:BURST], cast, "&item=1", midway=lambda: stack.stop("host1")
        )
        after_bases = bases if nginx else [f"http://127.0.0.1:{hosts[1]}"]
        with httpx.Client(base_url=after_bases[0], verify=False, timeout=30) as http:
            pages = [http.get("/").status_code for _ in range(20)]
        check(pages == [200] * 20, "the site answers with one host stopped")
        signups, _ = burst(after_bases, people[:200], f"/volunteers/shifts/{shift_id}/signup", "")
        with Session(engine) as s:
            voters = list(
                s.scalars(select(Participation.voter_key).where(Participation.box_id == box_id))
            )
            rows = s.execute(select(SignUp.account_id, SignUp.status)).all()
            ballots = stored_ballots(s, box_id)
        # One participation per voter is the table's key; each has one ballot beside it.
        check(ballots == len(voters), f"{len(voters)} voters, {ballots} ballots: each counted once")
        check(len(voters) >= len(during), f"{len(during)} acknowledged votes, {len(voters)} stored")
        stored_signups = [r.account_id for r in rows]
        check(
            set(signups) <= set(stored_signups) and len(stored_signups) == len(set(stored_signups)),
            f"{len(signups)} acknowledged sign-ups stored once each",
        )
        check(
            sum(1 for r in rows if r.status == "confirmed") == min(CAPACITY, len(rows)),
            "the shift confirmed no more than its places",
        )

        # Throughput: one host now, then both again.
        _, one = burst(after_bases, people[BURST : 2 * BURST], cast, "&item=1")
        port = hosts[0]
        stack.start("host1", [*gongzhi, "serve", "--port", str(port)], env)
        wait_for(f"http://127.0.0.1:{port}/readyz", "host 1 again")
        if nginx:
            time.sleep(11)  # nginx's fail_timeout: host 1 is tried again after it
        two_bases = bases if nginx else [f"http://127.0.0.1:{p}" for p in hosts]
        _, two = burst(two_bases, people[2 * BURST : 3 * BURST], cast, "&item=1")
        print(
            f"vote burst of {BURST} through {'nginx' if nginx else 'the hosts directly'}: "
            f"one host {BURST / one:.0f}/s, two hosts {BURST / two:.0f}/s",
            flush=True,
        )
        with Session(engine) as s:
            total = s.scalar(
                select(func.count())
                .select_from(Participation)
                .where(Participation.box_id == box_id)
            )
        check(total is not None and total <= 3 * BURST, f"{total} votes stored in all")

        # The worker: its first minute comes within 60 s.
        deadline = time.monotonic() + 90
        ran = 0
        while time.monotonic() < deadline and not ran:
            with Session(engine) as s:
                ran = (
                    s.scalar(select(func.count()).select_from(JobRun).where(JobRun.status == "ok"))
                    or 0
                )
            time.sleep(1)
        check(ran > 0, "the worker ran its jobs")
        engine.dispose()
    finally:
        stack.stop_all()
        cluster.stop()
    if check.failed:
        print(f"test-deploy: {len(check.failed)} checks failed; logs in {workdir}")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    print("test-deploy: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
