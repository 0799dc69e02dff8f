"""Public pages of topic intake (propose, co-sign) and of representative terms (stand)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations import meetings, representatives, topics
from consultations.models import RepresentativeTerm, Topic
from participation import rolls
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.requests.rules.catalog import CATEGORIES
from participation.rules.areas import AreaKind
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import current_user_or_none, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.requests.loop_panels import topic_origin


async def _propose_page(request: Request, status: int = 200, **extra: Any) -> Response:
    """The proposal form. The community is chosen a level of the tree at a time in a
    city (web.kit.area_choice), never from a list of every community; a resident
    on the roll finds their own community chosen already."""
    session = db(request)
    if "form" not in extra and "area" not in request.query_params:
        home = rolls.entry_and_community(session, user(request).id)
        if home is not None:
            extra["form"] = {"area_id": str(home[1].id)}
    step = area_choice(
        session, request, extra.get("form"), allowed=lambda a: a.kind == AreaKind.COMMUNITY
    )
    context = {"area_step": step, "sources": topics.SOURCE_LABELS} | extra
    return render(request, "consultations/propose.html", context, status=status)


@requires(Permission.USE_ACCOUNT)
async def propose(request: Request) -> Response:
    if request.method == "GET":
        return await _propose_page(request)
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        area_id = record_id(fields.get("area_id", ""))
        if not area_id:
            raise DomainError(
                "topic.invalid",
                N_("Please correct the marked fields."),
                fields={"area_id": N_("Choose a community.")},
            )
        topic = topics.propose_topic(
            session,
            area=get_area(session, area_id),
            title=fields.get("title", ""),
            body=fields.get("body", ""),
            source=fields.get("source", ""),
            proposer_id=user(request).id,
            public_name=fields.get("public_name", ""),
        )
        flash(
            request, "Your topic has been proposed. Ask your neighbours to co-sign it.", "success"
        )
        return htmx.redirect(request, f"/consultations/topics/{topic.id}")

    async def page(error: DomainError) -> Response:
        return await _propose_page(
            request, 422, form=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, page)


async def _topic_page(request: Request, topic: Topic, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    me = current_user_or_none(request)
    signed = False
    if me is not None:
        signed = me.id in {a for a in topics.signers(session, topic.id)}
    context = {
        "topic": topic,
        "area": get_area(session, topic.area_id),
        "count": topics.cosigners(session, topic.id),
        "signed": signed,
        "merged_into": topics.get_topic(session, topic.merged_into_id)
        if topic.merged_into_id
        else None,
        "consultations": meetings.consultations_of_topic(session, topic.id),
        "labels": topics.TOPIC_STATUS_LABELS,
        "sources": topics.SOURCE_LABELS,
        "origin": topic_origin(session, topic.id),  # a hotspot of resident requests
        "origin_categories": CATEGORIES,
    } | extra
    return render(request, "consultations/topic.html", context, status=status)


async def topic_page(request: Request) -> Response:
    return await _topic_page(
        request, topics.get_topic(db(request), request.path_params["topic_id"])
    )


@requires(Permission.USE_ACCOUNT)
async def cosign(request: Request) -> Response:
    session = db(request)
    topic = topics.get_topic(session, request.path_params["topic_id"])

    def act() -> Response:
        topics.cosign(session, topic, user(request).id, now(request))
        flash(request, "Thank you: your co-signature has been recorded.", "success")
        return htmx.redirect(request, f"/consultations/topics/{topic.id}")

    async def page(error: DomainError) -> Response:
        return await _topic_page(request, topic, error.status, error=error.message)

    return await act_or_rerender(request, act, page)


async def _term_page(
    request: Request, term: RepresentativeTerm, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    context = {
        "term": term,
        "area": get_area(session, term.area_id),
        "candidates": representatives.candidates(session, term.id),
        "roster": representatives.roster(session, term.id, include_past=True),
        "labels": representatives.TERM_STATUS_LABELS,
    } | extra
    return render(request, "consultations/term.html", context, status=status)


async def term_page(request: Request) -> Response:
    term = representatives.get_term(db(request), request.path_params["term_id"])
    return await _term_page(request, term)


@requires(Permission.USE_ACCOUNT)
async def stand(request: Request) -> Response:
    session = db(request)
    term = representatives.get_term(session, request.path_params["term_id"])
    fields = await form_fields(request)

    def act() -> Response:
        representatives.sign_up_candidate(
            session, term, user(request).account, fields.get("statement", "")
        )
        flash(request, "You are now a candidate.", "success")
        return htmx.redirect(request, f"/consultations/terms/{term.id}")

    async def page(error: DomainError) -> Response:
        return await _term_page(
            request, term, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, page)


routes = [
    Route("/consultations/topics/new", propose, methods=["GET", "POST"]),
    Route("/consultations/topics/{topic_id:int}", topic_page),
    Route("/consultations/topics/{topic_id:int}/cosign", cosign, methods=["POST"]),
    Route("/consultations/terms/{term_id:int}", term_page),
    Route("/consultations/terms/{term_id:int}/stand", stand, methods=["POST"]),
]
