"""Back office of community budget rounds: create, screen proposals, move phases."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import get_area
from participation.ballots.boxes import get_box
from participation.budgets import services as budgets
from participation.budgets.models import BudgetRound
from participation.budgets.rules import (
    BUDGET_RULE_LABELS,
    BUDGET_RULES,
    ROUND_PHASE_LABELS,
    ROUND_PHASES,
)
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from participation.rules.phases import next_phase
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.pagination import Page, page_number
from web.kit.phases import next_phase_form
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

#: What the round form says for a field it could not read (more precise than the
#: reader's general messages).
ROUND_FIELD_MESSAGES = {
    "area_id": N_("Choose an area."),
    "year": N_("Enter a year such as 2026."),
    "budget_yuan": N_("Enter the budget as a positive whole number of yuan."),
    "max_choices": N_("Enter a whole number."),
    "min_share_percent": N_("Enter a percentage from 1 to 100."),
}


#: Rounds a page of the back office's list.
ROUNDS_PER_PAGE = 50


async def _list(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    rounds, total, number = budgets.page_of_rounds(
        session, page=page_number(request), per_page=ROUNDS_PER_PAGE
    )
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    return render(
        request,
        "budgets/office/list.html",
        {
            "rounds": rounds,
            "page": Page(rounds, number, ROUNDS_PER_PAGE, total),
            "pager_base": f"/admin/budgets?{kept}&" if kept else "/admin/budgets?",
            "area_step": area_choice(session, request, extra.get("form")),
            "rules": BUDGET_RULES,
            "rule_labels": BUDGET_RULE_LABELS,
            "phase_labels": ROUND_PHASE_LABELS,
            "this_year": now(request).year,
        }
        | extra,
        status=status,
    )


@requires(Permission.MANAGE_BUDGETS)
async def round_list(request: Request) -> Response:
    if request.method == "GET":
        return await _list(request)
    fields = await form_fields(request)
    session = db(request)
    reader = FormReader(fields)
    area_id = reader.record("area_id", required=True)
    year = reader.number("year", low=2000, high=2999, required=True)
    budget = reader.money("budget_yuan", required=True)
    max_choices = reader.number("max_choices", low=1, high=10_000)
    min_share = reader.number("min_share_percent", low=1, high=100)
    reader.problems = {
        name: ROUND_FIELD_MESSAGES.get(name, m) for name, m in reader.problems.items()
    }

    def act() -> Response:
        if area_id is not None:
            authorize(request, Permission.MANAGE_BUDGETS, get_area(session, area_id).path)
        reader.check("round.invalid")
        assert area_id is not None and year is not None and budget is not None
        created = budgets.create_round(
            session,
            budgets.NewRound(
                area_id=area_id,
                year=year,
                title=fields.get("title", ""),
                budget_yuan=budget,
                rule=fields.get("rule", ""),
                roll=fields.get("roll", ""),
                description=fields.get("description", ""),
                max_choices=max_choices,
                min_share_percent=min_share,
            ),
            user(request).id,
        )
        flash(request, "The budget round has been created.", "success")
        return htmx.redirect(request, f"/admin/budgets/{created.id}")

    async def page(error: DomainError) -> Response:
        return await _list(request, 422, form=fields, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, page)


def _scoped(request: Request) -> BudgetRound:
    session = db(request)
    found = budgets.get_round(session, request.path_params["round_id"])
    authorize(request, Permission.MANAGE_BUDGETS, get_area(session, found.area_id).path)
    return found


async def _round_admin(
    request: Request, budget_round: BudgetRound, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    box = get_box(session, budget_round.box_id) if budget_round.box_id else None
    context = {
        "round": budget_round,
        "area": get_area(session, budget_round.area_id),
        "proposals": budgets.proposals_of(session, budget_round),
        "box": box,
        "next_phase": next_phase([p.value for p in ROUND_PHASES], budget_round.phase),
        "phase_labels": ROUND_PHASE_LABELS,
        "phases": ROUND_PHASES,
        "rule_labels": BUDGET_RULE_LABELS,
        "error_params": {},
    }
    return render(request, "budgets/office/round.html", context | extra, status=status)


@requires(Permission.MANAGE_BUDGETS)
async def round_admin(request: Request) -> Response:
    return await _round_admin(request, _scoped(request))


@requires(Permission.MANAGE_BUDGETS)
async def advance(request: Request) -> Response:
    budget_round = _scoped(request)

    async def page(fields: dict[str, str], error: DomainError) -> Response:
        return await _round_admin(
            request,
            budget_round,
            error.status,
            error=error.message,
            error_params=error.params,
            errors=error.fields,
            form=fields,
        )

    return await next_phase_form(
        request,
        budgets.advance,
        budget_round,
        refusal="round.closes_at",
        moved=N_("The round has moved to its next phase."),
        back=f"/admin/budgets/{budget_round.id}",
        page=page,
    )


@requires(Permission.MANAGE_BUDGETS)
async def screen(request: Request) -> Response:
    session = db(request)
    proposal = budgets.get_proposal(session, request.path_params["proposal_id"])
    budget_round = budgets.get_round(session, proposal.round_id)
    authorize(request, Permission.MANAGE_BUDGETS, get_area(session, budget_round.area_id).path)
    fields = await form_fields(request)
    reader = FormReader(fields)
    revised = reader.money("revised_cost_yuan")
    if "revised_cost_yuan" in reader.problems:
        reader.problems["revised_cost_yuan"] = N_(
            "Enter the estimated cost as a positive whole number of yuan."
        )
    decision = reader.choice("decision", ("accept", "reject"))

    def act() -> Response:
        if decision is None:
            raise DomainError("proposal.decision", N_("Choose a decision."))
        reader.check("proposal.screening")
        budgets.screen(
            session,
            proposal,
            budgets.Screening(
                accepted=decision == "accept",
                feasibility=fields.get("feasibility", ""),
                legality=fields.get("legality", ""),
                revised_cost_yuan=revised,
                rejection_reason=fields.get("rejection_reason", ""),
            ),
            user(request).id,
            now(request),
        )
        flash(request, "The screening has been recorded and the author notified.", "success")
        return htmx.redirect(request, f"/admin/budgets/{budget_round.id}#proposal-{proposal.id}")

    async def page(error: DomainError) -> Response:
        return await _round_admin(
            request,
            budget_round,
            error.status,
            error=error.message,
            error_params=error.params,
            errors=error.fields,
            form=fields,
            failed_proposal=proposal.id,
        )

    return await act_or_rerender(request, act, page)


routes = [
    Route("/admin/budgets", round_list, methods=["GET", "POST"]),
    Route("/admin/budgets/{round_id:int}", round_admin),
    Route("/admin/budgets/{round_id:int}/advance", advance, methods=["POST"]),
    Route("/admin/budgets/proposals/{proposal_id:int}/screen", screen, methods=["POST"]),
]
