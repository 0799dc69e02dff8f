"""Issue 17's table: every main page and action at demo and city scale, on SQLite and
PostgreSQL, next to the reference page measured in the same run.

    python bench/bench_city.py [--scale demo|city] [--fraction F] [--db sqlite,postgresql]
                               [--seconds N] [--connections C]
    python bench/bench_city.py --loaded URL --scale city   (a database loaded before)

For each database (SQLite in a temporary file; PostgreSQL in a throwaway cluster,
tests/support/pg.py): migrate and load the demo (``load_demo``), measure; with
``--scale city`` then load the city on top (``gongzhi demo --scale city``'s loader,
``--fraction`` of it) and measure again. Each measurement starts the portal
(``gongzhi serve --workers W``: 2 on SQLite, 2 and 4 on PostgreSQL) and the
reference page (bench/reference.py: Starlette + Jinja2 + SQLAlchemy listing 50 rows
of the same database, same workers) and drives them with ApacheBench (pages: C
connections, N seconds or 20,000 requests each) and wrk (actions, bench/post.lua:
every request a different signed-in person). The reference is measured before and
after the pages; the ratio uses their mean. Pages are found on the largest record
of their kind (demo.city_scale.main_pages), so that the same row names the demo's
record on the demo and the city's at city scale. The load average is printed with
each measurement: the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import BIN, PORTAL_ENV, ROOT, Load, ab, free_port, machine, server

sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from demo.city_scale import main_pages
from participation.accounts import Account, find_by_login
from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from participation.rolls import RollEntry, rebuild_counts
from tests.support.voters import signed_in
from volunteers.activities import create_activity, create_shift
from volunteers.teams import create_team
from web.city_scale_cli import load_city
from web.cli import load_demo
from web.migrate import upgrade
from web.settings import Settings

SECRET = "bench-city-secret-key-bench-city-secret-key-0123"
PEOPLE = 12_000  # people per action run: more than a run of a few seconds can post


@dataclass(frozen=True)
class Result:
    database: str
    workers: int
    scale: str
    name: str
    load: Load
    reference: float  # req/s of the reference page, same run (mean of before and after)


def loadavg() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def _people(s: Session, community: Area, n: int, tag: str) -> list[int]:
    """``n`` verified residents of ``community`` (accounts without passwords)."""
    s.execute(
        insert(Account),
        [{"username": f"{tag}-{k}", "display_name": f"{tag}-{k}"} for k in range(n)],
    )
    ids = list(
        s.scalars(select(Account.id).where(Account.username.like(f"{tag}-%")).order_by(Account.id))
    )
    s.execute(
        insert(RollEntry),
        [
            {
                "community_id": community.id,
                "name": f"{tag}-{k}",
                "id_hash": hashlib.sha256(f"bench-{tag}-{k}".encode()).hexdigest(),
                "birth_date": datetime(1980, 1, 1).date(),
                "household_code": f"{tag}-{k}",
                "account_id": account_id,
                "verified_at": datetime.now(UTC),
            }
            for k, account_id in enumerate(ids)
        ],
    )
    # The roll went in past the ORM: its per-community counts are counted afresh.
    rebuild_counts(s)
    return ids


def prepare_actions(url: str, tag: str, folder: Path) -> dict[str, tuple[str, Path, str]]:
    """An open ballot box and an upcoming shift in the largest community, with
    people to cast and sign up: per action (path, people file, extra form fields)."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        biggest = s.scalar(
            select(RollEntry.community_id)
            .group_by(RollEntry.community_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        community = s.get(Area, biggest)
        assert community is not None
        voters = _people(s, community, PEOPLE, f"bv{tag}")
        box = create_box(
            s,
            NewBox(
                title=f"bench {tag}",
                area=community,
                roll=Roll.RESIDENTS,
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(hours=2),
                form=BallotForm(FormKind.CHOOSE, 1, 2),
                rule={"rule": "approval", "places": 1},
                items=[NewItem("a"), NewItem("b"), NewItem("c")],
            ),
            None,
        )
        team = create_team(
            s, area=community, name=f"基准服务队{tag}", kind="featured", join_mode="open"
        )
        activity = create_activity(s, team, title="基准活动", service_content="基准")
        start = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        shift = create_shift(
            s,
            activity,
            area=community,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            capacity=100,
            place="社区广场",
        )
        volunteers = _people(s, community, PEOPLE, f"bs{tag}")
        actions = {
            "cast a ballot (POST)": (f"/ballots/{box.id}/cast", voters, "&item=1&item=2"),
            "sign up for a shift (POST)": (f"/volunteers/shifts/{shift.id}/signup", volunteers, ""),
        }
    engine.dispose()
    out = {}
    for name, (path, ids, extra) in actions.items():
        file = folder / f"{tag}-{len(out)}.txt"
        with file.open("w") as fh:
            for _id, cookie, token in signed_in(ids, SECRET):
                fh.write(f"{cookie}\t{token}\n")
        out[name] = (path, file, extra)
    return out


def page(url: str, seconds: int, connections: int, cookie: str | None = None) -> Load:
    """ab on one page; a page that answered nothing within the time (or a request
    that took more than ab's 30 s) is a zero."""
    try:
        return ab(url, requests=20_000, seconds=seconds, connections=connections, cookie=cookie)
    except (RuntimeError, subprocess.CalledProcessError):  # ab gives up after 30 s
        return Load(0, 0.0, float("nan"), float("nan"), 0)


def warm(url: str, cookie: str | None = None) -> None:
    """A few requests first (each worker compiles its statements, fills its caches);
    a page slower than a minute for them is left cold (its figures will say so)."""
    extra = ["-C", cookie] if cookie else []
    with contextlib.suppress(subprocess.TimeoutExpired):
        subprocess.run(
            ["ab", "-q", "-n", "6", "-c", "2", *extra, url], capture_output=True, timeout=60
        )


def wrk_post(url: str, people: Path, extra: str, seconds: int, connections: int) -> Load:
    """wrk with bench/post.lua: each request a different person. Counts the answers
    that are not 2xx/3xx as errors (a repeat after the file ran out is one)."""
    lua = ["-s", str(ROOT / "bench" / "post.lua"), url, "--", str(people), "2", extra]
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", *lua],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    total = int(re.search(r"(\d+) requests in ([\d.]+)(m?s)", out).group(1))  # type: ignore[union-attr]
    found = re.search(r"requests in ([\d.]+)(m?s)", out)
    assert found is not None
    took = float(found.group(1)) / (1000 if found.group(2) == "ms" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def ms(label: str) -> float:
        value = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out)
        assert value is not None
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[value.group(2)]
        return float(value.group(1)) * scale

    return Load(total, total / took, ms("50%"), ms("99%"), int(bad.group(1)) if bad else 0)


def measure(
    url: str, database: str, scale: str, workers: int, args: argparse.Namespace, folder: Path
) -> list[Result]:
    settings_env = {
        **PORTAL_ENV,
        "GONGZHI_DATABASE_URL": url,
        "GONGZHI_SECRET_KEY": SECRET,
        "GONGZHI_PAGE_CACHE_MB": str(args.page_cache_mb),
    }
    engine = make_engine(url)
    with Session(engine) as s:
        pages = main_pages(s)
        leader, admin = find_by_login(s, "leader"), find_by_login(s, "admin")
        assert leader is not None and admin is not None
    engine.dispose()
    # A fresh tag per run: a database measured again (--loaded) gets new people.
    actions = prepare_actions(
        url, f"{database[0]}{scale[0]}{workers}{secrets.token_hex(3)}", folder
    )
    # Pages marked "(office)" are asked as the demo's team leader, "(admin)" as its admin.
    cookies = {
        f"({role})": f"gongzhi_session={cookie}"
        for role, (_id, cookie, _token) in zip(
            ("office", "admin"), signed_in([leader.id, admin.id], SECRET), strict=True
        )
    }
    ref_port, port = free_port(), free_port()
    reference = [str(BIN / "uvicorn"), "reference:app", "--app-dir", str(ROOT / "bench")]
    reference += ["--workers", str(workers), "--port", str(ref_port)]
    reference += ["--log-level", "warning", "--no-access-log"]
    portal = [str(BIN / "gongzhi"), "serve", "--workers", str(workers), "--port", str(port)]
    portal += ["--quiet"]
    env = {**settings_env, "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}"}
    secs, conns = args.seconds, args.connections
    results: list[tuple[str, Load]] = []
    print(f"{database}, {scale}, {workers} workers: load average {loadavg()}", flush=True)
    with (
        server(
            reference,
            ref_port,
            {"REFERENCE_DATABASE_URL": url, "REFERENCE_SECRET": SECRET},
            start_within=120,
        ),
        server(portal, port, env, start_within=120),
    ):
        ref_url, base = f"http://127.0.0.1:{ref_port}/", f"http://127.0.0.1:{port}"
        warm(ref_url)
        for path in pages.values():
            warm(base + path)
        before = page(ref_url, secs, conns)
        for name, path in pages.items():
            who = next((c for mark, c in cookies.items() if mark in name), None)
            if who:
                warm(base + path, who)
            results.append((name, page(base + path, secs, conns, who)))
        after = page(ref_url, secs, conns)
        # What being signed in costs by itself (bench/reference.py): the ceiling of
        # a signed-in page's ratio, measured with the leader's cookie.
        signed = page(f"{ref_url}signed-in", secs, conns, cookies["(office)"])
        for name, (path, people, extra) in actions.items():
            results.append((name, wrk_post(base + path, people, extra, secs, conns)))
    ref = (before.rps + after.rps) / 2
    print(
        f"  reference {before.rps:.0f} req/s before, {after.rps:.0f} after; "
        f"load average {loadavg()}",
        flush=True,
    )
    mean = Load(
        before.requests + after.requests,
        ref,
        (before.p50_ms + after.p50_ms) / 2,
        max(before.p99_ms, after.p99_ms),
        before.errors + after.errors,
    )
    print(f"  pages: {', '.join(pages.values())}", flush=True)
    out = [Result(database, workers, scale, "reference page (50 rows; mean of 2 runs)", mean, ref)]
    out += [Result(database, workers, scale, SIGNED_REFERENCE, signed, ref)]
    out += [Result(database, workers, scale, name, load, ref) for name, load in results]
    return out


#: The row of the reference page read signed in (bench/reference.py, /signed-in).
SIGNED_REFERENCE = "reference page signed in (session, account, 50 rows)"


def table(results: list[Result]) -> str:
    """One table: a row per page and action, a column group per run."""
    runs = list(dict.fromkeys((r.database, r.workers, r.scale) for r in results))
    names = list(dict.fromkeys(r.name for r in results))
    by = {(r.database, r.workers, r.scale, r.name): r for r in results}
    lines = [
        "| page or action | "
        + " | ".join(f"{d} {w}w {s}: req/s, p50/p99 ms, x ref" for d, w, s in runs)
        + " |",
        "|---|" + "---|" * len(runs),
    ]
    for name in names:
        cells = []
        for run in runs:
            r = by.get((*run, name))
            if r is None:
                cells.append("—")
                continue
            errors = f", {r.load.errors} non-2xx/3xx" if r.load.errors else ""
            ratio = r.load.rps / r.reference if r.reference else float("nan")
            # none answered within the time: no latencies
            times = f"{r.load.p50_ms:.0f}/{r.load.p99_ms:.0f}" if r.load.requests else "—"
            cells.append(f"{r.load.rps:,.0f}, {times}, {ratio:.2f}{errors}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdicts(results: list[Result]) -> list[str]:
    """Issue 17's two targets, for every page measured at both scales."""
    by = {(r.database, r.workers, r.scale, r.name): r for r in results}
    said = []
    for (database, workers, scale, name), r in by.items():
        if scale != "city" or name.startswith("reference"):
            continue
        ratio = r.load.rps / r.reference if r.reference else 0.0
        demo = by.get((database, workers, "demo", name))
        slower = demo.load.rps / r.load.rps if demo and r.load.rps else None
        misses = []
        if ratio < 0.8 and "(POST)" not in name:
            misses.append(f"{ratio:.2f} of the reference")
            signed = by.get((database, workers, scale, SIGNED_REFERENCE))
            if ("(office)" in name or "(admin)" in name) and signed and signed.load.rps:
                misses[-1] += f" ({r.load.rps / signed.load.rps:.2f} of the signed-in one)"
        if slower is not None and slower > 1.5:
            misses.append(f"{slower:.1f}x slower than on the demo")
        if misses:
            said.append(f"{database} {workers}w: {name}: " + ", ".join(misses))
    return said


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["demo", "city"], default="demo")
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--page-cache-mb",
        type=int,
        default=32,
        help="the portal's page cache (web/kit/page_cache.py; 0: off, to measure every "
        "page rendered anew; the roster, signed in, is never served from it)",
    )
    parser.add_argument(
        "--loaded",
        metavar="URL",
        help="measure only this database, already loaded (e.g. by gongzhi demo --scale city), "
        "as its --scale; it gains a ballot box, a shift and their people",
    )
    args = parser.parse_args()
    print(machine())
    print(
        f"page cache: {args.page_cache_mb} MB per process"
        if args.page_cache_mb
        else "page cache: off"
    )
    print(f"load average before: {loadavg()}", flush=True)
    results: list[Result] = []
    loaded: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.loaded:
            database = args.loaded.split(":")[0].split("+")[0]
            workers = [2] if database == "sqlite" else [2, 4]
            for w in workers:
                results += measure(args.loaded, database, args.scale, w, args, folder)
        for database in [] if args.loaded else args.db.split(","):
            cluster = None
            if database == "sqlite":
                url = f"sqlite:///{folder}/bench.db"
                workers = [2]
            else:
                from tests.support.pg import start_cluster

                cluster = start_cluster()
                admin = make_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text("CREATE DATABASE bench"))
                admin.dispose()
                url = cluster.url("bench")
                upgrade(url)
                workers = [2, 4]
            try:
                settings = Settings(
                    environment="development",
                    database_url=url,
                    cheap_hashing=True,
                    secret_key=SECRET,
                )
                load_demo(settings)
                for w in workers:
                    results += measure(url, database, "demo", w, args, folder)
                if args.scale == "city":
                    started = time.perf_counter()
                    counts = load_city(settings, fraction=args.fraction)
                    took = time.perf_counter() - started
                    loaded.append(
                        f"{database}: city x {args.fraction} loaded in {took:.0f} s "
                        f"({counts.people:,} people, {counts.hours:,} hours entries, "
                        f"{counts.ballots:,} ballots, {counts.statement_votes:,} "
                        f"votes, {counts.responses:,} responses)"
                    )
                    print(loaded[-1], flush=True)
                    for w in workers:
                        results += measure(url, database, "city", w, args, folder)
            finally:
                if cluster is not None:
                    cluster.stop()
    print()
    print(
        f"ab (pages) and wrk (actions, each post a different person), {args.connections} "
        f"connections, {args.seconds} s each; x ref = req/s over the reference page's"
    )
    for line in loaded:
        print(line)
    print(table(results))
    print(f"load average after: {loadavg()}")
    missed = verdicts(results)
    if args.scale == "city":
        print(
            "issue 17's targets (>= 0.8 of the reference, <= 1.5x slower than the demo) "
            + ("missed by:" if missed else "met everywhere")
        )
        for line in missed:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
