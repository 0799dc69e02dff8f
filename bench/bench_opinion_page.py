"""The consultation page with a city-scale opinion map while votes stream in, next
to a plain consultation page (no votes) in the same run (issue 17, item 3).

python bench/bench_opinion_page.py [--participants N] [--statements M] [--per-person K]
                                   [--seconds S] [--votes-per-second V] [--no-worker]

SQLite; the portal with 2 workers (``gongzhi serve``), the background worker
(``gongzhi worker``) beside it recomputing the stored map as votes arrive (debounce
5 s quiet, 15 s at most, 15 s apart: shorter than the defaults, so that it
recomputes during the load), and a
thread inserting votes at V per second (straight into the database: the bench
measures the page, not the vote form). ab keeps 16 connections busy on one page
at a time, the pages alternating, twice each. Before the load: how long the
worker's computation of the map takes at this scale, and how long the page took
before this change whenever votes had arrived (it computed the map inside the
request: the code path of 82d9cf5, timed in process).

Target: the page with the map as fast as the plain page.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from datetime import timedelta

from harness import BIN, ROOT, Load, ab, free_port, machine, server

sys.path.insert(0, str(ROOT))

from bench_opinion import conversation
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultations import deliberation, meetings, opinion_maps, topics
from consultations.models import OpinionStatement, OpinionVote, StoredOpinionMap
from participation.accounts import Account
from participation.db import make_engine, utcnow
from tests.support.consultations import community
from web.migrate import upgrade

SECRET = "bench-secret-key-bench-secret-key-0123456789"


def announce(s: Session, c: object, title: str) -> int:
    now = utcnow()
    topic = topics.propose_topic(
        s,
        area=c.area,  # type: ignore[attr-defined]
        title=title,
        body="",
        source="resident",
        proposer_id=c.residents[0].id,  # type: ignore[attr-defined]
    )
    topic.status = "accepted"
    consultation = meetings.announce(
        s,
        topic,
        meetings.Announcement(
            title=title,
            agenda="讨论方案",
            materials="",
            place="社区议事厅",
            online_link="",
            meets_at=now + timedelta(days=4),
            deliberation_opens_at=now - timedelta(days=1),
            deliberation_closes_at=now + timedelta(days=10),
        ),
        c.worker.id,  # type: ignore[attr-defined]
        now,
    )
    return consultation.id


def seed(url: str, people: int, statements: int, per_person: int) -> tuple[int, int, list[int]]:
    """A consultation with ``people`` x ``statements`` sparse votes, and a plain one."""
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with Session(engine) as s, s.begin():
        c = community(s, residents=2)
        big = announce(s, c, "城市更新方案协商")
        plain = announce(s, c, "楼道照明协商")
        author = c.residents[0].id
        s.execute(
            insert(Account),
            [{"username": f"p{n:06d}", "display_name": f"参与者{n}"} for n in range(people)],
        )
        accounts = list(
            s.scalars(select(Account.id).where(Account.username.like("p%")).order_by(Account.id))
        )
        s.execute(
            insert(OpinionStatement),
            [
                {"consultation_id": big, "author_id": author, "text": f"观点{n}"}
                for n in range(statements)
            ],
        )
        ids = list(
            s.scalars(
                select(OpinionStatement.id)
                .where(OpinionStatement.consultation_id == big)
                .order_by(OpinionStatement.id)
            )
        )
    at = utcnow() - timedelta(hours=1)
    votes = conversation(people, statements, per_person)
    with engine.begin() as conn:
        for start in range(0, len(votes), 20_000):
            conn.execute(
                insert(OpinionVote),
                [
                    {
                        "consultation_id": big,
                        "statement_id": ids[sid],
                        "account_id": accounts[p],
                        "choice": choice,
                        "voted_at": at,
                    }
                    for p, sid, choice in votes[start : start + 20_000]
                ],
            )
    with Session(engine) as s, s.begin():
        deliberation.recount_statement_votes(s, big)
    print(f"seeded {len(votes):,} votes in {time.perf_counter() - started:.0f} s")
    engine.dispose()
    return big, plain, accounts


def stream_votes(
    url: str, consultation_id: int, accounts: list[int], rate: float, stop: threading.Event
) -> list[int]:
    """Insert votes at ``rate`` per second until ``stop``; returns [votes inserted]."""
    engine = make_engine(url)
    rng = random.Random(17)
    with Session(engine) as s:
        statements = list(
            s.scalars(
                select(OpinionStatement.id).where(
                    OpinionStatement.consultation_id == consultation_id
                )
            )
        )
    done = [0]
    started = time.monotonic()
    while not stop.is_set():
        try:
            with Session(engine) as s, s.begin():
                s.add(
                    OpinionVote(
                        consultation_id=consultation_id,
                        statement_id=rng.choice(statements),
                        account_id=rng.choice(accounts),
                        choice=rng.choice((-1, 0, 1)),
                        voted_at=utcnow(),
                    )
                )
            done[0] += 1
        except IntegrityError:
            pass  # that person had voted on that statement
        wait = started + done[0] / rate - time.monotonic()
        if wait > 0:
            stop.wait(wait)
    engine.dispose()
    return done


def load_average() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def row(name: str, load: Load, baseline: Load | None) -> str:
    ratio = f"{load.rps / baseline.rps:.2f}" if baseline else "1.00"
    return (
        f"  {name:<44} {load.rps:>7.0f} req/s  p50 {load.p50_ms:>5.0f} ms  "
        f"p99 {load.p99_ms:>5.0f} ms  ratio {ratio}  errors {load.errors}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=500)
    parser.add_argument("--per-person", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--votes-per-second", type=float, default=20)
    parser.add_argument("--no-worker", action="store_true")
    args = parser.parse_args()
    print(machine())
    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/opinion.db"
        big, plain, accounts = seed(url, args.participants, args.statements, args.per_person)
        engine = make_engine(url)
        with Session(engine) as s, s.begin():
            started = time.perf_counter()
            opinion_maps.store_now(s, big, utcnow())
            worker_took = time.perf_counter() - started
        with Session(engine) as s:
            size = s.scalar(
                select(func.length(StoredOpinionMap.body)).where(
                    StoredOpinionMap.consultation_id == big
                )
            )
            # What a request did before whenever votes had arrived (82d9cf5):
            # map_version, the stored state, then compute_map inside the request.
            started = time.perf_counter()
            version = deliberation.map_version(s, big)
            previous = deliberation.map_state_for(s, big, version)
            deliberation.compute_map(s, big, previous)
            before = time.perf_counter() - started
        engine.dispose()
        print(
            f"{args.participants:,} participants x {args.statements} statements: "
            f"the worker computes and stores the map in {worker_took:.2f} s "
            f"(stored: {(size or 0) / 1024:.0f} KiB); before, a page request after new votes "
            f"computed it inside the request: {before:.2f} s"
        )
        port = free_port()
        env = {
            "GONGZHI_DATABASE_URL": url,
            "GONGZHI_SECRET_KEY": SECRET,
            "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
            "GONGZHI_ENV": "test",
            # Shorter than the defaults, so that the worker recomputes the map
            # (taking one of the two cores for seconds) during the load.
            "GONGZHI_OPINION_MAP_QUIET": "5",
            "GONGZHI_OPINION_MAP_MAX_DELAY": "15",
            "GONGZHI_OPINION_MAP_MIN_INTERVAL": "15",
        }
        serve = [str(BIN / "gongzhi"), "serve", "--workers", "2", "--port", str(port), "--quiet"]
        worker = [str(BIN / "gongzhi"), "worker"]
        pages = {
            f"/consultations/{big} (map of {args.participants:,})": f"/consultations/{big}",
            f"/consultations/{plain} (plain, no votes)": f"/consultations/{plain}",
        }
        stop = threading.Event()
        with server(serve, port, env, start_within=120):
            worker_process = None if args.no_worker else server_process(worker, env)
            streamed: list[int] = []
            streamer = threading.Thread(
                target=lambda: streamed.extend(
                    stream_votes(url, big, accounts, args.votes_per_second, stop)
                )
            )
            try:
                for path in pages.values():  # warm up: templates, caches, connections
                    ab(f"http://127.0.0.1:{port}{path}", requests=50, seconds=5, connections=4)
                streamer.start()
                results: dict[str, list[Load]] = {name: [] for name in pages}
                for _ in range(2):
                    for name, path in pages.items():
                        results[name].append(
                            ab(
                                f"http://127.0.0.1:{port}{path}",
                                requests=1_000_000,
                                seconds=args.seconds,
                                connections=16,
                                varying=True,  # the map page changes as the map updates
                            )
                        )
            finally:
                stop.set()
                if streamer.is_alive():
                    streamer.join()
                if worker_process is not None:
                    stop_process(worker_process)
        engine = make_engine(url)
        with Session(engine) as s:
            row_now = s.get(StoredOpinionMap, big)
            total = s.scalar(select(func.count()).where(OpinionVote.consultation_id == big))
        engine.dispose()
        print(
            f"votes streamed during the load: {streamed[0] if streamed else 0:,} "
            f"({args.votes_per_second:g}/s requested); the stored map ends at "
            f"{row_now.votes if row_now else 0:,} of {total:,} votes"
            + ("" if args.no_worker else " (recomputed by the worker meanwhile)")
        )
        print(f"ab, 16 connections, {args.seconds} s per run, pages alternating:")
        baseline_name = list(pages)[1]
        for name in pages:
            for n, load in enumerate(results[name]):
                print(row(f"{name} #{n + 1}", load, results[baseline_name][n]))
        print(f"load average after: {load_average()}")


def server_process(command: list[str], env: dict[str, str]) -> object:
    import os
    import subprocess

    return subprocess.Popen(
        command,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=ROOT,
    )


def stop_process(process: object) -> None:
    import os
    import signal
    import subprocess

    assert isinstance(process, subprocess.Popen)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
