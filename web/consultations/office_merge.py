"""Back office: merge a topic into another of its community (议题合并), on a page of
its own. The topics it may go into are a page at a time, newest first, narrowed by
a title or a number typed in a plain GET form: the page stays small however many
topics a community collects, and works without JavaScript."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations import topics
from consultations.models import Topic
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from web.consultations.office import managed_topic
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id, whole_number
from web.kit.pagination import MAX_PAGE, Page
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

#: Topics a page of the candidates.
CANDIDATES_PER_PAGE = 20

#: The longest search kept (a title is at most this long, see consultations.rules).
SEARCH_MAX = 120

#: Topics that may still be decided, so merged.
UNDECIDED = ("collecting", "triage")


def _url(topic: Topic) -> str:
    return f"/admin/consultations/topics/{topic.id}/merge"


async def _merge_page(
    request: Request,
    topic: Topic,
    asked: dict[str, str],
    status: int = 200,
    **extra: Any,
) -> Response:
    """The topic, the search form and a page of candidates; ``asked`` holds the
    search and page (the query's, or the refused form's hidden fields)."""
    # NUL is no text a database column may be compared with (PostgreSQL refuses it).
    search = asked.get("q", "").replace("\x00", "")[:SEARCH_MAX]
    page = whole_number(asked.get("page"), low=1, high=MAX_PAGE) or 1
    rows: list[Topic] = []
    total = 0
    if topic.status in UNDECIDED:
        rows, total, page = topics.merge_candidates(
            db(request), topic, search=search, page=page, per_page=CANDIDATES_PER_PAGE
        )
    kept = urlencode({"q": search}) + "&" if search else ""
    context = {
        "topic": topic,
        "open": topic.status in UNDECIDED,
        "candidates": Page(rows, page, CANDIDATES_PER_PAGE, total),
        "search": search,
        "pager_base": f"{_url(topic)}?{kept}",
        "labels": topics.TOPIC_STATUS_LABELS,
    } | extra
    return render(request, "consultations/office/merge.html", context, status=status)


@requires(Permission.MANAGE_CONSULTATIONS)
async def merge_page(request: Request) -> Response:
    return await _merge_page(request, managed_topic(request), dict(request.query_params))


@requires(Permission.MANAGE_CONSULTATIONS)
async def merge(request: Request) -> Response:
    """Merge the topic into the chosen one; the target is checked on the server
    (another open topic of the same community), and a refusal shows this page again
    with the message beside the field, nothing changed."""
    session = db(request)
    topic = managed_topic(request)
    fields = await form_fields(request)

    def act() -> Response:
        into = topics.merge_target(session, record_id(fields.get("merge_into")))
        topics.merge_topic(
            session, topic, into, fields.get("reason", ""), user(request).id, now(request)
        )
        flash(request, N_("The topic has been merged."), "success")
        return htmx.redirect(request, "/admin/consultations")

    async def page(error: DomainError) -> Response:
        return await _merge_page(
            request,
            topic,
            fields,
            error.status,
            error=error.message,
            errors=error.fields,
            form=fields,
        )

    return await act_or_rerender(request, act, page)


routes = [
    Route("/admin/consultations/topics/{topic_id:int}/merge", merge_page),
    Route("/admin/consultations/topics/{topic_id:int}/merge", merge, methods=["POST"]),
]
