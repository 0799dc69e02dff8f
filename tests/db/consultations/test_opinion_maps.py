"""The worker's stored opinion maps (consultations.opinion_maps): refreshed after
votes, debounced, and safe with several workers and with a crash mid-computation
(SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from consultations import deliberation, meetings, opinion_maps
from consultations.models import StoredOpinionMap
from consultations.rules.map_timing import Debounce
from consultations.rules.opinion import opinion_map
from participation.db import make_engine
from tests.db.consultations.test_consultation_journey import announced
from tests.support.consultations import AT_ONCE, NOW, community
from web.ops import jobs
from web.ops.worker import Outcome, run_once
from web.settings import Settings

#: A hang guard for the threads below, never a time the test depends on.
HANG_GUARD = 60
S = timedelta(seconds=1)


@pytest.fixture
def engine(any_db_url: str) -> Iterator[Engine]:
    made = make_engine(any_db_url)
    yield made
    made.dispose()


@pytest.fixture
def place(engine: Engine) -> dict[str, Any]:
    """A consultation with three statements and six residents who voted on them."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)
        consultation = announced(s, c)
        ids = [
            deliberation.add_statement(s, consultation, c.residents[0].id, t, NOW).id
            for t in ("应该装", "费用分摊", "避开夜间")
        ]
        for n, resident in enumerate(c.residents):
            for sid in ids:
                choice = "agree" if (n + sid) % 2 else "disagree"
                deliberation.vote_statement(s, consultation, sid, resident.id, choice, NOW)
    return {"c": c, "cid": consultation.id, "statements": ids}


def vote_again(engine: Engine, place: dict[str, Any], at: datetime) -> None:
    """Someone new votes on every statement at ``at``."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        consultation = meetings.get_consultation(s, place["cid"])
        voter = place["c"].representatives[len(place.setdefault("voted", []))]
        place["voted"].append(voter.id)
        for sid in place["statements"]:
            deliberation.vote_statement(s, consultation, sid, voter.id, "agree", at)


def stored(engine: Engine, cid: int) -> StoredOpinionMap | None:
    with Session(engine) as s:
        return s.get(StoredOpinionMap, cid)


def test_a_worker_run_after_new_votes_refreshes_the_stored_map(
    engine: Engine, place: dict[str, Any]
) -> None:
    cid = place["cid"]
    with Session(engine) as s:
        before = opinion_maps.read_map(s, cid)
    assert before.computed_at is None and before.waiting  # no map yet, votes waiting
    done = opinion_maps.refresh_maps(engine, NOW + S, AT_ONCE, "w1")
    assert (done.computed, done.lost) == (1, 0)
    with Session(engine) as s:
        first = opinion_maps.read_map(s, cid)
    assert first.computed_at == NOW + S and first.votes == 18 and not first.waiting
    assert first.opinion.participants == 6
    # Nothing new: the next run computes nothing.
    assert opinion_maps.refresh_maps(engine, NOW + 2 * S, AT_ONCE, "w1").computed == 0
    vote_again(engine, place, NOW + 3 * S)
    with Session(engine) as s:
        assert opinion_maps.read_map(s, cid).waiting
    assert opinion_maps.refresh_maps(engine, NOW + 4 * S, AT_ONCE, "w1").computed == 1
    with Session(engine) as s:
        second = opinion_maps.read_map(s, cid)
    assert second.votes == 21 and second.opinion.participants == 7 and not second.waiting
    row = stored(engine, cid)
    assert row is not None and row.algorithm == opinion_maps.ALGORITHM
    assert row.lease_owner is None and row.lease_until is None


def test_a_hidden_statement_makes_the_map_stale(engine: Engine, place: dict[str, Any]) -> None:
    cid = place["cid"]
    opinion_maps.refresh_maps(engine, NOW + S, AT_ONCE, "w1")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        consultation = meetings.get_consultation(s, cid)
        deliberation.hide_statement(
            s, consultation, place["statements"][0], place["c"].worker.id, "离题", NOW + 2 * S
        )
    with Session(engine) as s:
        assert opinion_maps.read_map(s, cid).waiting
    assert opinion_maps.refresh_maps(engine, NOW + 3 * S, AT_ONCE, "w1").computed == 1
    row = stored(engine, cid)
    assert row is not None and row.hidden == 1


def test_the_job_waits_for_a_quiet_moment_and_respects_the_minimum_interval(
    engine: Engine, place: dict[str, Any]
) -> None:
    rule = Debounce(quiet=10 * S, max_delay=60 * S, min_interval=30 * S)
    cid = place["cid"]
    # The votes were cast at NOW: not yet quiet for 10 s.
    assert opinion_maps.refresh_maps(engine, NOW + 9 * S, rule, "w").computed == 0
    assert opinion_maps.refresh_maps(engine, NOW + 10 * S, rule, "w").computed == 1
    vote_again(engine, place, NOW + 11 * S)
    # Quiet for 10 s at NOW + 21 s, but the last map is from NOW + 10 s: wait for M.
    assert opinion_maps.refresh_maps(engine, NOW + 21 * S, rule, "w").computed == 0
    assert opinion_maps.refresh_maps(engine, NOW + 40 * S, rule, "w").computed == 1
    row = stored(engine, cid)
    assert row is not None and row.computed_at == NOW + 40 * S and row.votes == 21


def test_the_worker_job_entry_runs_the_refresh(engine: Engine, any_db_url: str) -> None:
    settings = Settings(environment="test", database_url=any_db_url)
    job = next(j for j in jobs.JOBS if j.name == "opinion-maps")
    sessions = sessionmaker(engine, expire_on_commit=False)
    assert run_once(job, sessions, settings, now=NOW, worker="w") is Outcome.RAN


def test_a_worker_that_crashed_mid_computation_leaves_the_map_whole_until_its_lease_ends(
    engine: Engine, place: dict[str, Any]
) -> None:
    cid = place["cid"]
    opinion_maps.refresh_maps(engine, NOW + S, AT_ONCE, "w1")
    first = stored(engine, cid)
    vote_again(engine, place, NOW + 2 * S)
    # Worker 1 takes the lease and dies before writing (no release, no store).
    with Session(engine) as s, s.begin():
        assert opinion_maps.claim(s, cid, "w1/dead", NOW + 3 * S, AT_ONCE)
    # Worker 2 waits while the lease runs; the stored map is the old one, whole.
    waited = opinion_maps.refresh_maps(engine, NOW + 4 * S, AT_ONCE, "w2")
    assert (waited.computed, waited.waiting) == (0, 1)
    during = stored(engine, cid)
    assert during is not None and first is not None
    assert (during.body, during.votes, during.computed_at) == (
        first.body,
        first.votes,
        first.computed_at,
    )
    # Once the lease ran out, worker 2 computes it.
    later = NOW + 3 * S + opinion_maps.LEASE
    assert opinion_maps.refresh_maps(engine, later, AT_ONCE, "w2").computed == 1
    after = stored(engine, cid)
    assert after is not None and after.votes == 21 and after.lease_owner is None


def test_a_write_that_fails_halfway_leaves_the_previous_map(
    engine: Engine, place: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = place["cid"]
    opinion_maps.refresh_maps(engine, NOW + S, AT_ONCE, "w1")
    first = stored(engine, cid)
    vote_again(engine, place, NOW + 2 * S)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the process died after the UPDATE")

    monkeypatch.setattr(deliberation, "save_map_state", fail)
    with pytest.raises(RuntimeError):
        opinion_maps.refresh_maps(engine, NOW + 3 * S, AT_ONCE, "w1")
    after = stored(engine, cid)
    assert first is not None and after is not None
    assert (after.body, after.votes, after.computed_at) == (
        first.body,
        first.votes,
        first.computed_at,
    )
    assert after.lease_owner is None  # freed for the next tick


def test_a_late_writer_whose_lease_passed_on_writes_nothing(
    engine: Engine, place: dict[str, Any]
) -> None:
    cid = place["cid"]
    with Session(engine) as s, s.begin():
        assert opinion_maps.claim(s, cid, "slow", NOW + S, AT_ONCE)
    with Session(engine) as s:
        slow = opinion_maps.compute(s, cid)
    # The slow worker's lease runs out; another takes over and stores its map.
    vote_again(engine, place, NOW + 2 * S)
    later = NOW + S + opinion_maps.LEASE
    assert opinion_maps.refresh_maps(engine, later, AT_ONCE, "fast").computed == 1
    with Session(engine) as s, s.begin():
        assert not opinion_maps.store(s, cid, "slow", slow, later + S)
    row = stored(engine, cid)
    assert row is not None and row.votes == 21 and row.computed_at == later


def test_two_workers_at_once_compute_and_write_the_map_once(
    engine: Engine, place: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker 1 is held mid-computation while worker 2 runs the whole job: worker 2
    finds the lease taken; then worker 1 writes. One computation, one write."""
    cid = place["cid"]
    computing, go_on = threading.Event(), threading.Event()
    calls: list[str] = []
    real = opinion_map

    def held(*args: Any, **kwargs: Any) -> Any:
        calls.append(threading.current_thread().name)
        computing.set()
        assert go_on.wait(timeout=HANG_GUARD)
        return real(*args, **kwargs)

    monkeypatch.setattr("consultations.opinion_maps.opinion_map", held)
    results: dict[str, opinion_maps.Refreshed] = {}
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results["w1"] = opinion_maps.refresh_maps(engine, NOW + S, AT_ONCE, "w1")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    first = threading.Thread(target=work, name="w1")
    first.start()
    assert computing.wait(timeout=HANG_GUARD)
    results["w2"] = opinion_maps.refresh_maps(engine, NOW + 2 * S, AT_ONCE, "w2")
    go_on.set()
    first.join(timeout=HANG_GUARD)
    assert not errors
    assert calls == ["w1"]
    assert (results["w1"].computed, results["w2"].computed, results["w2"].waiting) == (1, 0, 1)
    row = stored(engine, cid)
    assert row is not None and row.votes == 18 and row.computed_at == NOW + S


def test_the_demo_starts_with_its_opinion_maps_stored(demo_url: str) -> None:
    demo = make_engine(demo_url)
    with Session(demo) as s:
        rows = list(s.scalars(select(StoredOpinionMap)))
        assert rows and all(r.body is not None for r in rows)
        assert max(r.votes for r in rows) > 1000  # the 300 participants' map
        assert not any(opinion_maps.read_map(s, r.consultation_id).waiting for r in rows)
    demo.dispose()
