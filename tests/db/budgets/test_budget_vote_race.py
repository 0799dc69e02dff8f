"""5,000 distinct residents vote in a community budget round through HTTP at once,
against the real server (two workers), on SQLite and PostgreSQL: every
acknowledged ballot is stored once, duplicates sent concurrently count once.

The rate is printed, not asserted: a test checks behaviour, and the speed of
casting is measured by `make bench` (bench/bench_cast.py), where a loaded machine
cannot turn it red."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from base64 import b64encode
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import itsdangerous
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from participation import sealing
from participation.accounts import Account
from participation.areas import create_area
from participation.ballots.boxes import get_box
from participation.ballots.closing import publish
from participation.ballots.models import Participation
from participation.budgets import services as budgets
from participation.budgets.rules import ProposalDraft
from participation.db import make_engine
from participation.rolls import RollEntry, rebuild_counts
from participation.rules.areas import AreaKind
from tests.support.pg import free_port
from tests.support.servers import wait_until_serving
from tests.support.voters import SECRET, stored_ballots
from web.migrate import upgrade

ROOT = Path(__file__).resolve().parents[3]
VOTERS = 5_000
DUPLICATES = 300
THREADS = 16


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def prepare(url: str) -> tuple[int, int, list[tuple[int, str, str]]]:
    """A community of VOTERS verified residents and a round open for voting."""
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="C", name="海澄市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D", name="东湖区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S", name="临江街道", kind=AreaKind.STREET, parent=district)
        community = create_area(
            s, code="M", name="望江社区", kind=AreaKind.COMMUNITY, parent=street
        )
        s.execute(
            insert(Account),
            [{"username": f"r{n}", "display_name": f"居民{n}"} for n in range(VOTERS)],
        )
        ids = list(s.scalars(select(Account.id).order_by(Account.id)))
        s.execute(
            insert(RollEntry),
            [
                {
                    "community_id": community.id,
                    "name": f"居民{n}",
                    "id_hash": f"{n:064x}",
                    "birth_date": date(1980, 1, 1),
                    "household_code": f"H{n}",
                    "account_id": account_id,
                }
                for n, account_id in enumerate(ids)
            ],
        )
        # The roll went in past the ORM: its per-community counts are counted afresh.
        rebuild_counts(s)
        budget_round = budgets.create_round(
            s,
            budgets.NewRound(
                community.id, now.year, "望江社区微实事", 100_000, "greedy", "residents"
            ),
            None,
        )
        proposals = [
            budgets.submit_proposal(
                s, budget_round, ids[n], ProposalDraft(title, "说明", "广场", cost, "居民")
            )
            for n, (title, cost) in enumerate(
                [("长者饭堂", 60_000), ("儿童乐园", 50_000), ("路灯改造", 30_000)]
            )
        ]
        budgets.advance(s, budget_round, ids[0], now)
        for p in proposals:
            budgets.screen(s, p, budgets.Screening(True, "可行", "合规", None, ""), ids[0], now)
        budgets.advance(s, budget_round, ids[0], now, now + timedelta(hours=1))
        round_id, box_id = budget_round.id, budget_round.box_id
        keys = [f"p{p.id}" for p in proposals]
    engine.dispose()
    assert box_id is not None
    signer = itsdangerous.TimestampSigner(SECRET)
    people = []
    for n, account_id in enumerate(ids):
        token = secrets.token_urlsafe(16)
        cookie = signer.sign(
            b64encode(
                json.dumps({"uid": account_id, "epoch": 0, "sid": token, "csrf": token}).encode()
            )
        ).decode()
        # Two projects within the budget, varied by voter.
        items = "&".join(f"item={k}" for k in (keys[n % 3], keys[2] if n % 3 != 2 else keys[1]))
        people.append((account_id, cookie, f"csrf_token={token}&{items}"))
    return round_id, box_id, people


def test_5000_residents_voting_at_once_each_count_once(db_url: str) -> None:
    round_id, box_id, people = prepare(db_url)
    port = free_port()
    env = os.environ | {
        "GONGZHI_DATABASE_URL": db_url,
        "GONGZHI_SECRET_KEY": SECRET,
        "GONGZHI_ENV": "test",
        "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "web.cli",
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
            "--quiet",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    statuses: dict[int, int] = {}
    duplicate_statuses: list[int] = []
    lock = threading.Lock()

    def vote(chunk: list[tuple[int, str, str]], record: bool) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for account_id, cookie, body in chunk:
                response = client.post(
                    f"/ballots/{box_id}/cast",
                    content=body,
                    headers={
                        "Cookie": f"gongzhi_session={cookie}",
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                with lock:
                    if record:
                        statuses[account_id] = response.status_code
                    else:
                        duplicate_statuses.append(response.status_code)

    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", server)
        threads = [
            threading.Thread(target=vote, args=(people[n::THREADS], True)) for n in range(THREADS)
        ]
        # The same people again, at the same time: each must count once.
        threads += [
            threading.Thread(target=vote, args=(people[n:DUPLICATES:2], False)) for n in range(2)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)
    rate = VOTERS / elapsed
    print(f"\n{VOTERS} voters in {elapsed:.1f} s: {rate:.0f} ballots/s ({db_url.split(':')[0]})")
    assert len(statuses) == VOTERS
    # A voter's first request wins (303) or its concurrent duplicate did (409).
    assert set(statuses.values()) <= {303, 409}
    assert set(duplicate_statuses) <= {303, 409}
    assert sum(1 for s in [*statuses.values(), *duplicate_statuses] if s == 303) == VOTERS
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        assert s.scalar(select(func.count()).select_from(Participation)) == VOTERS
        assert stored_ballots(s) == VOTERS
        box = get_box(s, box_id)
        sealing.use_secret(SECRET)  # the server's: publishing opens what it sealed
        bulletin = publish(s, box, box.closes_at + timedelta(seconds=1))
        assert bulletin["tally"]["ballots"] == VOTERS and bulletin["tally"]["void"] == 0
        assert round_id
    engine.dispose()
