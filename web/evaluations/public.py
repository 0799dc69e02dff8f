"""Public evaluation pages: the list, an evaluation with its report, responding,
and the report as PDF and CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.evaluations.builder import get_evaluation
from consultations.evaluations.listing import (
    PUBLIC_STATUSES,
    drawn_panels,
    links_of,
    list_filters,
    public_evaluations,
)
from consultations.evaluations.models import Evaluation, Question
from consultations.evaluations.questionnaire import indicator_tree, question_spec, questions_of
from consultations.evaluations.rectification import is_overdue, rectifications_of
from consultations.evaluations.reports import microdata_rows, published_report, report_rows
from consultations.evaluations.responding import (
    Respondent,
    draft_answers,
    draft_of,
    has_responded,
    quota_refusal,
    resident_respondent,
    save_draft,
    submit_response,
    token_respondent,
)
from consultations.evaluations.rules.answers import QuestionKind
from consultations.evaluations.rules.scoring import OVERALL
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.organizations.registry import get_org
from participation.plan import board
from participation.plan.sources import STATUS_LABELS
from web.evaluations.labels import labels
from web.kit import htmx
from web.kit.auth import current_user_or_none, refuse_assisted, sign_in_redirect
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import local_moment, parsed_form, record_id
from web.kit.i18n import LOCAL_TZ
from web.kit.i18n import current_locale as LOCALE
from web.kit.pdf import pdf_response
from web.kit.refusals import act_or_rerender
from web.kit.tabular import csv_response, table_response
from web.kit.templating import flash, render


async def evaluation_list(request: Request) -> Response:
    session = db(request)
    filters = {k: request.query_params.get(k, "") for k in ("area", "org", "subject")}
    rows = public_evaluations(
        session,
        area_id=record_id(filters["area"]),
        org_id=record_id(filters["org"]),
        subject_kind=filters["subject"],
    )
    choices = list_filters(session)
    return render(
        request,
        "evaluations/list.html",
        {
            "rows": rows,
            "panels": drawn_panels(session),
            "orgs": choices.orgs,
            "areas": choices.areas,
            "filters": filters,
            "L": labels(),
        },
    )


def _question_rows(request: Request, evaluation: Evaluation) -> list[dict[str, Any]]:
    result = []
    for row in questions_of(db(request), evaluation.id):
        spec = question_spec(row)
        result.append({"row": row, "spec": spec, "options": spec.options})
    return result


@dataclass(frozen=True)
class FrozenParts:
    """An evaluation's parts that cannot change once shown, rendered: the published
    report's scores with the findings, its method, and the questionnaire."""

    scores: Markup
    method: Markup
    questionnaire: Markup


def _frozen_parts(request: Request, evaluation: Evaluation, area_name: str) -> FrozenParts:
    """The report is frozen at publication (``report_json`` and the findings are
    written once, with ``published_at``) and the questionnaire when the evaluation
    opens (questions and indicators change only in a draft): rendered once per
    evaluation, state, publication, area name and language, per process, and reused.
    A miss reads the indicators and questions and renders the three blocks."""
    state = request.app.state
    if not hasattr(state, "evaluation_parts"):
        state.evaluation_parts = {}
    cache: dict[tuple[Any, ...], FrozenParts] = state.evaluation_parts
    key = (evaluation.id, evaluation.status, evaluation.published_at, area_name, LOCALE.get())
    found = cache.get(key)
    if found is None:
        session = db(request)
        report = published_report(evaluation) if evaluation.status == "published" else None
        env = request.app.state.templates
        template = env.get_template("evaluations/_frozen.html")
        context = template.new_context(
            {
                "evaluation": evaluation,
                "report": report,
                "overall": report["figures"][OVERALL] if report else None,
                "area": {"name": area_name},
                "indicators": indicator_tree(
                    session, evaluation.id, (report or {}).get("figures", {})
                ),
                "questions": _question_rows(request, evaluation),
                "L": labels(),
            }
        )

        def block(name: str) -> Markup:
            return Markup("".join(template.blocks[name](context)))

        found = FrozenParts(
            block("scores") if report else Markup(""),
            block("method") if report else Markup(""),
            block("questionnaire"),
        )
        if len(cache) > 500:
            cache.clear()
        cache[key] = found
    return found


async def evaluation_page(request: Request) -> Response:
    session = db(request)
    evaluation = get_evaluation(session, request.path_params["evaluation_id"])
    if evaluation.status not in PUBLIC_STATUSES:
        raise DomainError("evaluation.not_found", N_("No such evaluation."), status=404)
    today = now(request).astimezone(LOCAL_TZ).date()
    rows = rectifications_of(session, evaluation.id)
    rectifications = [
        {"item": item, "plan_item": plan_item, "overdue": is_overdue(item, today)}
        for item, plan_item in rows
    ]
    # The plan items' statuses as the progress board shows them (late included).
    plan_ids = [plan_item.id for _, plan_item in rows if plan_item is not None]
    if evaluation.plan_item_id:
        plan_ids.append(evaluation.plan_item_id)
    plan_views = (
        {v.item.id: v for v in board.item_views(session, today, item_ids=plan_ids)}
        if plan_ids
        else {}
    )
    links = links_of(session, evaluation)
    area = get_area(session, evaluation.area_id)
    context = {
        "evaluation": evaluation,
        "org": get_org(session, evaluation.org_id),
        "area": area,
        "previous": links.previous,
        "later": links.later,
        "plan_item": links.plan_item,
        "published": evaluation.status == "published",
        "frozen": _frozen_parts(request, evaluation, area.name),
        "department_response": links.department_response,
        "rectifications": rectifications,
        "overdue": sum(1 for r in rectifications if r["overdue"]),
        "plan_views": plan_views,
        "plan_status": STATUS_LABELS,
        "answered": _has_answered(request, evaluation),
        "L": labels(),
    }
    return render(request, "evaluations/detail.html", context)


def _has_answered(request: Request, evaluation: Evaluation) -> bool:
    """Whether the signed-in resident already answered (then the page thanks them
    instead of inviting them again). Invitation-only evaluations cannot tell: the
    respondent is their link, not their account."""
    me = current_user_or_none(request)
    if me is None or evaluation.status != "collecting" or evaluation.access != "residents":
        return False
    try:
        respondent = resident_respondent(
            db(request), evaluation, me.id, now(request).astimezone(LOCAL_TZ).date()
        )
    except DomainError:
        return False
    return has_responded(db(request), evaluation, respondent)


def _respondent(request: Request, evaluation: Evaluation, token: str) -> Respondent:
    session = db(request)
    if evaluation.access == "tokens":
        if not token:
            raise DomainError(
                "evaluation.invitation_only",
                N_("This evaluation is by invitation: use the link you received."),
                status=403,
            )
        return token_respondent(session, evaluation, token, now(request))
    me = current_user_or_none(request)
    if me is None:
        raise DomainError("evaluation.sign_in", N_("Sign in to respond."), status=401)
    return resident_respondent(session, evaluation, me.id, now(request).astimezone(LOCAL_TZ).date())


async def _respond_page(
    request: Request, evaluation: Evaluation, token: str, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    context: dict[str, Any] = {
        "evaluation": evaluation,
        "questions": _question_rows(request, evaluation),
        "token": token,
        # Read back by local_moment: how long the respondent took (see respond).
        "started": now(request).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M:%S"),
        "answers": {},
        "refusal": None,
        "refusal_params": {},
        "done": False,
        "L": labels(),
    } | extra
    if evaluation.status != "collecting":
        context["refusal"] = N_("This evaluation is not collecting responses.")
    elif context["refusal"] is None:
        try:
            respondent = _respondent(request, evaluation, token)
        except DomainError as error:
            if error.status == 401:
                context["sign_in"] = True
            context["refusal"], context["refusal_params"] = error.message, error.params
        else:
            context["done"] = has_responded(session, evaluation, respondent)
            refusal = None if context["done"] else quota_refusal(session, evaluation, respondent)
            if refusal is not None:
                context["refusal"], context["refusal_params"] = refusal.message, refusal.params
            draft = draft_of(session, evaluation, respondent)
            if draft is not None and not extra.get("answers"):
                context["answers"] = draft_answers(evaluation, draft)
    return render(request, "evaluations/respond.html", context, status=status)


async def respond_page(request: Request) -> Response:
    evaluation = get_evaluation(db(request), request.path_params["evaluation_id"])
    if evaluation.status == "draft":
        raise DomainError("evaluation.not_found", N_("No such evaluation."), status=404)
    return await _respond_page(request, evaluation, request.query_params.get("token", ""))


def _answers(form: Any, questions: Sequence[Question]) -> dict[str, str]:
    answers = {}
    for row in questions:
        if row.kind == QuestionKind.MULTI.value:
            answers[row.key] = ",".join(v for v in form.getlist(row.key) if isinstance(v, str))
        else:
            value = form.get(row.key, "")
            answers[row.key] = value.strip() if isinstance(value, str) else ""
    return answers


async def respond(request: Request) -> Response:
    refuse_assisted(request)  # a satisfaction vote is given in person, never at the desk
    session = db(request)
    evaluation = get_evaluation(session, request.path_params["evaluation_id"])
    if evaluation.status == "draft":
        raise DomainError("evaluation.not_found", N_("No such evaluation."), status=404)
    form = await parsed_form(request)
    token = str(form.get("token", ""))
    answers = _answers(form, questions_of(session, evaluation.id))
    if evaluation.access != "tokens" and current_user_or_none(request) is None:
        return sign_in_redirect(request)
    at = now(request)

    def act() -> Response:
        respondent = _respondent(request, evaluation, token)
        if form.get("action") == "save":
            save_draft(session, evaluation, respondent, answers, at)
            flash(
                request,
                N_("Your answers are saved. Come back to this page to continue."),
                "success",
            )
            suffix = f"?token={token}" if token else ""
            return htmx.redirect(request, f"/evaluations/{evaluation.id}/respond{suffix}")
        # The page's own hidden field; unreadable or in the future, the time is unknown.
        started = local_moment(str(form.get("started", "")))
        if started is not None and started > at:
            started = None
        submit_response(session, evaluation, respondent, answers, now=at, started_at=started)
        flash(
            request,
            N_("Thank you: your response has been recorded. No one can link it to you."),
            "success",
        )
        return htmx.redirect(request, f"/evaluations/{evaluation.id}")

    async def page(error: DomainError) -> Response:
        return await _respond_page(
            request,
            get_evaluation(session, evaluation.id),
            token,
            status=error.status,
            answers=answers,
            errors=error.fields,
            error=error.message,
            error_params=error.params,
        )

    return await act_or_rerender(request, act, page)


async def report_pdf(request: Request) -> Response:
    session = db(request)
    evaluation = get_evaluation(session, request.path_params["evaluation_id"])
    report = published_report(evaluation)
    context = {
        "evaluation": evaluation,
        "org": get_org(session, evaluation.org_id),
        "area": get_area(session, evaluation.area_id),
        "indicators": indicator_tree(session, evaluation.id, (report or {}).get("figures", {})),
        "questions": _question_rows(request, evaluation),
        "report": report,
        "overall": report["figures"][OVERALL],
        "L": labels(),
    }
    return pdf_response(
        request, "evaluations/report_pdf.html", context, f"evaluation-{evaluation.id}.pdf"
    )


async def report_csv_file(request: Request) -> Response:
    return _report_table(request, "csv")


async def report_xlsx_file(request: Request) -> Response:
    return _report_table(request, "xlsx")


def _report_table(request: Request, fmt: str) -> Response:
    session = db(request)
    evaluation = get_evaluation(session, request.path_params["evaluation_id"])
    header, *rows = report_rows(session, evaluation)
    return table_response(f"evaluation-{evaluation.id}", header, rows, fmt, sheet="scores")


async def microdata_file(request: Request) -> Response:
    session = db(request)
    evaluation = get_evaluation(session, request.path_params["evaluation_id"])
    header, *rows = microdata_rows(session, evaluation)
    return csv_response(f"evaluation-{evaluation.id}-microdata", header, rows)


routes = [
    Route("/evaluations", evaluation_list),
    Route("/evaluations/{evaluation_id:int}", evaluation_page),
    Route("/evaluations/{evaluation_id:int}/respond", respond_page),
    Route("/evaluations/{evaluation_id:int}/respond", respond, methods=["POST"]),
    Route("/evaluations/{evaluation_id:int}/report.pdf", report_pdf),
    Route("/evaluations/{evaluation_id:int}/report.csv", report_csv_file),
    Route("/evaluations/{evaluation_id:int}/report.xlsx", report_xlsx_file),
    Route("/evaluations/{evaluation_id:int}/microdata.csv", microdata_file),
]
