"""Every CSV and XLSX download goes through web/kit/tabular.py: names and titles typed by
any account come out inert (never a live spreadsheet formula), and a failing XLSX
export leaves nothing in the temporary folder."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import String, Text, create_engine, select, text
from starlette.routing import BaseRoute, Mount, Route

from demo.city import DEMO_PASSWORD
from participation.budgets.models import BudgetRound
from participation.db import Base
from participation.livelihood.models import LivelihoodCycle
from tests.support.client import FormClient
from web.app import create_app
from web.kit.tabular import csv_text, safe_cell, xlsx_bytes
from web.settings import Settings

HOSTILE = '=HYPERLINK("http://x","y")'
# Free-text columns that any account can fill in and that exports carry.
POISONED = {
    "title",
    "name",
    "display_name",
    "department",
    "owner_department",
    "location",
    "funds_source",
    "subject",
    "place",
    "short_name",
}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def poisoned_demo(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """The demo data (a copy of the run's seeded demo) with every name and title
    replaced by a formula."""
    path = tmp_path_factory.mktemp("exports") / "demo.db"
    shutil.copy(demo_template, path)
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if "id" not in table.columns:
                continue
            for column in table.columns:
                if column.name in POISONED and isinstance(column.type, String | Text):
                    # Unique per row (some names are unique), still a formula.
                    conn.execute(
                        text(
                            f"UPDATE {table.name} SET {column.name} = "
                            f"'=HYPERLINK(\"http://x/' || id || '\",\"y\")' "
                            f"WHERE {column.name} <> ''"
                        )
                    )
    engine.dispose()
    return path


@pytest.fixture
def demo_client(poisoned_demo: Path, tmp_path: Path) -> Iterator[FormClient]:
    copy = tmp_path / "demo.db"
    shutil.copy(poisoned_demo, copy)
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{copy}",
        base_url="http://testserver",
        cheap_hashing=True,
    )
    app = create_app(settings)
    with FormClient(app, base_url="http://testserver") as client:
        client.sign_in("admin", DEMO_PASSWORD)
        yield client
    app.state.engine.dispose()


def _routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[str]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _routes(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and route.path.endswith((".csv", ".xlsx")):
            yield prefix + route.path


def _cells(response: Any) -> list[Any]:
    if response.headers["content-type"].startswith("text/csv"):
        body = response.text
        assert body.startswith("\ufeff") and not body.startswith("\ufeff\ufeff")
        return [c for row in csv.reader(io.StringIO(body[1:])) for c in row]
    book = load_workbook(io.BytesIO(response.content))
    return [
        c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    ]


def _live(cell: Any) -> bool:
    return isinstance(cell, str) and cell.startswith(TRIGGERS) and safe_cell(cell) != cell


def test_formulas_come_out_inert_in_every_export(demo_client: FormClient) -> None:
    """Fails before the one export path: candidates.csv, projects.csv, consultations.csv,
    evaluations and volunteer hours wrote names and titles as live formulas."""
    session_ids: dict[str, list[int]] = {}
    app = demo_client.app
    with app.state.engine.connect() as conn:  # type: ignore[attr-defined]
        session_ids["round_id"] = list(conn.scalars(select(BudgetRound.id)))
        session_ids["cycle_id"] = list(conn.scalars(select(LivelihoodCycle.id)))
        session_ids["evaluation_id"] = list(
            conn.scalars(text("SELECT id FROM evaluations WHERE published_at IS NOT NULL"))
        )
    paths = sorted(set(_routes(list(app.routes))))  # type: ignore[attr-defined]
    assert len(paths) >= 10, paths
    checked: dict[str, int] = {}
    for path in paths:
        urls = [path]
        for param, ids in session_ids.items():
            marker = "{" + param + ":int}"
            if marker in path:
                urls = [path.replace(marker, str(i)) for i in ids]
        for url in urls:
            response = demo_client.get(url)
            if response.status_code == 404:  # e.g. an evaluation without a report
                continue
            assert response.status_code == 200, (url, response.status_code)
            cells = _cells(response)
            live = [c for c in cells if _live(c)]
            assert not live, (url, live[:3])
            checked[path] = checked.get(path, 0) + sum(
                1 for c in cells if isinstance(c, str) and "HYPERLINK" in c
            )
    # Each export that carries names or titles was really fed hostile text.
    for path in (
        "/api/v1/livelihood/cycles/{cycle_id:int}/candidates.csv",
        "/api/v1/livelihood/cycles/{cycle_id:int}/candidates.xlsx",
        "/api/v1/budget-rounds/{round_id:int}/projects.csv",
        "/api/v1/budget-rounds/{round_id:int}/projects.xlsx",
        "/api/v1/plan-items.csv",
        "/api/v1/plan-items.xlsx",
        "/api/v1/consultations.csv",
        "/api/v1/evaluations.csv",
        "/admin/volunteers/hours.csv",
        "/admin/volunteers/hours.xlsx",
    ):
        assert checked.get(path, 0) > 0, path


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (HOSTILE, "'" + HOSTILE),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("住建局", "住建局"),
        ("a=b", "a=b"),
        ("-3.5", "-3.5"),
        ("+12", "+12"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_safe_cell(value: Any, shown: Any) -> None:
    assert safe_cell(value) == shown


def test_csv_has_one_bom_and_numbers_stay_numbers() -> None:
    body = csv_text(["name", "n"], [[HOSTILE, -4], ["ok", 3.25]])
    assert body.count("\ufeff") == 1 and body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows == [["name", "n"], ["'" + HOSTILE, "-4"], ["ok", "3.25"]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes("t", ["name", "n"], [[HOSTILE, -4]]))).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == ["'" + HOSTILE, -4]


def test_xlsx_drops_characters_xml_cannot_carry() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes("t", ["a"], [["名\x01字"]]))).active
    assert sheet is not None and sheet["A2"].value == "名字"


def test_failed_xlsx_export_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fails before the fix: openpyxl's sheet file stayed in the temporary folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows() -> Iterator[list[Any]]:
        yield ["first row", 1]
        raise RuntimeError("the query behind the export failed")

    with pytest.raises(RuntimeError):
        xlsx_bytes("t", ["a", "b"], rows())
    assert list(tmp_path.iterdir()) == []
    # And a good export leaves nothing either.
    xlsx_bytes("t", ["a"], [["x"]])
    assert list(tmp_path.iterdir()) == []
