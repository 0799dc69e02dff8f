"""/api/v1/plan-items.csv and .xlsx at a city's size (issue 17): the whole dataset, as
open-data downloads are, but never the whole file in memory. The CSV is streamed a
batch of rows at a time as the database yields them; the XLSX is written to a
temporary file in openpyxl's write-only mode and sent from it. Measured with
tracemalloc: the download's peak memory for 10N items is that for N, within a bound
far below what holding the extra rows would take (no timing)."""

from __future__ import annotations

import asyncio
import glob
import os
import tempfile
import tracemalloc
from collections.abc import MutableMapping
from typing import Any

from starlette.applications import Starlette

from tests.db.plan.test_board_pages_at_scale import _old_plan
from tests.support.client import FormClient
from tests.support.event_loop import run_apart

N = 1_000


def _download(app: Starlette, path: str, query: str = "") -> tuple[int, bytes, int]:
    """Call the app for ``path`` as a server would, keeping only the body's first and
    last bytes and counting its lines (a client that keeps the whole body, as the
    test client does, would measure itself): status, edges, lines, and the peak."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    got: dict[str, Any] = {"status": 0, "head": b"", "lines": 0}

    async def receive() -> dict[str, Any]:
        if not got.get("asked"):
            got["asked"] = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            got["status"] = message["status"]
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            got["head"] = got["head"] or body[:200]
            got["lines"] += body.count(b"\n")

    run_apart(lambda: app(scope, receive, send))
    return got["status"], got["head"], got["lines"]


def _peak(app: Starlette, path: str) -> tuple[int, int]:
    """The download's lines and the peak of memory allocated while it is answered."""
    _download(app, path)  # warm: imports, compiled statements, caches
    tracemalloc.start()
    try:
        status, head, lines = _download(app, path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 200 and head.startswith("\ufeffid,".encode())
    return lines, peak


def test_the_csv_download_does_not_grow_in_memory_with_rows(
    demo_app: Starlette, demo_url: str, demo_client: FormClient
) -> None:
    """Fails on the old code: the CSV was built whole (the rows as dicts, then as
    lists, then as text): 9N more items took several megabytes more."""
    _old_plan(demo_url, N)
    lines_n, peak_n = _peak(demo_app, "/api/v1/plan-items.csv")
    _old_plan(demo_url, 9 * N)
    lines_10n, peak_10n = _peak(demo_app, "/api/v1/plan-items.csv")
    assert lines_10n - lines_n == 9 * N  # every item, once
    # 9N more rows are about 1.3 MB of CSV text alone; holding them costs far more.
    assert peak_10n - peak_n < 512 * 1024, (peak_n, peak_10n)


def test_the_csv_download_keeps_its_filters(demo_client: FormClient, demo_url: str) -> None:
    _old_plan(demo_url, 30)
    whole = demo_client.get("/api/v1/plan-items.csv")
    old = demo_client.get("/api/v1/plan-items.csv?year=2001")
    assert whole.status_code == old.status_code == 200
    assert whole.headers["content-disposition"] == 'attachment; filename="plan-items.csv"'
    assert old.text.startswith("\ufeffid,") and len(old.text.splitlines()) == 31
    assert len(whole.text.splitlines()) > 31
    assert demo_client.get("/api/v1/plan-items.csv?year=abc").status_code == 400


def test_the_xlsx_download_leaves_no_file_behind(demo_client: FormClient, demo_url: str) -> None:
    _old_plan(demo_url, 30)
    pattern = os.path.join(tempfile.gettempdir(), "gongzhi-*.xlsx")
    before = set(glob.glob(pattern))
    answer = demo_client.get("/api/v1/plan-items.xlsx?year=2001")
    assert answer.status_code == 200 and answer.content.startswith(b"PK")
    assert answer.headers["content-disposition"] == 'attachment; filename="plan-items.xlsx"'
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(answer.content), read_only=True).active
    assert sheet is not None and len(list(sheet.rows)) == 31
    assert set(glob.glob(pattern)) == before
