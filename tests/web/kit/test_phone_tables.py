"""Every table of three or more columns in the templates turns into one card per row
on phones (``class="stack"``, see static/css/site.css), and each of its cells says
what it holds (``data-label``) unless it is the card's title, an empty-row message
(``colspan``) or a cell of buttons that name themselves. The browser test
tests/browser/kit/test_phone_pages.py checks the pages at 375 px; this one keeps
tables the seeded pages leave empty, and new ones, from squeezing a phone."""

from __future__ import annotations

import re
from pathlib import Path

from web.kit.templating import TEMPLATES_DIR

TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
HEADER_CELL = re.compile(r"<th\b[^>]*scope=\"col\"|<th>|<th\b(?![^>]*scope=\"row\")[^>]*>")
#: Narrow enough for a phone as they are, with why.
NARROW = {
    # A place, its count and a two-letter feed link.
    ("requests/board/board.html", 3),
    # A PDF on A4 paper, never shown on a phone.
    ("volunteers/certificate_pdf.html", 0),
}


def header_columns(table: str) -> int:
    head = table.split("</tr>", 1)[0] if "<thead" in table else ""
    return len(HEADER_CELL.findall(head))


def tables() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        name = path.relative_to(TEMPLATES_DIR).as_posix()
        for index, table in enumerate(TABLE.findall(Path(path).read_text(encoding="utf-8"))):
            found.append((name, index, table))
    return found


def test_wide_tables_stack_on_phones() -> None:
    wide = [(name, i) for name, i, table in tables() if header_columns(table) >= 3]
    assert len(wide) > 40  # the pattern still finds the tables
    unstacked = [
        (name, i)
        for name, i, table in tables()
        if (name, i) in wide and (name, i) not in NARROW and "stack" not in table.split(">", 1)[0]
    ]
    assert unstacked == []


def test_stacked_cells_say_what_they_hold() -> None:
    unlabelled = []
    for name, i, table in tables():
        if "stack" not in table.split(">", 1)[0]:
            continue
        for cell in re.finditer(r"<td\b([^>]*)>", table):
            if re.search(r"data-label=|card-title|colspan", cell.group(1)):
                continue
            content = table[cell.end() : table.index("</td>", cell.end())]
            # Left unlabelled: a cell of buttons or a form, which name their action.
            if not any(tag in content for tag in ("<form", "<button", "<details")):
                unlabelled.append((name, i, content[:60]))
    assert unlabelled == []
