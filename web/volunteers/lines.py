"""The rows of the public lists of coming shifts and of teams, written out in Python.

A list page shows forty rows of a dozen values each; Jinja2 escapes, wraps and
yields each value on its own (about 30 us a row), which was most of the page's
CPU. Here each row is one escaped f-string and the labels are translated once a
list. The tables' frames (caption, headings, pager) stay in the templates
(volunteers/_shifts.html and index.html); tests/web/volunteers/test_volunteer_lines.py
holds the markup to the one the templates wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape
from starlette.requests import Request

from participation.errors import N_
from volunteers.listings import ComingShift, TeamLine
from volunteers.rules.stars import DEFAULT_SCHEME, StarScheme
from web.kit.i18n import current_locale, format_datetime, gettext
from web.volunteers.shared import STAR_LEVEL_NAMES

#: Star-level sections kept per process (each is a few hundred bytes).
STAR_SECTIONS_KEPT = 200


def shift_lines(rows: Sequence[ComingShift]) -> Markup:
    """The ``<tr>`` of each coming shift (when, activity and team, place, places),
    a phone card each (``class="stack"``: the cells' ``data-label``), or the one
    row that says there are none."""
    if not rows:
        none = escape(gettext("No shifts coming up."))
        return Markup(f'<tr><td colspan="4">{none}</td></tr>')
    when, place, places = (escape(gettext(t)) for t in (N_("When"), N_("Place"), N_("Places")))
    free_text = gettext("%(free)s of %(total)s free")
    full = escape(gettext("Full"))
    waiting_text = gettext("%(n)s waiting")
    out = []
    for row in rows:
        where = escape(row.area_name)
        if row.place:
            where = Markup(f"{where} · {escape(row.place)}")
        if row.free:
            seats = escape(free_text % {"free": row.free, "total": row.capacity})
        else:
            seats = Markup(f"<strong>{full}</strong>")
            if row.waiting:
                seats = Markup(f"{seats} · {escape(waiting_text % {'n': row.waiting})}")
        out.append(
            f'<tr><td data-label="{when}">{escape(format_datetime(row.starts_at))}</td>'
            f'<td class="card-title"><a href="/volunteers/shifts/{row.id}">{escape(row.title)}</a>'
            f'<br><span class="muted">{escape(row.team_name)}</span></td>'
            f'<td data-label="{place}">{where}</td><td data-label="{places}">{seats}</td></tr>'
        )
    return Markup("\n".join(out))


def team_lines(
    rows: Sequence[TeamLine], kind_names: Mapping[str, str], mode_names: Mapping[str, str]
) -> Markup:
    """The ``<tr>`` of each team (name, kind, area, joining), a phone card each, or
    the one row that says there are none. ``kind_names`` and ``mode_names`` are the
    labels already translated."""
    if not rows:
        none = escape(gettext("No teams yet."))
        return Markup(f'<tr><td colspan="4">{none}</td></tr>')
    kind, area, joining = (escape(gettext(t)) for t in (N_("Kind"), N_("Area"), N_("Joining")))
    kinds = {k: escape(v) for k, v in kind_names.items()}
    modes = {k: escape(v) for k, v in mode_names.items()}
    return Markup(
        "\n".join(
            f'<tr><td class="card-title"><a href="/volunteers/teams/{t.id}">{escape(t.name)}</a>'
            f'</td><td data-label="{kind}">{kinds.get(t.kind) or escape(t.kind)}</td>'
            f'<td data-label="{area}">{escape(t.area_name)}</td>'
            f'<td data-label="{joining}">{modes.get(t.join_mode) or escape(t.join_mode)}</td></tr>'
            for t in rows
        )
    )


def star_levels(request: Request, schemes: Sequence[tuple[str, StarScheme]]) -> Markup:
    """The star-levels section of /volunteers (volunteers/_star_levels.html): the
    schemes in force by area name, then the defaults. It depends only on those
    and the language, which are its key: rendered once per process for each, so
    it can never show a scheme other than the ones given."""
    state = request.app.state
    if not hasattr(state, "volunteer_star_levels"):
        state.volunteer_star_levels = {}
    kept: dict[tuple[Any, ...], Markup] = state.volunteer_star_levels
    key = (current_locale.get(), tuple(schemes))
    found = kept.get(key)
    if found is None:
        template = state.templates.get_template("volunteers/_star_levels.html")
        found = Markup(
            template.render(
                star_schemes=schemes, default_scheme=DEFAULT_SCHEME, level_names=STAR_LEVEL_NAMES
            )
        )
        if len(kept) >= STAR_SECTIONS_KEPT:
            kept.clear()
        kept[key] = found
    return found
