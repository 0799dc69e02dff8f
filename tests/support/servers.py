"""Waiting for a server process the test started, without betting on the machine's speed."""

from __future__ import annotations

import subprocess
import time

import httpx

#: Only a guard against a hang: a loaded machine may take long to start a server,
#: and a test must not fail for that. A server that died fails at once.
HANG_GUARD_SECONDS = 600


def wait_until_serving(url: str, process: subprocess.Popen[bytes] | None = None) -> None:
    """Return once ``url`` answers; fail at once when ``process`` has exited."""
    guard = time.monotonic() + HANG_GUARD_SECONDS
    while True:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.HTTPError:
            if process is not None and process.poll() is not None:
                raise AssertionError(f"the server exited with {process.returncode}") from None
            if time.monotonic() > guard:
                raise AssertionError("the server did not start (hang guard)") from None
            time.sleep(0.1)
