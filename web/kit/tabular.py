"""The one way out for tables: every CSV and XLSX download goes through here.

CSV is UTF-8 with one byte-order mark (so spreadsheet programs read Chinese) and XLSX
is built in memory, for the small tables. A whole-dataset download (the open data's
CSV and XLSX) is not: :func:`csv_stream_response` sends the CSV a batch of rows at a
time as ``rows`` yields them (read from the database in batches), and
:func:`xlsx_file_response` writes the workbook to a temporary file (openpyxl's
write-only mode) and sends that file, so a download's memory does not grow with rows.

Every text cell is made inert for spreadsheets (OWASP's CSV injection rule): text
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
with ``'``, so a name like ``=HYPERLINK(...)`` is shown, never run. Real numbers (int,
float, Decimal) stay numbers, and so does text that is just a number ("-3.5"), which
no spreadsheet evaluates as a formula.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from typing import Any

from starlette.background import BackgroundTask
from starlette.responses import FileResponse, Response, StreamingResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
BOM = "\ufeff"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# Characters XML 1.0 cannot carry (openpyxl refuses them); dropped from XLSX cells.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet may show it without running it.

    Invariant: the result, if text, never starts with a formula trigger unless it is
    a plain number; non-text values are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if _PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The table as CSV text, starting with the byte-order mark (once)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


#: Rows per chunk of a streamed CSV.
CSV_BATCH = 500


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], batch: int = CSV_BATCH
) -> Iterator[bytes]:
    """The table as CSV (as :func:`csv_text`), encoded, ``batch`` rows per chunk: only
    one chunk is held at a time, however many rows ``rows`` yields."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write(BOM)
    writer.writerow([safe_cell(h) for h in header])
    held = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        held += 1
        if held >= batch:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
            held = 0
    yield out.getvalue().encode("utf-8")


def _xlsx_cell(value: Any) -> Any:
    value = safe_cell(value)
    return _XML_ILLEGAL.sub("", value) if isinstance(value, str) else value


def xlsx_bytes(sheet_name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The table as an XLSX workbook with one sheet.

    openpyxl always streams a sheet through a named temporary file before zipping
    it; if anything fails on the way (a bad value, a query error inside ``rows``),
    that file would stay in the system temporary folder until the process exits.
    So the sheet's file is removed here whatever happens."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    try:
        sheet.append([_xlsx_cell(h) for h in header])
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    except BaseException:
        # Close the half-written sheet now (not at garbage collection, when its
        # file is gone), then let the error through.
        with suppress(Exception):
            sheet.close()
        raise
    finally:
        _remove_sheet_file(sheet)


def xlsx_file(sheet_name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The table as an XLSX workbook with one sheet, written to a new temporary file
    whose path is returned (the caller removes it): openpyxl's write-only mode streams
    the rows to its own temporary file and zips that into this one, so neither the
    rows nor the workbook are held in memory. Nothing is left behind on failure."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    handle, path = tempfile.mkstemp(prefix="gongzhi-", suffix=".xlsx")
    os.close(handle)
    try:
        sheet.append([_xlsx_cell(h) for h in header])
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
        book.save(path)
        return path
    except BaseException:
        with suppress(Exception):
            sheet.close()
        with suppress(FileNotFoundError):
            os.remove(path)
        raise
    finally:
        _remove_sheet_file(sheet)


def _remove_sheet_file(sheet: Any) -> None:
    # The write-only sheet's writer holds the path of its temporary file; openpyxl
    # removes it only after a successful save (and keeps a list for its atexit hook).
    writer = getattr(sheet, "_writer", None)
    path = getattr(writer, "out", None)
    if isinstance(path, str):
        with suppress(FileNotFoundError):
            os.remove(path)
        from openpyxl.worksheet import _writer as sheet_writer

        with suppress(ValueError):
            sheet_writer.ALL_TEMP_FILES.remove(path)


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download named ``name``.csv."""
    return Response(
        csv_text(header, rows),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def xlsx_response(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = ""
) -> Response:
    """An XLSX download named ``name``.xlsx (the sheet is named ``sheet`` or ``name``)."""
    return Response(
        xlsx_bytes(sheet or name, header, rows),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


def table_response(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, sheet: str = ""
) -> Response:
    """``fmt`` is "csv" or "xlsx"; ``name`` is the download's file name without suffix."""
    if fmt == "xlsx":
        return xlsx_response(name, header, rows, sheet)
    return csv_response(name, header, rows)


def csv_stream_response(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """A CSV download named ``name``.csv, sent as ``rows`` yields them (a batch of
    rows per chunk; see :func:`csv_chunks`). ``rows`` is consumed after the response
    has started: it must not use the request's session (which ends there), but one
    of its own (``web.kit.reading.read_only_session``)."""
    return StreamingResponse(
        csv_chunks(header, rows),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def xlsx_file_response(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = ""
) -> Response:
    """An XLSX download named ``name``.xlsx, built in a temporary file (see
    :func:`xlsx_file`), sent from it and removed once sent."""
    path = xlsx_file(sheet or name, header, rows)
    return FileResponse(
        path,
        media_type=XLSX,
        filename=f"{name}.xlsx",
        background=BackgroundTask(_remove_file, path),
    )


def _remove_file(path: str) -> None:
    with suppress(FileNotFoundError):
        os.remove(path)
