"""Ballots accepted per second through the HTTP cast endpoint, on SQLite.

python bench/bench_cast.py [--quick]

The portal runs with 2 workers; wrk keeps 32 connections busy, each request
casting one ballot as a different verified voter (signed session cookies made
here with the portal's secret). Afterwards the database must hold exactly as
many ballots and participations as requests were accepted: nothing lost.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import subprocess
import sys
import tempfile
from base64 import b64encode
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import itsdangerous
from harness import BIN, ROOT, free_port, machine, server

sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from participation.accounts import Account
from participation.areas import create_area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.models import CastBallot, Participation
from participation.db import make_engine
from participation.rolls import RollEntry
from participation.rules.areas import AreaKind
from participation.rules.ballot_forms import BallotForm, FormKind
from participation.rules.eligibility import Roll
from web.migrate import upgrade

SECRET = "bench-secret-key-bench-secret-key-0123456789"


def prepare(url: str, voters: int, cookie_file: Path) -> int:
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D", name="区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S", name="街", kind=AreaKind.STREET, parent=district)
        community = create_area(s, code="M", name="社区", kind=AreaKind.COMMUNITY, parent=street)
        s.execute(
            insert(Account),
            [
                {"username": f"v{n}", "display_name": f"v{n}", "password_hash": None}
                for n in range(voters)
            ],
        )
        ids = list(s.scalars(select(Account.id).order_by(Account.id)))
        s.execute(
            insert(RollEntry),
            [
                {
                    "community_id": community.id,
                    "name": f"v{n}",
                    "id_hash": f"{n:064x}",
                    "birth_date": date(1980, 1, 1),
                    "household_code": f"H{n}",
                    "account_id": account_id,
                }
                for n, account_id in enumerate(ids)
            ],
        )
        box = create_box(
            s,
            NewBox(
                title="bench",
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
        box_id = box.id
    engine.dispose()
    signer = itsdangerous.TimestampSigner(SECRET)
    with cookie_file.open("w") as fh:
        for account_id in ids:
            token = secrets.token_urlsafe(16)
            session = {"uid": account_id, "epoch": 0, "csrf": token}
            cookie = signer.sign(b64encode(json.dumps(session).encode())).decode()
            fh.write(f"{cookie}\t{token}\n")
    return box_id


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 5 if args.quick else 10
    voters = 15000 if args.quick else 30000
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/cast.db"
        cookies = Path(tmp) / "voters.txt"
        box_id = prepare(url, voters, cookies)
        port = free_port()
        env = {
            "GONGZHI_DATABASE_URL": url,
            "GONGZHI_SECRET_KEY": SECRET,
            "GONGZHI_BASE_URL": f"http://127.0.0.1:{port}",
        }
        command = [str(BIN / "gongzhi"), "serve", "--workers", "2", "--port", str(port), "--quiet"]
        with server(command, port, env):
            out = subprocess.run(
                [
                    "wrk",
                    "-t",
                    "2",
                    "-c",
                    "32",
                    "-d",
                    f"{seconds}s",
                    "--latency",
                    "-s",
                    str(ROOT / "bench" / "cast.lua"),
                    f"http://127.0.0.1:{port}/ballots/{box_id}/cast",
                    "--",
                    str(cookies),
                    "2",
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=seconds + 60,
            ).stdout
        total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        refused = int(bad.group(1)) if bad else 0
        p50 = re.search(r"50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
        p99 = re.search(r"99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
        engine = make_engine(url)
        with Session(engine) as s:
            ballots = s.scalar(select(func.count()).select_from(CastBallot))
            participations = s.scalar(select(func.count()).select_from(Participation))
        engine.dispose()
    accepted = total - refused
    print(f"load: wrk, 2 threads, 32 connections, {seconds} s; one new voter per request")
    print(
        f"accepted ballots: {accepted} ({accepted / seconds:.0f}/s), refused: {refused}, "
        f"p50 {p50}, p99 {p99}"
    )
    # wrk stops counting at the deadline while up to 32 requests are still in
    # flight; the server finishes those, so the store may hold up to 32 more.
    intact = ballots == participations and accepted <= (ballots or 0) <= accepted + 32
    print(
        f"stored: {ballots} ballots, {participations} participations "
        f"({'nothing lost' if intact else 'MISMATCH'})"
    )
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
