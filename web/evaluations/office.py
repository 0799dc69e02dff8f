"""Organizations' back office: registration, members, and the evaluation builder."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.evaluations import builder, questionnaire
from consultations.evaluations.listing import overview_of
from consultations.evaluations.models import Evaluation
from consultations.evaluations.reports import publish_report
from consultations.evaluations.rules.sampling import sample_size
from consultations.evaluations.sampling_plan import (
    PlanInput,
    issue_invitations,
    quota_cells,
    set_plan,
)
from participation import departments
from participation.areas import Area, AreaStep
from participation.departments import Department
from participation.errors import N_, DomainError
from participation.organizations.models import Organization
from participation.organizations.registry import get_org, require_member
from participation.rules.permissions import Permission
from web.evaluations.labels import labels
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import MAX_ID, FormReader, form_fields, parsed_form, record_id
from web.kit.i18n import LOCAL_TZ
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render


def departments_offered(session: Session, step: AreaStep, form: object) -> Sequence[Department]:
    """The responsible departments a new evaluation may name: those serving the area
    chosen (the refused form's) or reached a level at a time (``?area=``), else the
    top level's (departments.serving). A small tree, chosen in one <select> with the
    department, is a small place: its every department."""
    if step.flat:
        return departments.all_departments(session)
    chosen = form.get("area_id") if isinstance(form, Mapping) else None
    area_id = record_id(chosen if isinstance(chosen, str) else None)
    area = session.get(Area, area_id) if area_id else None
    if area is None and step.chain:
        area = step.chain[-1]
    return departments.serving(session, area)


async def manage_page(request: Request, status: int = 200, **extra: Any) -> Response:
    """The organization's overview: organizations, evaluations, panel reviews."""
    session = db(request)
    # One area field per form, each a level at a time in a city (web.kit.area_choice).
    step = area_choice(session, request, extra.get("form"))
    overview = overview_of(session, user(request).id)
    context = {
        "orgs": overview.orgs,
        "members": overview.members,
        "evaluations": overview.evaluations,
        "panels": overview.panels,
        "panel_area_step": area_choice(session, request, extra.get("form"), field="panel_area_id"),
        "area_step": step,
        "departments": departments_offered(session, step, extra.get("form")),
        "L": labels(),
    } | extra
    return render(request, "evaluations/office/manage.html", context, status=status)


@requires(Permission.USE_ACCOUNT)
async def manage(request: Request) -> Response:
    return await manage_page(request)


@requires(Permission.MANAGE_EVALUATIONS)
async def create(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        org_id = form.record("org_id", required=True)
        area_id = form.record("area_id")
        previous = form.number("previous_id", low=1, high=MAX_ID)
        plan_item = form.number("plan_item_id", low=1, high=MAX_ID)
        form.check("evaluation.invalid")
        evaluation = builder.create_evaluation(
            session,
            get_org(session, org_id or 0),
            builder.NewEvaluation(
                title=fields.get("title", ""),
                subject_kind=fields.get("subject_kind", ""),
                subject=fields.get("subject", ""),
                department=fields.get("department", ""),
                area_id=area_id or 0,
                conflict_declaration=fields.get("conflict_declaration", ""),
                previous_id=previous,
                plan_item_id=plan_item,
            ),
            user(request).id,
        )
        return htmx.redirect(request, f"/evaluations/manage/{evaluation.id}")

    async def page(error: DomainError) -> Response:
        return await manage_page(
            request, status=error.status, form=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, page)


def _evaluation_for_member(request: Request) -> tuple[Evaluation, Organization]:
    session = db(request)
    evaluation = builder.get_evaluation(session, request.path_params["evaluation_id"])
    org = get_org(session, evaluation.org_id)
    require_member(session, org, user(request).id)
    return evaluation, org


async def _builder_page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    evaluation, org = _evaluation_for_member(request)
    questions = questionnaire.questions_of(session, evaluation.id)
    indicators = questionnaire.indicators_of(session, evaluation.id)
    # Responses are sealed until collection closes; participations count them.
    responses = evaluation.response_count
    invitations = (
        sample_size(
            confidence=evaluation.confidence_permille / 1000,
            margin=evaluation.margin_permille / 1000,
            population=evaluation.population or None,
            response_rate=evaluation.response_rate_permille / 1000,
        ).invitations
        if evaluation.target_sample
        else None
    )
    indicator_text = "\n".join(
        f"{i.key} | {i.name} | {i.weight / 1000:g}" + (f" | {i.parent_key}" if i.parent_key else "")
        for i in indicators
    )
    context = {
        "evaluation": evaluation,
        "org": org,
        "indicators": indicators,
        "indicator_text": indicator_text,
        "questions": [{"row": q, "spec": questionnaire.question_spec(q)} for q in questions],
        "cells": quota_cells(session, evaluation.id),
        "responses": responses,
        "invitations_needed": invitations,
        "problems": builder.design_problems(session, evaluation)
        if evaluation.status == "draft"
        else [],
        "tokens": [],
        "L": labels(),
    } | extra
    return render(request, "evaluations/office/builder.html", context, status=status)


@requires(Permission.MANAGE_EVALUATIONS)
async def builder_page(request: Request) -> Response:
    return await _builder_page(request)


Step = Callable[[Request, Evaluation, dict[str, str]], Awaitable[dict[str, Any] | None]]
Endpoint = Callable[[Request], Awaitable[Response]]


def _action(name: str) -> Callable[[Step], Endpoint]:
    """A builder form: run the step, redirect back, or re-render with 422 and messages.
    A step may return extra context to show instead of redirecting (new invitations)."""

    def decorate(step: Step) -> Endpoint:
        @requires(Permission.MANAGE_EVALUATIONS)
        async def endpoint(request: Request) -> Response:
            evaluation, _org = _evaluation_for_member(request)
            fields = await form_fields(request)

            async def act() -> Response:
                extra = await step(request, evaluation, fields)
                if extra:
                    return await _builder_page(request, **extra)
                return htmx.redirect(request, f"/evaluations/manage/{evaluation.id}#{name}")

            async def page(error: DomainError) -> Response:
                return await _builder_page(
                    request,
                    status=error.status,
                    form=fields,
                    errors=error.fields,
                    error=error.message,
                    error_params=error.params,
                    section=name,
                )

            return await act_or_rerender(request, act, page)

        endpoint.__name__ = f"builder_{name}"
        return endpoint

    return decorate


@_action("indicators")
async def save_indicators(request: Request, evaluation: Evaluation, fields: dict[str, str]) -> None:
    questionnaire.set_indicators(
        db(request), evaluation, fields.get("indicators", ""), user(request).id
    )
    flash(request, N_("Indicators saved."), "success")


@_action("questions")
async def save_question(request: Request, evaluation: Evaluation, fields: dict[str, str]) -> None:
    questionnaire.add_question(
        db(request),
        evaluation,
        questionnaire.NewQuestion(
            text=fields.get("text", ""),
            kind=fields.get("kind", ""),
            indicator=fields.get("indicator", ""),
            options_text=fields.get("options", ""),
            low=fields.get("low", ""),
            high=fields.get("high", ""),
            required=fields.get("optional") != "1",
        ),
        user(request).id,
    )


@_action("questions")
async def delete_question(request: Request, evaluation: Evaluation, fields: dict[str, str]) -> None:
    questionnaire.remove_question(
        db(request), evaluation, request.path_params["question_id"], user(request).id
    )


@_action("plan")
async def save_plan(request: Request, evaluation: Evaluation, fields: dict[str, str]) -> None:
    form = await parsed_form(request)
    dims = tuple(str(d) for d in form.getlist("dimensions"))
    set_plan(
        db(request),
        evaluation,
        PlanInput(
            access=fields.get("access", ""),
            confidence=fields.get("confidence", ""),
            margin_percent=fields.get("margin", ""),
            response_rate_percent=fields.get("response_rate", ""),
            dimensions=dims,
            weighting=fields.get("weighting", ""),
            caps_text=fields.get("caps", ""),
        ),
        user(request).id,
        now(request).astimezone(LOCAL_TZ).date(),
    )
    flash(request, N_("Sampling plan saved."), "success")


@_action("invitations")
async def invite(
    request: Request, evaluation: Evaluation, fields: dict[str, str]
) -> dict[str, Any]:
    form = FormReader(fields)
    count = form.number("count", required=True)
    days = form.number("days", required=True)
    form.check("evaluation.invitations")
    tokens = issue_invitations(
        db(request),
        evaluation,
        count=count or 0,
        days=days or 0,
        cell=fields.get("cell", ""),
        actor_id=user(request).id,
        now=now(request),
    )
    # Shown once, on this page: only their hashes are stored.
    return {"tokens": tokens, "base_url": str(request.base_url).rstrip("/")}


@_action("status")
async def open_(request: Request, evaluation: Evaluation, fields: dict[str, str]) -> None:
    builder.open_evaluation(db(request), evaluation, user(request).id, now(request))
    flash(request, N_("The evaluation is open for responses."), "success")


@_action("status")
async def close(request: Request, evaluation: Evaluation, fields: dict[str, str]) -> None:
    builder.close_evaluation(db(request), evaluation, user(request).id, now(request))


@_action("status")
async def publish(request: Request, evaluation: Evaluation, fields: dict[str, str]) -> None:
    publish_report(
        db(request), evaluation, fields.get("findings", ""), user(request).id, now(request)
    )
    flash(request, N_("The report is published."), "success")


M = "/evaluations/manage/{evaluation_id:int}"
routes = [
    Route("/evaluations/manage", manage),
    Route("/evaluations/manage", create, methods=["POST"]),
    Route(M, builder_page),
    Route(f"{M}/indicators", save_indicators, methods=["POST"]),
    Route(f"{M}/questions", save_question, methods=["POST"]),
    Route(M + "/questions/{question_id:int}/delete", delete_question, methods=["POST"]),
    Route(f"{M}/plan", save_plan, methods=["POST"]),
    Route(f"{M}/invitations", invite, methods=["POST"]),
    Route(f"{M}/open", open_, methods=["POST"]),
    Route(f"{M}/close", close, methods=["POST"]),
    Route(f"{M}/publish", publish, methods=["POST"]),
]
