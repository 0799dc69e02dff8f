"""Back office of community budget rounds: create, screen proposals, move phases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import area_tree, get_area
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
from participation.rules.money import parse_yuan
from participation.rules.permissions import Permission
from participation.rules.phases import next_phase
from web.kit import htmx
from web.kit.audit_log import log_action
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id, whole_number
from web.kit.i18n import LOCAL_TZ
from web.kit.templating import flash, render


def local_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=LOCAL_TZ)
    except ValueError:
        return None


async def _list(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    return render(
        request,
        "budgets/office/list.html",
        {
            "rounds": budgets.rounds(session),
            "areas": area_tree(session),
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
    problems: dict[str, str] = {}
    budget = parse_yuan(fields.get("budget_yuan", ""))
    year = whole_number(fields.get("year"), low=2000, high=2999)
    max_choices_raw = fields.get("max_choices", "")
    max_choices = whole_number(max_choices_raw, low=1, high=10_000)
    min_share_raw = fields.get("min_share_percent", "")
    min_share = whole_number(min_share_raw, low=1, high=100)
    try:
        area = get_area(session, record_id(fields.get("area_id")))
        authorize(request, Permission.MANAGE_BUDGETS, area.path)
        if budget is None:
            problems["budget_yuan"] = N_("Enter the budget as a positive whole number of yuan.")
        if year is None:
            problems["year"] = N_("Enter a year such as 2026.")
        if max_choices_raw and max_choices is None:
            problems["max_choices"] = N_("Enter a whole number.")
        if min_share_raw and min_share is None:
            problems["min_share_percent"] = N_("Enter a percentage from 1 to 100.")
        if problems:
            raise DomainError("round.invalid", N_("Please correct the marked fields."))
        created = budgets.create_round(
            session,
            budgets.NewRound(
                area_id=area.id,
                year=year or 0,
                title=fields.get("title", ""),
                budget_yuan=budget or 0,
                rule=fields.get("rule", ""),
                roll=fields.get("roll", ""),
                description=fields.get("description", ""),
                max_choices=max_choices,
                min_share_percent=min_share,
            ),
            user(request).id,
        )
    except DomainError as error:
        return await _list(
            request, 422, form=fields, errors=problems | error.fields, error=error.message
        )
    flash(request, "The budget round has been created.", "success")
    return htmx.redirect(request, f"/admin/budgets/{created.id}")


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
    fields = await form_fields(request)
    closes_at = local_time(fields.get("closes_at", ""))
    try:
        phase = budgets.advance(
            db(request),
            budget_round,
            user(request).id,
            now(request),
            closes_at,
            expected=fields.get("from") or None,
        )
    except DomainError as error:
        return await _round_admin(
            request,
            budget_round,
            error.status,
            error=error.message,
            error_params=error.params,
            errors=error.fields,
            form=fields,
        )
    log_action(request, "budget.phase", f"budget_round:{budget_round.id}", phase=phase)
    flash(request, "The round has moved to its next phase.", "success")
    return htmx.redirect(request, f"/admin/budgets/{budget_round.id}")


@requires(Permission.MANAGE_BUDGETS)
async def screen(request: Request) -> Response:
    session = db(request)
    proposal = budgets.get_proposal(session, request.path_params["proposal_id"])
    budget_round = budgets.get_round(session, proposal.round_id)
    authorize(request, Permission.MANAGE_BUDGETS, get_area(session, budget_round.area_id).path)
    fields = await form_fields(request)
    revised_raw = fields.get("revised_cost_yuan", "")
    revised = parse_yuan(revised_raw) if revised_raw else None
    try:
        if revised_raw and revised is None:
            raise DomainError(
                "proposal.screening",
                N_("Please correct the marked fields."),
                fields={
                    "revised_cost_yuan": N_(
                        "Enter the estimated cost as a positive whole number of yuan."
                    )
                },
            )
        decision = fields.get("decision", "")
        if decision not in ("accept", "reject"):
            raise DomainError("proposal.decision", N_("Choose a decision."))
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
    except DomainError as error:
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
    flash(request, "The screening has been recorded and the author notified.", "success")
    return htmx.redirect(request, f"/admin/budgets/{budget_round.id}#proposal-{proposal.id}")


routes = [
    Route("/admin/budgets", round_list, methods=["GET", "POST"]),
    Route("/admin/budgets/{round_id:int}", round_admin),
    Route("/admin/budgets/{round_id:int}/advance", advance, methods=["POST"]),
    Route("/admin/budgets/proposals/{proposal_id:int}/screen", screen, methods=["POST"]),
]
