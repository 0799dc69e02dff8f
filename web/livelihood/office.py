"""Back office of congress cycles: create, screen and merge, open the ballot, move phases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import get_area
from participation.ballots.boxes import get_box
from participation.errors import N_, DomainError
from participation.livelihood import services as livelihood
from participation.livelihood.models import LivelihoodCycle
from participation.livelihood.rules import (
    CYCLE_PHASE_LABELS,
    CYCLE_PHASES,
    SUBMITTER_LABELS,
    CyclePhase,
)
from participation.rolls import Congress
from participation.rules.permissions import Permission
from web.budgets.office import local_time
from web.kit import htmx
from web.kit.audit_log import log_action
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id, whole_number
from web.kit.templating import flash, render


async def _list(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    return render(
        request,
        "livelihood/office/list.html",
        {
            "cycles": livelihood.cycles(session),
            "congresses": session.scalars(select(Congress).order_by(Congress.id)).all(),
            "phase_labels": CYCLE_PHASE_LABELS,
            "this_year": now(request).year,
        }
        | extra,
        status=status,
    )


@requires(Permission.MANAGE_LIVELIHOOD)
async def cycle_list(request: Request) -> Response:
    if request.method == "GET":
        return await _list(request)
    session = db(request)
    fields = await form_fields(request)
    problems = {
        name: N_("Enter a whole number.")
        for name in ("year", "places", "extra_percent", "congress_id")
        if whole_number(fields.get(name), high=1_000_000) is None
    }
    try:
        if problems:
            raise DomainError("cycle.invalid", N_("Please correct the marked fields."))
        congress = session.get(Congress, record_id(fields["congress_id"]))
        if congress is None:
            problems["congress_id"] = N_("Choose the congress session whose deputies vote.")
            raise DomainError("cycle.invalid", N_("Please correct the marked fields."))
        authorize(request, Permission.MANAGE_LIVELIHOOD, get_area(session, congress.area_id).path)
        cycle = livelihood.create_cycle(
            session,
            livelihood.NewCycle(
                congress_id=congress.id,
                year=whole_number(fields["year"]) or 0,
                title=fields.get("title", ""),
                places=whole_number(fields["places"]) or 0,
                extra_percent=whole_number(fields["extra_percent"]) or 0,
                form=fields.get("form", "choose"),
                satisfaction_base=fields.get("satisfaction_base", "cast"),
                satisfaction_half=fields.get("satisfaction_half", "exceed"),
            ),
            user(request).id,
        )
    except DomainError as error:
        return await _list(
            request, 422, form=fields, errors=problems | error.fields, error=error.message
        )
    flash(request, "The cycle has been created.", "success")
    return htmx.redirect(request, f"/admin/livelihood/{cycle.id}")


def _scoped(request: Request) -> LivelihoodCycle:
    session = db(request)
    cycle = livelihood.get_cycle(session, request.path_params["cycle_id"])
    authorize(request, Permission.MANAGE_LIVELIHOOD, get_area(session, cycle.area_id).path)
    return cycle


async def _cycle_admin(
    request: Request, cycle: LivelihoodCycle, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    context = {
        "cycle": cycle,
        "candidates": livelihood.candidates_of(session, cycle),
        "listed": livelihood.candidates_of(session, cycle, "candidate"),
        "competitive": livelihood.competitiveness(session, cycle),
        "quorum": livelihood.attendance(session, cycle),
        "roll_call": livelihood.roll_call(session, cycle)
        if cycle.phase == CyclePhase.SESSION.value
        else [],
        "box": get_box(session, cycle.box_id) if cycle.box_id else None,
        "phase_labels": CYCLE_PHASE_LABELS,
        "phases": CYCLE_PHASES,
        "submitter_labels": SUBMITTER_LABELS,
        "error_params": {},
    }
    return render(request, "livelihood/office/cycle.html", context | extra, status=status)


@requires(Permission.MANAGE_LIVELIHOOD)
async def cycle_admin(request: Request) -> Response:
    return await _cycle_admin(request, _scoped(request))


@requires(Permission.MANAGE_LIVELIHOOD)
async def screen(request: Request) -> Response:
    session = db(request)
    candidate = livelihood.get_candidate(session, request.path_params["candidate_id"])
    cycle = livelihood.get_cycle(session, candidate.cycle_id)
    authorize(request, Permission.MANAGE_LIVELIHOOD, get_area(session, cycle.area_id).path)
    fields = await form_fields(request)
    merge_into = fields.get("merge_into", "")
    try:
        livelihood.screen_candidate(
            session,
            candidate,
            fields.get("decision", ""),
            fields.get("reason", ""),
            record_id(merge_into) or None,
            user(request).id,
        )
    except DomainError as error:
        return await _cycle_admin(
            request,
            cycle,
            error.status,
            error=error.message,
            errors=error.fields,
            form=fields,
            failed_candidate=candidate.id,
        )
    flash(request, "The screening has been recorded.", "success")
    return htmx.redirect(request, f"/admin/livelihood/{cycle.id}#candidate-{candidate.id}")


@requires(Permission.MANAGE_LIVELIHOOD)
async def advance(request: Request) -> Response:
    cycle = _scoped(request)
    fields = await form_fields(request)
    try:
        phase = livelihood.advance(
            db(request),
            cycle,
            user(request).id,
            now(request),
            local_time(fields.get("closes_at", "")),
            expected=fields.get("from") or None,
        )
    except DomainError as error:
        return await _cycle_admin(
            request,
            cycle,
            error.status,
            error=error.message,
            error_params=error.params,
            errors=error.fields,
            form=fields,
        )
    log_action(request, "livelihood.phase", f"livelihood_cycle:{cycle.id}", phase=phase)
    flash(request, "The cycle has moved to its next phase.", "success")
    return htmx.redirect(request, f"/admin/livelihood/{cycle.id}")


@requires(Permission.MANAGE_LIVELIHOOD)
async def open_ballot(request: Request) -> Response:
    cycle = _scoped(request)
    fields = await form_fields(request)
    closes_at = local_time(fields.get("closes_at", ""))
    try:
        if closes_at is None:
            raise DomainError(
                "cycle.closes_at",
                N_("Voting must close after it opens."),
                fields={"closes_at": N_("Voting must close after it opens.")},
            )
        box = livelihood.open_ballot(db(request), cycle, user(request).id, now(request), closes_at)
    except DomainError as error:
        return await _cycle_admin(
            request,
            cycle,
            error.status,
            error=error.message,
            error_params=error.params,
            errors=error.fields,
            form=fields,
        )
    log_action(request, "livelihood.ballot", f"livelihood_cycle:{cycle.id}", box=box.id)
    flash(request, "The secret ballot is open.", "success")
    return htmx.redirect(request, f"/admin/livelihood/{cycle.id}")


@requires(Permission.MANAGE_LIVELIHOOD)
async def attendance(request: Request) -> Response:
    """The clerk signs in a deputy from the paper register."""
    cycle = _scoped(request)
    fields = await form_fields(request)
    entry = fields.get("deputy_entry_id", "")
    try:
        livelihood.register_attendance(
            db(request), cycle, record_id(entry), user(request).id, now(request)
        )
    except DomainError as error:
        return await _cycle_admin(request, cycle, error.status, error=error.message)
    flash(request, "The deputy is signed in.", "success")
    return htmx.redirect(request, f"/admin/livelihood/{cycle.id}#roll-call")


routes = [
    Route("/admin/livelihood", cycle_list, methods=["GET", "POST"]),
    Route("/admin/livelihood/{cycle_id:int}", cycle_admin),
    Route("/admin/livelihood/{cycle_id:int}/advance", advance, methods=["POST"]),
    Route("/admin/livelihood/{cycle_id:int}/ballot", open_ballot, methods=["POST"]),
    Route("/admin/livelihood/{cycle_id:int}/attendance", attendance, methods=["POST"]),
    Route("/admin/livelihood/candidates/{candidate_id:int}/screen", screen, methods=["POST"]),
]
