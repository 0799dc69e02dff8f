"""The loop: staff turn a hotspot (grid × category) or a merged recurring matter (a
request others were merged into) into a governance plan item or a consultation topic
in one step; anyone sees where the item or topic came from on the hotspot's page
(counts only, no personal data)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations import topics
from consultations.models import Topic
from participation.areas import Area, find_area
from participation.errors import N_, DomainError
from participation.requests import loop
from participation.requests.models import ResidentRequest
from participation.requests.rules.catalog import CATEGORIES
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.i18n import translations
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.requests import office
from web.requests.forms import LABELS, paths_for

DESCRIPTION = N_("Residents raised this matter here again and again (a hotspot of requests).")
DONE = N_("The hotspot is on the governance plan; its requesters are told.")
TOPIC_DONE = N_("The hotspot is a topic of community consultation; its requesters are told.")


def _title(session: Session, area_id: int, category: str) -> str:
    """The item's or topic's title in the portal's language: place and category."""
    place = find_area(session, area_id)
    zh = translations("zh_CN")
    return f"{place.name if place else ''}：{zh.gettext(CATEGORIES[category])}"


def _opener(request: Request, title: str) -> loop.OpenTopic:
    """Proposes the topic as the staff member, a community worker's proposal."""
    session = db(request)

    def open_topic(community: Area) -> tuple[int, str]:
        topic = topics.propose_topic(
            session,
            area=community,
            title=title,
            body=translations("zh_CN").gettext(DESCRIPTION),
            source=topics.Source.COMMUNITY_WORKER,
            proposer_id=user(request).id,
        )
        return topic.id, topic.title

    return open_topic


Make = Callable[[Session, int, str], loop.HotspotAction]


async def _on_hotspot(request: Request, make: Make, done: str) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        area_id = form.record("area_id", required=True)
        category = form.choice("category", CATEGORIES)
        form.check()
        assert area_id is not None and category is not None
        action = make(session, area_id, category)
        flash(request, done, "success")
        return htmx.redirect(request, f"/requests/hotspots/{action.id}")

    async def page(error: DomainError) -> Response:
        return render(
            request,
            "requests/board/refused.html",
            {"error": error.message, "errors": error.fields},
            status=error.status,
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.ROUTE_REQUESTS)
async def to_plan(request: Request) -> Response:
    def make(session: Session, area_id: int, category: str) -> loop.HotspotAction:
        return loop.hotspot_to_plan(
            session,
            area_id,
            category,
            now(request),
            actor_id=user(request).id,
            title=_title(session, area_id, category),
            description=translations("zh_CN").gettext(DESCRIPTION),
            scope=paths_for(user(request), Permission.ROUTE_REQUESTS),
        )

    return await _on_hotspot(request, make, DONE)


@requires(Permission.ROUTE_REQUESTS)
async def to_topic(request: Request) -> Response:
    def make(session: Session, area_id: int, category: str) -> loop.HotspotAction:
        return loop.hotspot_to_topic(
            session,
            area_id,
            category,
            now(request),
            actor_id=user(request).id,
            open_topic=_opener(request, _title(session, area_id, category)),
            scope=paths_for(user(request), Permission.ROUTE_REQUESTS),
        )

    return await _on_hotspot(request, make, TOPIC_DONE)


@requires(Permission.ROUTE_REQUESTS)
async def matter_to_plan(request: Request) -> Response:
    """From the office page of a request others were merged into."""

    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        session = db(request)
        loop.matter_to_plan(
            session,
            found,
            now(request),
            actor_id=user(request).id,
            title=_title(session, found.area_id, found.category),
            description=translations("zh_CN").gettext(DESCRIPTION),
            scope=paths_for(user(request), Permission.ROUTE_REQUESTS),
        )
        return DONE

    return await office.act_on(request, act)


@requires(Permission.ROUTE_REQUESTS)
async def matter_to_topic(request: Request) -> Response:
    def act(found: ResidentRequest, fields: dict[str, str], form: FormReader) -> str:
        session = db(request)
        loop.matter_to_topic(
            session,
            found,
            now(request),
            actor_id=user(request).id,
            open_topic=_opener(request, _title(session, found.area_id, found.category)),
            scope=paths_for(user(request), Permission.ROUTE_REQUESTS),
        )
        return TOPIC_DONE

    return await office.act_on(request, act)


async def hotspot(request: Request) -> Response:
    session = db(request)
    found = loop.get_action(session, request.path_params["action_id"])
    shown = loop.shown(session, found)
    topic = session.get(Topic, found.topic_id) if found.topic_id else None
    return render(request, "requests/board/hotspot.html", LABELS | shown | {"topic": topic})


routes = [
    Route("/admin/requests/hotspots/plan", to_plan, methods=["POST"]),
    Route("/admin/requests/hotspots/topic", to_topic, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/matter/plan", matter_to_plan, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/matter/topic", matter_to_topic, methods=["POST"]),
    Route("/requests/hotspots/{action_id:int}", hotspot),
]
