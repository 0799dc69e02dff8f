"""The SQLite writers' queue: one writer at a time, across threads and processes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from participation.db import make_engine, writers_queue

HOLD = 0.4

CHILD = """
import sys, time
from participation.db import make_engine, writers_queue
engine = make_engine(sys.argv[1])
with writers_queue(engine):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_writer_in_another_process_makes_us_wait(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/queue.db"
    engine = make_engine(url)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(HOLD)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        started = time.monotonic()
        with writers_queue(engine):
            waited = time.monotonic() - started
        assert waited > HOLD / 2, f"entered after {waited:.3f} s while another process held it"
    finally:
        child.wait(timeout=10)
        engine.dispose()
    assert (tmp_path / "queue.db-writers").exists()


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/queue.db")
    inside = 0
    most = 0
    lock = threading.Lock()

    def writer() -> None:
        nonlocal inside, most
        for _ in range(20):
            with writers_queue(engine):
                with lock:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.001)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert most == 1


def test_no_queue_for_in_memory_databases() -> None:
    engine = make_engine("sqlite://")
    with writers_queue(engine), writers_queue(engine):  # would deadlock if it locked
        pass
    engine.dispose()
