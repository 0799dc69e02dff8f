"""The background worker: each job once per period however many workers race for
it, and a failing job logged, recorded and run again next period (SQLite and
PostgreSQL)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from participation import job_runs, outbox
from participation.db import make_engine
from participation.job_runs import JobRun
from tests.support.pg import free_port
from web.ops import jobs, worker
from web.ops.jobs import MINUTE, Job
from web.ops.worker import Outcome, run_once
from web.settings import Settings

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def makers(any_db_url: str) -> Iterator[list[sessionmaker[Session]]]:
    """Two workers' own engines (own connections) on one database."""
    engines = [make_engine(any_db_url), make_engine(any_db_url)]
    yield [sessionmaker(e, expire_on_commit=False) for e in engines]
    for e in engines:
        e.dispose()


def _runs(maker: sessionmaker[Session], job: str) -> list[JobRun]:
    with maker() as s:
        return list(s.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.id)))


def test_two_workers_racing_run_each_period_once(
    makers: list[sessionmaker[Session]], any_db_url: str
) -> None:
    settings = Settings(environment="test", database_url=any_db_url)
    calls: list[tuple[str, datetime]] = []
    periods = 8
    start_line = threading.Barrier(2)
    loser_done = [threading.Event() for _ in range(periods)]
    overlapped: list[bool] = []
    current = [0]

    def body(session: Session, now: datetime, settings: Settings) -> str:
        calls.append((threading.current_thread().name, now))
        # The winner keeps running until the other worker has tried its claim, so
        # the two really overlap: the loser skips while the winner is mid-run.
        overlapped.append(loser_done[current[0]].wait(timeout=30))
        session.execute(text("SELECT 1"))
        return "counted"

    job = Job("race", MINUTE, body, "a test job")
    outcomes: dict[str, list[Outcome]] = {"w1": [], "w2": []}
    errors: list[BaseException] = []

    def work(name: str, maker: sessionmaker[Session]) -> None:
        try:
            for i in range(periods):
                start_line.wait(timeout=30)
                current[0] = i
                # Both fire a little apart within the same period, as two hosts do.
                now = T0 + i * MINUTE + timedelta(seconds=1 if name == "w1" else 2)
                outcome = run_once(job, maker, settings, now=now, worker=name)
                outcomes[name].append(outcome)
                if outcome is Outcome.SKIPPED:
                    loser_done[i].set()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
            start_line.abort()
            for event in loser_done:
                event.set()

    threads = [
        threading.Thread(target=work, args=(name, maker), name=name)
        for name, maker in zip(("w1", "w2"), makers, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(calls) == periods  # one run per period, whoever won it
    assert all(overlapped)
    for i in range(periods):
        assert {outcomes["w1"][i], outcomes["w2"][i]} == {Outcome.RAN, Outcome.SKIPPED}
    runs = _runs(makers[0], "race")
    assert [r.period_start for r in runs] == [T0 + i * MINUTE for i in range(periods)]
    assert {r.status for r in runs} == {job_runs.OK}
    assert {r.worker for r in runs} <= {"w1", "w2"}


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def test_a_failing_job_is_logged_recorded_and_run_again_next_period(
    makers: list[sessionmaker[Session]], any_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens yet: the SMTP server is down
    settings = Settings(
        environment="test", database_url=any_db_url, smtp_url=f"smtp://127.0.0.1:{port}"
    )
    maker = makers[0]
    with maker.begin() as s:
        outbox.queue(s, to="a@example.cn", subject="提醒", body="正文", key="k1")
    send_mail = next(j for j in jobs.JOBS if j.name == "send-mail")

    with caplog.at_level(logging.ERROR, logger="gongzhi.worker"):
        assert run_once(send_mail, maker, settings, now=T0, worker="w1") is Outcome.FAILED
    [record] = [r for r in caplog.records if r.name == "gongzhi.worker"]
    assert record.exc_info is not None and "send-mail" in record.getMessage()
    assert record.fields["outcome"] == "failed"  # type: ignore[attr-defined]
    [run] = _runs(maker, "send-mail")
    assert run.status == job_runs.FAILED and "ConnectionRefusedError" in run.detail
    with maker() as s:
        [message] = s.scalars(select(outbox.OutboxMessage)).all()
        assert message.sent_at is None and message.attempts == 0  # the work rolled back

    # Another worker in the same period does not run it again ...
    later = T0 + timedelta(seconds=30)
    assert run_once(send_mail, makers[1], settings, now=later, worker="w2") is Outcome.SKIPPED

    # ... the next period does, and the mail that was due goes out.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert run_once(send_mail, makers[1], settings, now=T0 + MINUTE, worker="w2") is (
            Outcome.RAN
        )
    finally:
        controller.stop()
    assert [str(make_header(decode_header(m["Subject"]))) for m in inbox.messages] == ["提醒"]
    assert [r.status for r in _runs(maker, "send-mail")] == [job_runs.FAILED, job_runs.OK]
    assert _runs(maker, "send-mail")[1].detail == "1 sent, 0 failed"


def test_a_run_whose_worker_died_is_marked_abandoned_later(
    makers: list[sessionmaker[Session]], any_db_url: str
) -> None:
    maker = makers[0]
    with maker.begin() as s:
        assert job_runs.claim(
            s, job="j", period_start=T0, period=MINUTE, worker="dead", now=T0
        )  # and never finished
    with maker.begin() as s:
        soon = T0 + 2 * MINUTE
        job_runs.claim(s, job="j", period_start=soon, period=MINUTE, worker="w", now=soon)
    assert [r.status for r in _runs(maker, "j")] == [job_runs.RUNNING, job_runs.RUNNING]
    with maker.begin() as s:
        late = T0 + (job_runs.STALE_AFTER + 1) * MINUTE
        job_runs.claim(s, job="j", period_start=late, period=MINUTE, worker="w", now=late)
    assert [r.status for r in _runs(maker, "j")] == [
        job_runs.ABANDONED,
        job_runs.RUNNING,
        job_runs.RUNNING,
    ]


def test_every_job_of_the_portal_runs_on_a_database(
    makers: list[sessionmaker[Session]], any_db_url: str
) -> None:
    settings = Settings(environment="test", database_url=any_db_url)
    for job in worker.scheduled_jobs(settings):  # send-mail needs SMTP: left out
        assert run_once(job, makers[0], settings, now=T0, worker="w") is Outcome.RAN, job.name
    assert "send-mail" not in {j.name for j in worker.scheduled_jobs(settings)}
    with makers[0]() as s:
        assert s.scalar(select(JobRun.id).where(JobRun.status != job_runs.OK)) is None


def test_old_runs_are_pruned(makers: list[sessionmaker[Session]], any_db_url: str) -> None:
    maker = makers[0]
    old = T0 - job_runs.KEEP_FOR - MINUTE
    with maker.begin() as s:
        job_runs.claim(s, job="j", period_start=old, period=MINUTE, worker="w", now=old)
        job_runs.claim(s, job="j", period_start=T0, period=MINUTE, worker="w", now=T0)
    with maker.begin() as s:
        assert job_runs.prune(s, T0) == 1
    assert [r.period_start for r in _runs(maker, "j")] == [T0]
