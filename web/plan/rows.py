"""The board's table rows, as markup, built in Python: a Jinja loop over 25 rows of
six cells (each value escaped and yielded on its own) was the largest part of the
board's rendering. The markup is what ``plan/board.html`` drew, without its indentation:
each cell carries its column's label (``data-label``) for the phone cards, a late
item's row is marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from participation.errors import N_
from participation.plan.board import ItemView
from web.kit.i18n import gettext, ngettext


def board_rows(
    views: Sequence[ItemView], status_text: Mapping[str, str], source_text: Mapping[str, str]
) -> Markup:
    """The ``<tr>`` elements of the board's table for ``views`` (a row saying no item
    matches when there is none)."""
    if not views:
        none = escape(gettext("No items match."))
        return Markup(f'<tr><td colspan="6">{none}</td></tr>')
    item_label, area_label, department_label, due_label, progress_label, status_label = (
        escape(gettext(text))
        for text in (
            N_("Plan item"),
            N_("Area"),
            N_("Owner department"),
            N_("Due"),
            N_("Progress"),
            N_("Status"),
        )
    )
    out = []
    for v in views:
        item, status, progress = v.item, v.status, v.progress
        late = ' class="late"' if status == "delayed" else ""
        steps = ""
        if v.overdue_milestones:
            steps = (
                "<br><small>"
                + str(
                    escape(
                        ngettext(
                            "%(num)d milestone overdue",
                            "%(num)d milestones overdue",
                            v.overdue_milestones,
                        )
                    )
                )
                + "</small>"
            )
        source = source_text.get(item.source_kind, item.source_kind)
        out.append(
            f'<tr data-item="{item.id}"{late}>'
            f'<td class="card-title" data-label="{item_label}"><a id="i{item.id}"'
            f' href="/plan/items/{item.id}">{escape(item.title)}</a><br><small class="muted">'
            f"{escape(source)} · {v.plan.year}</small></td>"
            f'<td data-label="{area_label}">{escape(v.area.name)}</td>'
            f'<td data-label="{department_label}">{escape(v.department or "—")}</td>'
            f'<td data-label="{due_label}">{item.due_on or "—"}</td>'
            f'<td data-label="{progress_label}"><span class="plan-meter"><progress max="100"'
            f' value="{progress}" aria-labelledby="i{item.id}">{progress}%</progress>'
            f" {progress}%</span></td>"
            f'<td class="status-{status}" data-label="{status_label}">'
            f"{escape(status_text[status])}{steps}</td></tr>"
        )
    return Markup("\n".join(out))
