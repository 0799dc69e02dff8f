"""Whoever copies the database files during a vote cannot link a voter to a ballot,
nor a respondent to a response (README: secrecy of the ballot).

The attacker here copies SQLite's main file and write-ahead log after every single
cast (so at every moment between two), walks each copy's WAL transaction by
transaction and links a voter to a ballot whenever one transaction brings one new
voter and one new ballot content. On PostgreSQL the same attack reads the
transaction id that every heap tuple carries (``xmin``, also in the WAL records):
a participation and a ballot written by one transaction share it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.evaluations.builder import get_evaluation
from consultations.evaluations.responding import resident_respondent, save_draft, submit_response
from participation.ballots.boxes import NewBox, NewItem, create_box, get_box
from participation.ballots.casting import cast_ballot
from participation.ballots.closing import publish
from participation.ballots.mixing import MIX
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.db import make_engine
from tests.support.areas import one_community
from tests.support.db_files import copy_files, links_by_transaction, present, smallest_batch
from tests.support.evaluation_setup import NOW as EVAL_NOW
from tests.support.evaluation_setup import build
from tests.support.people import verified_voters
from tests.support.pg import Cluster, pg_bin

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
VOTERS = 3 * MIX  # enough for batches to open while voting goes on


def box_with_voters(engine: Engine, voters: int) -> tuple[int, list[int]]:
    """A choose-one box with one item per voter: voter n approves item n+1, so
    every ballot's content names its voter to whoever can pair them."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        community = one_community(s)
        people = verified_voters(s, community, voters)
        box = create_box(
            s,
            NewBox(
                title="secrecy",
                area=community,
                roll=Roll.RESIDENTS,
                opens_at=NOW - timedelta(hours=1),
                closes_at=NOW + timedelta(hours=1),
                form=BallotForm(FormKind.CHOOSE, 1, 1),
                rule={"rule": "approval"},
                items=[NewItem(f"item {n}") for n in range(voters)],
            ),
            None,
        )
        return box.id, people


def content_of(n: int) -> str:
    return json.dumps({"approved": [str(n + 1)]}, ensure_ascii=False, sort_keys=True)


def test_copies_of_sqlite_files_taken_during_voting_link_no_voter(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    box_id, people = box_with_voters(engine, VOTERS)
    truth = {f"account:{a}": content_of(n) for n, a in enumerate(people)}
    voters, contents = set(truth), set(truth.values())
    guessed: dict[str, str] = {}
    batches: list[int] = []
    for n, account_id in enumerate(people):
        with Session(engine) as s, s.begin():
            cast_ballot(s, get_box(s, box_id), account_id, {"approved": [str(n + 1)]}, NOW)
        copy = copy_files(database, tmp_path / f"copy{n}")
        guessed |= links_by_transaction(copy, voters, contents)
        smallest = smallest_batch(copy, contents)
        if smallest is not None:
            batches.append(smallest)
    right = {voter for voter, content in guessed.items() if truth[voter] == content}
    assert right == set(), f"{len(right)} of {VOTERS} voters linked to their ballots"
    # Ballots do reach the files while voting goes on, but only in crowds.
    assert batches and min(batches) >= MIX
    # Closing opens the rest: every ballot is counted.
    with Session(engine) as s, s.begin():
        bulletin = publish(s, get_box(s, box_id), NOW + timedelta(hours=1))
    assert bulletin["tally"]["ballots"] == VOTERS
    assert sorted(json.dumps(b["content"], sort_keys=True) for b in bulletin["ballots"]) == sorted(
        contents
    )
    engine.dispose()


def wal_inserts(cluster_dir: str, into: Path, relations: dict[str, str]) -> dict[str, Counter[str]]:
    """Per transaction id, rows inserted into each of ``relations`` (name ->
    "tablespace/database/filenode"), read by pg_waldump from a copy of pg_wal."""
    copied = into / "pg_wal"
    shutil.copytree(f"{cluster_dir}/data/pg_wal", copied, ignore=shutil.ignore_patterns("archive*"))
    segments = sorted(p.name for p in copied.iterdir() if re.fullmatch(r"[0-9A-F]{24}", p.name))
    dump = subprocess.run(
        [pg_bin("pg_waldump"), "-p", str(copied), segments[0], segments[-1]],
        capture_output=True,
        text=True,
        check=False,  # it stops with an error at the end of the written WAL
    ).stdout
    names = {path: name for name, path in relations.items()}
    inserts: dict[str, Counter[str]] = {}
    for line in dump.splitlines():
        found = re.search(r"tx:\s*(\d+),.*desc: INSERT.*?blkref #0: rel (\d+/\d+/\d+)", line)
        if found and found.group(2) in names:
            inserts.setdefault(found.group(1), Counter())[names[found.group(2)]] += 1
    return inserts


@pytest.mark.pg
def test_postgresql_transaction_ids_link_no_voter(pg_cluster: Cluster, tmp_path: Path) -> None:
    from tests.conftest import _pg_database

    # The test cluster runs with synchronous_commit=off; here every commit reaches
    # the WAL files before the next statement, as on a production server.
    engine = make_engine(
        _pg_database(pg_cluster), connect_args={"options": "-c synchronous_commit=on"}
    )
    box_id, people = box_with_voters(engine, VOTERS)
    truth = {f"account:{a}": content_of(n) for n, a in enumerate(people)}
    for n, account_id in enumerate(people[: VOTERS - MIX // 2]):  # mid-vote
        with Session(engine) as s, s.begin():
            cast_ballot(s, get_box(s, box_id), account_id, {"approved": [str(n + 1)]}, NOW)
    with engine.connect() as conn:
        voter_xids: dict[str, str] = dict(
            conn.execute(
                text("SELECT voter_key, xmin::text FROM participations WHERE box_id = :b"),
                {"b": box_id},
            ).all()
        )
        written = conn.execute(
            text("SELECT content, xmin::text FROM cast_ballots WHERE box_id = :b"), {"b": box_id}
        ).all()
    by_xid: dict[str, list[str]] = {}
    for content, xid in written:
        by_xid.setdefault(xid, []).append(content)
    linked = {
        voter
        for voter, xid in voter_xids.items()
        if by_xid.get(xid) is not None and by_xid[xid] == [truth[voter]]
    }
    assert linked == set(), f"{len(linked)} voters linked to their ballots by transaction id"
    assert written, "batches open while voting goes on"
    assert min(len(group) for group in by_xid.values()) >= MIX
    # The WAL, copied now, says the same: no transaction inserts one voter and one
    # ballot; a transaction that inserts ballots inserts a crowd of them.
    with engine.connect() as conn:
        relations = {
            name: conn.execute(
                text(
                    "SELECT CASE WHEN c.reltablespace = 0 THEN 1663 ELSE c.reltablespace END"
                    " || '/' || d.oid || '/' || pg_relation_filenode(c.oid) FROM pg_class c,"
                    " pg_database d WHERE c.relname = :name AND d.datname = current_database()"
                ),
                {"name": name},
            ).scalar_one()
            for name in ("participations", "cast_ballots")
        }
    inserts = wal_inserts(pg_cluster.directory, tmp_path, relations)
    assert sum(c["participations"] for c in inserts.values()) == len(voter_xids)
    ballots_per_transaction = [c["cast_ballots"] for c in inserts.values() if c["cast_ballots"]]
    assert ballots_per_transaction and min(ballots_per_transaction) >= MIX
    engine.dispose()


def test_evaluation_answers_never_sit_in_the_files_while_collecting(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Drafts and responses tie answers to a respondent key in one row or one
    transaction; while collecting, no answer may be readable in the files."""
    engine = make_engine(sqlite_url)
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    world = build(engine, residents=6)
    markers = {f"marker-{n:03d}" for n in range(6)}
    for n in range(6):
        answers = {"q1": "4", "q2": "5", "q3": "3", "q4": f"marker-{n:03d}"}
        with Session(engine) as s, s.begin():
            evaluation = get_evaluation(s, world.evaluation_id)
            who = resident_respondent(s, evaluation, world.residents[n], EVAL_NOW.date())
            save_draft(s, evaluation, who, answers, EVAL_NOW)
        copy = copy_files(database, tmp_path / f"draft{n}")
        assert present(copy.main + copy.wal, markers) == set(), "a draft is readable"
        with Session(engine) as s, s.begin():
            evaluation = get_evaluation(s, world.evaluation_id)
            who = resident_respondent(s, evaluation, world.residents[n], EVAL_NOW.date())
            submit_response(s, evaluation, who, answers, now=EVAL_NOW, started_at=None)
        copy = copy_files(database, tmp_path / f"response{n}")
        assert present(copy.main + copy.wal, markers) == set(), "a response is readable"
    with Session(engine) as s, s.begin():
        from consultations.evaluations.builder import close_evaluation

        close_evaluation(s, get_evaluation(s, world.evaluation_id), world.org_admin, EVAL_NOW)
    copy = copy_files(database, tmp_path / "closed")
    assert present(copy.main + copy.wal, markers) == markers  # the attack can see them
    engine.dispose()
