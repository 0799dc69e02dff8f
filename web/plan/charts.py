"""The board's accessible bar charts, as markup: an SVG image with a title and
summary, followed by the same data as a table (what ``plan/_charts.html``'s ``bars``
macro drew). Built in Python: the macro, called for four charts of dozens of rows,
was a third of the board's CPU."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from participation.plan.board import Bar
from web.kit.i18n import gettext


def _short(name: str, length: int = 9, leeway: int = 5) -> str:
    """Jinja's ``truncate(9, true, "…")``: a name longer than 9 characters (and the
    leeway) cut to fit 9."""
    return name if len(name) <= length + leeway else name[: length - 1] + "…"


def _number(value: float) -> str:
    """Jinja's ``round(1)`` of a float, as it prints."""
    return str(round(value, 1))


def bars(
    id: str,
    title: str,
    rows: Sequence[Bar],
    unit: str = "",
    second_label: str | None = None,
    label_map: Mapping[str, str] | None = None,
    percent: bool = False,
    second_in_table: str | None = None,
) -> Markup:
    """One chart, its rows' labels translated through ``label_map`` when it names them."""
    if percent:
        top: float = 100
    else:
        top = max([r.value for r in rows] + [r.second for r in rows if second_label] + [0])
    scale = 190 / top if top else 0
    per = 2 if second_label else 1
    height = len(rows) * (14 * per + 10) + 10
    mark = "%" if percent else ""
    names = [
        gettext(label_map[r.label]) if label_map and r.label in label_map else (r.label or "")
        for r in rows
    ]
    none = gettext("(none)") if not all(names) else ""
    names = [n or none for n in names]
    out = [f'<figure class="plan-chart" id="{id}">']
    legend = ""
    if second_label:
        legend = (
            ' <span class="legend"><span class="key key-a" aria-hidden="true"></span>'
            f'{escape(unit)} <span class="key key-b" aria-hidden="true"></span>'
            f"{escape(second_label)}</span>"
        )
    out.append(f'<figcaption id="{id}-title">{escape(title)}{legend}</figcaption>')
    out.append(
        f'<svg role="img" aria-labelledby="{id}-title" aria-describedby="{id}-table" '
        f'viewBox="0 0 400 {height}" width="100%" preserveAspectRatio="xMinYMin meet">'
    )
    # Each kind of mark in a group that carries what its marks share (font size,
    # colour), rather than on every mark: a tenth of the board's bytes.
    labels, bars_a, values_a, bars_b, values_b = [], [], [], [], []
    for k, (row, name) in enumerate(zip(rows, names, strict=True)):
        y = 10 + k * (14 * per + 10)
        labels.append(f'<text x="0" y="{y + 11}">{escape(_short(name))}</text>')
        bars_a.append(f'<rect x="110" y="{y}" width="{_number(row.value * scale)}" height="12"/>')
        values_a.append(
            f'<text x="{114 + row.value * scale}" y="{y + 10}">{row.value:,}{mark}</text>'
        )
        if second_label:
            bars_b.append(
                f'<rect x="110" y="{y + 14}" width="{_number(row.second * scale)}" height="12"/>'
            )
            values_b.append(
                f'<text x="{_number(114 + row.second * scale)}" y="{y + 24}">{row.second:,}</text>'
            )
    out.append(f'<g font-size="11">{"".join(labels)}</g>')
    out.append(f'<g fill="#a4161a">{"".join(bars_a)}</g>')
    if second_label:
        out.append(f'<g fill="#1b6b3a">{"".join(bars_b)}</g>')
    out.append(f'<g font-size="10">{"".join(values_a)}{"".join(values_b)}</g>')
    out.append("</svg>")
    second = second_label or second_in_table
    head = f'<th scope="col">{escape(second)}</th>' if second else ""
    out.append(
        f'<table id="{id}-table" class="stack"><thead><tr><th scope="col">{escape(title)}</th>'
        f'<th scope="col">{escape(unit)}</th>{head}</tr></thead><tbody>'
    )
    unit_label, second_attr = escape(unit), escape(second or "")
    for row, name in zip(rows, names, strict=True):
        cell = f'<td data-label="{second_attr}">{row.second:,}</td>' if second else ""
        out.append(
            f'<tr><th scope="row">{escape(name)}</th><td data-label="{unit_label}">'
            f"{row.value:,}{mark}</td>{cell}</tr>"
        )
    if not rows:
        none = escape(gettext("No data."))
        out.append(f'<tr><td colspan="3">{none}</td></tr>')
    out.append("</tbody></table></figure>")
    return Markup("\n".join(out))
