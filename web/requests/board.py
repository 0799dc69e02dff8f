"""The public board of resident requests, the hotspot page with the ranking of units
(红黑榜), and an Atom feed per area. Counts only: nothing here names a requester."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area, get_area
from participation.errors import N_
from participation.requests import board, counts, loop
from participation.requests.rules.calendar import local_day
from participation.requests.rules.catalog import CATEGORIES, CHANNELS, STATUSES
from participation.requests.rules.figures import RATE_LABELS
from web.kit.api_query import check_query
from web.kit.charts import bar_chart
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.i18n import gettext, translations
from web.kit.pagination import Page, page_number
from web.kit.templating import render
from web.requests.api import AREA_PARAMETER
from web.requests.forms import LABELS


def _area(request: Request) -> Area | None:
    check_query(request, [AREA_PARAMETER])
    raw = request.query_params.get("area")
    return get_area(db(request), int(raw)) if raw else None


def _named(found: dict[str, int], labels: Mapping[str, str]) -> list[tuple[str, int]]:
    """(label in the reader's language, count) per key; an unknown key shows as is."""
    return [(gettext(labels[key]) if key in labels else key, n) for key, n in found.items()]


async def board_page(request: Request) -> Response:
    session = db(request)
    area = _area(request)
    counted = counts.public_board(session, area)
    found = counted.figures
    chart = bar_chart(
        [(str(CATEGORIES[c]), n, False) for c, n in found.by_category.items()],
        title=N_("Requests by category"),
        value_label=N_("Requests"),
    )
    return render(
        request,
        "requests/board/board.html",
        LABELS
        | {
            "board": found,
            # Each table's labels translated here, once, not by a gettext call per row.
            "rows": {
                "category": _named(found.by_category, CATEGORIES),
                "channel": _named(found.by_channel, CHANNELS),
                "status": _named(found.by_status, STATUSES),
            },
            "as_of": counted.as_of,
            "area": area,
            "areas": board.area_filter(session, area),
            "chart": chart,
            "query": f"?area={area.id}" if area else "",
        },
    )


#: Units per page of the hotspot page's table of every unit.
UNITS_PAGE = 50


async def hotspots_page(request: Request) -> Response:
    session = db(request)
    area = _area(request)
    today = local_day(now(request))
    counted = counts.hotspots(session, today, area)
    spots = counted.figures
    # The table of every unit is paged (a city has thousands of units).
    ranked = page_number(request)
    units = board.unit_board(
        session, today, shown=slice((ranked - 1) * UNITS_PAGE, ranked * UNITS_PAGE)
    )
    every_unit = Page.of(units.ranking, ranked, UNITS_PAGE)
    chart = bar_chart(
        [
            (spots.places.get(g, str(g)) + "·" + str(CATEGORIES.get(c, c)), n, False)
            for g, c, _m, n in spots.cells[:10]
        ],
        title=N_("Hotspots: requests by grid and category"),
        value_label=N_("Requests"),
    )
    score_chart = bar_chart(
        [
            (units.names.get(r.unit, str(r.unit)), round(r.score * 100), False)
            for r in units.ranking[:10]
        ],
        title=N_("Overall score of units"),
        value_label=N_("Score"),
    )
    return render(
        request,
        "requests/board/hotspots.html",
        LABELS
        | {
            "spots": spots,
            "as_of": counted.as_of,
            "units": units,
            "every_unit": every_unit,
            "every_unit_base": f"/requests/hotspots?area={area.id}&"
            if area
            else "/requests/hotspots?",
            "area": area,
            "areas": board.area_filter(session, area),
            "chart": chart,
            "score_chart": score_chart,
            "rate_labels": RATE_LABELS,
            "actions": loop.actions(session),
        },
    )


async def feed(request: Request) -> Response:
    """The latest 50 requests placed in the area (Atom 1.0): number, category, status
    and place only."""
    session = db(request)
    area = get_area(session, request.path_params["area_id"])
    base = request.app.state.settings.base_url.rstrip("/")
    items = board.latest(session, area.path)
    updated = items[0].filed_at.isoformat() if items else "2000-01-01T00:00:00+00:00"
    self_url = f"{base}/requests/board/{area.id}/feed.atom"
    zh = translations("zh_CN").gettext

    def title(i: board.Feed) -> str:
        category = zh(CATEGORIES[i.category]) if i.category in CATEGORIES else i.category
        return f"{i.number} · {category} · {i.place}"

    def status(i: board.Feed) -> str:
        return zh(STATUSES[i.status]) if i.status in STATUSES else i.status

    entries = "".join(
        "<entry>"
        f"<id>{escape(base)}/requests/board/{area.id}/{escape(i.number)}</id>"
        f"<title>{escape(title(i))}</title>"
        f'<link href="{escape(base)}/requests/board?area={area.id}"/>'
        f"<updated>{i.filed_at.isoformat()}</updated>"
        "<author><name>共治</name></author>"
        f'<content type="text">{escape(status(i))}</content>'
        "</entry>"
        for i in items
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">'
        f"<id>{escape(self_url)}</id>"
        f"<title>共治 · {escape(area.name)} · 群众诉求</title>"
        f'<link rel="self" href="{escape(self_url)}"/>'
        f'<link href="{escape(base)}/requests/board?area={area.id}"/>'
        f"<updated>{updated}</updated>{entries}</feed>"
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


routes = [
    Route("/requests/board", board_page),
    Route("/requests/hotspots", hotspots_page),
    Route("/requests/board/{area_id:int}/feed.atom", feed),
]
