"""Prometheus metrics with the official client: one registry per app.

Request counts and latency are counted in the process, by route template (never
by raw path, so ids do not explode the series). The database's numbers (outbox
backlog, job runs of every worker, connection pool) are read when scraped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.backlog import outbox_backlog
from participation.job_runs import run_counts

log = logging.getLogger("gongzhi.metrics")

#: prometheus_client's own switch to multi-process mode (it reads it when imported).
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class DatabaseCollector(Collector):
    """Reads the database at scrape time (a short read-only transaction)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = self.engine.pool
        checked_out = getattr(pool, "checkedout", None)
        if callable(checked_out):
            in_use = GaugeMetricFamily(
                "gongzhi_db_pool_connections_in_use", "Connections of this process's pool in use"
            )
            in_use.add_metric([], float(checked_out()))
            yield in_use
            size = GaugeMetricFamily(
                "gongzhi_db_pool_size", "Size of this process's connection pool"
            )
            size.add_metric([], float(pool.size()))  # type: ignore[attr-defined]
            yield size
        up = GaugeMetricFamily("gongzhi_database_up", "1 when the database answered the scrape")
        try:
            with Session(self.engine) as session:
                backlog = outbox_backlog(session)
                runs = run_counts(session)
        except Exception:
            log.exception("metrics: the database did not answer")
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        outbox = GaugeMetricFamily(
            "gongzhi_outbox_messages",
            "Unsent mail in the outbox: pending (to be tried) or given_up (needs a person)",
            labels=["state"],
        )
        outbox.add_metric(["pending"], float(backlog.pending))
        outbox.add_metric(["given_up"], float(backlog.given_up))
        yield outbox
        count = GaugeMetricFamily(
            "gongzhi_job_runs",
            "Background job runs kept in the ledger, by job and status (ok: the last "
            "day's and the latest; failed, running, abandoned: 30 days)",
            labels=["job", "status"],
        )
        last = GaugeMetricFamily(
            "gongzhi_job_last_run_timestamp_seconds",
            "Start of the latest run of a job with that status (Unix time)",
            labels=["job", "status"],
        )
        for row in runs:
            count.add_metric([row.job, row.status], float(row.count))
            last.add_metric([row.job, row.status], row.last_started.timestamp())
        yield count
        yield last


@contextlib.contextmanager
def shared_between_workers(workers: int) -> Iterator[None]:
    """Around ``gongzhi serve --workers N`` (N > 1): the workers write their counts
    to files in one temporary folder, and a scrape of any worker adds them all up
    (the client library's multi-process mode). Removed when the server stops."""
    if workers <= 1 or MULTIPROCESS_ENV in os.environ:
        yield
        return
    folder = tempfile.mkdtemp(prefix="gongzhi-metrics-")
    os.environ[MULTIPROCESS_ENV] = folder  # inherited by the worker processes
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_ENV]
        shutil.rmtree(folder, ignore_errors=True)


class Metrics:
    def __init__(self, engine: Engine) -> None:
        own = CollectorRegistry()
        if os.environ.get(MULTIPROCESS_ENV):
            # The counters below write to files; the scrape reads every process's.
            self.registry = CollectorRegistry()
            MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]
        else:
            self.registry = own
        self.requests = Counter(
            "gongzhi_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=own,
        )
        self.latency = Histogram(
            "gongzhi_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=own,
        )
        self.registry.register(DatabaseCollector(engine))
        #: (method, route template, status): the counter's and the histogram's children.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        # The labelled children, found once: labels() checks and locks on every call.
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        children[0].inc()
        children[1].observe(seconds)
