"""Running pieces of work at the same moment, each in its own transaction, to
show that a service holds under concurrent requests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from participation.errors import DomainError


def together(engine: Engine, works: list[Callable[[Session], object]]) -> list[object]:
    """Run each work in its own thread and committed transaction, all at once, and
    return what each returned, or the refusal (DomainError) it raised, in the order
    they finished; a serialization failure or lock timeout is retried, as a client
    would, up to five times (then the DBAPIError is its outcome)."""
    sessions = sessionmaker(engine, expire_on_commit=False)
    barrier = threading.Barrier(len(works))
    results: list[object] = []
    lock = threading.Lock()

    def one(work: Callable[[Session], object]) -> None:
        barrier.wait()
        outcome: object = None
        for _attempt in range(5):
            try:
                with sessions.begin() as s:
                    outcome = work(s)
                break
            except DomainError as error:
                outcome = error
                break
            except DBAPIError as error:
                outcome = error
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one, args=(w,)) for w in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
