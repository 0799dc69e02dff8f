"""A department's answer to a published evaluation, and its rectification items
(/evaluations/{id}/department-response)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.evaluations.builder import get_evaluation
from consultations.evaluations.models import Evaluation
from consultations.evaluations.rectification import (
    NewRectification,
    post_response,
    rectifications_of,
    update_rectification,
)
from participation import departments
from participation.areas import Area, get_area
from participation.errors import N_, DomainError
from participation.plan.sources import STATUS_LABELS
from participation.rules.permissions import Permission
from web.evaluations.labels import labels
from web.kit import htmx
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

ITEM_ROWS = 5
PUBLISHED = N_("The response is published, and each rectification item is on the governance plan.")


def _department_evaluation(request: Request) -> tuple[Evaluation, Area]:
    """The evaluation of the path with its area (held: the page offers the
    departments serving it), once the user may respond there."""
    session = db(request)
    evaluation = get_evaluation(session, request.path_params["evaluation_id"])
    area = get_area(session, evaluation.area_id)
    authorize(request, Permission.RESPOND_EVALUATIONS, area.path)
    return evaluation, area


async def _response_page(
    request: Request, evaluation: Evaluation, area: Area, status: int = 200, **extra: Any
) -> Response:
    context = {
        "evaluation": evaluation,
        "rectifications": rectifications_of(db(request), evaluation.id),
        # Those serving the evaluated area, not every department of the city.
        "departments": departments.serving(db(request), area),
        "rows": range(ITEM_ROWS),
        "plan_status": STATUS_LABELS,
        "L": labels(),
    } | extra
    return render(request, "evaluations/office/department_response.html", context, status=status)


@requires(Permission.RESPOND_EVALUATIONS)
async def response_page(request: Request) -> Response:
    return await _response_page(request, *_department_evaluation(request))


def _items(fields: dict[str, str]) -> list[NewRectification]:
    """The filled rows of the items table; every due date must be readable."""
    form = FormReader(fields)
    rows = [
        (n, fields.get(f"title_{n}", ""), form.day(f"due_{n}", required=True))
        for n in range(ITEM_ROWS)
        if fields.get(f"title_{n}", "")
    ]
    if form.problems:
        message = N_("Give each rectification item a due date.")
        raise DomainError("evaluation.item_due", message, fields={"items": message} | form.problems)
    return [
        NewRectification(title, fields.get(f"owner_{n}", ""), due) for n, title, due in rows if due
    ]


@requires(Permission.RESPOND_EVALUATIONS)
async def respond(request: Request) -> Response:
    evaluation, area = _department_evaluation(request)
    fields = await form_fields(request)

    def act() -> Response:
        post_response(
            db(request),
            evaluation,
            fields.get("text", ""),
            _items(fields),
            actor_id=user(request).id,
            now=now(request),
        )
        flash(
            request,
            PUBLISHED,
            "success",
        )
        return htmx.redirect(request, f"/evaluations/{evaluation.id}")

    async def page(error: DomainError) -> Response:
        return await _response_page(
            request,
            evaluation,
            area,
            status=error.status,
            form=fields,
            errors=error.fields,
            error=error.message,
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.RESPOND_EVALUATIONS)
async def update_item(request: Request) -> Response:
    evaluation, area = _department_evaluation(request)
    fields = await form_fields(request)

    def act() -> Response:
        update_rectification(
            db(request),
            evaluation,
            request.path_params["item_id"],
            evidence=fields.get("evidence", ""),
            done=fields.get("done") == "1",
            actor_id=user(request).id,
            now=now(request),
        )
        flash(request, N_("Rectification item updated."), "success")
        return htmx.redirect(request, f"/evaluations/{evaluation.id}/department-response")

    async def page(error: DomainError) -> Response:
        return await _response_page(
            request, evaluation, area, status=error.status, error=error.message
        )

    return await act_or_rerender(request, act, page)


routes = [
    Route("/evaluations/{evaluation_id:int}/department-response", response_page),
    Route("/evaluations/{evaluation_id:int}/department-response", respond, methods=["POST"]),
    Route(
        "/evaluations/{evaluation_id:int}/rectifications/{item_id:int}",
        update_item,
        methods=["POST"],
    ),
]
