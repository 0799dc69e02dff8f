"""Run a coroutine to the end from a test, whatever runs in the test's thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_apart(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(make())`` on a thread of its own, its result or its exception
    here: a browser test earlier in the same process leaves Playwright's event loop
    running in the main thread, and asyncio.run refuses to start inside one. The
    coroutine is made on that thread too, so none is left unawaited if it fails."""
    result: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(make()))
        except BaseException as error:  # raised again in the test's thread
            failed.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return result[0]
