"""Back office of congress cycles: create, screen and merge, open the ballot, move phases."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

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
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import authorize, requires, user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, record_id
from web.kit.pagination import Page, page_number
from web.kit.phases import next_phase_form
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

NO_CONGRESS = N_("Choose the congress session whose deputies vote.")


#: Cycles a page of the back office's list.
CYCLES_PER_PAGE = 50


async def _list(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    cycles, total, number = livelihood.page_of_cycles(
        session, page=page_number(request), per_page=CYCLES_PER_PAGE
    )
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    return render(
        request,
        "livelihood/office/list.html",
        {
            "cycles": cycles,
            "page": Page(cycles, number, CYCLES_PER_PAGE, total),
            "pager_base": f"/admin/livelihood?{kept}&" if kept else "/admin/livelihood?",
            "congresses": livelihood.congresses(session),
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
    reader = FormReader(fields)
    year = reader.number("year", high=1_000_000, required=True)
    places = reader.number("places", high=1_000_000, required=True)
    extra_percent = reader.number("extra_percent", high=1_000_000, required=True)
    congress_id = reader.record("congress_id", required=True)
    congress = livelihood.find_congress(session, congress_id) if congress_id else None
    if congress is None:
        reader.problems["congress_id"] = NO_CONGRESS

    def act() -> Response:
        if congress is not None:
            area = get_area(session, congress.area_id)
            authorize(request, Permission.MANAGE_LIVELIHOOD, area.path)
        reader.check("cycle.invalid")
        assert congress is not None
        cycle = livelihood.create_cycle(
            session,
            livelihood.NewCycle(
                congress_id=congress.id,
                year=year or 0,
                title=fields.get("title", ""),
                places=places or 0,
                extra_percent=extra_percent or 0,
                form=fields.get("form", "choose"),
                satisfaction_base=fields.get("satisfaction_base", "cast"),
                satisfaction_half=fields.get("satisfaction_half", "exceed"),
            ),
            user(request).id,
        )
        flash(request, "The cycle has been created.", "success")
        return htmx.redirect(request, f"/admin/livelihood/{cycle.id}")

    async def page(error: DomainError) -> Response:
        return await _list(request, 422, form=fields, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, page)


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


async def _refused(
    request: Request, cycle: LivelihoodCycle, fields: dict[str, str], error: DomainError
) -> Response:
    """The cycle's page again, the refusal and what was typed shown."""
    return await _cycle_admin(
        request,
        cycle,
        error.status,
        error=error.message,
        error_params=error.params,
        errors=error.fields,
        form=fields,
    )


@requires(Permission.MANAGE_LIVELIHOOD)
async def screen(request: Request) -> Response:
    session = db(request)
    candidate = livelihood.get_candidate(session, request.path_params["candidate_id"])
    cycle = livelihood.get_cycle(session, candidate.cycle_id)
    authorize(request, Permission.MANAGE_LIVELIHOOD, get_area(session, cycle.area_id).path)
    fields = await form_fields(request)
    reader = FormReader(fields)
    merge_into = reader.record("merge_into")

    def act() -> Response:
        reader.check("candidate.merge_into")
        livelihood.screen_candidate(
            session,
            candidate,
            fields.get("decision", ""),
            fields.get("reason", ""),
            merge_into,
            user(request).id,
        )
        flash(request, "The screening has been recorded.", "success")
        return htmx.redirect(request, f"/admin/livelihood/{cycle.id}#candidate-{candidate.id}")

    async def page(error: DomainError) -> Response:
        return await _cycle_admin(
            request,
            cycle,
            error.status,
            error=error.message,
            errors=error.fields,
            form=fields,
            failed_candidate=candidate.id,
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.MANAGE_LIVELIHOOD)
async def advance(request: Request) -> Response:
    cycle = _scoped(request)

    async def page(fields: dict[str, str], error: DomainError) -> Response:
        return await _refused(request, cycle, fields, error)

    return await next_phase_form(
        request,
        livelihood.advance,
        cycle,
        refusal="cycle.closes_at",
        moved=N_("The cycle has moved to its next phase."),
        back=f"/admin/livelihood/{cycle.id}",
        page=page,
    )


@requires(Permission.MANAGE_LIVELIHOOD)
async def open_ballot(request: Request) -> Response:
    cycle = _scoped(request)
    fields = await form_fields(request)
    reader = FormReader(fields)
    closes_at = reader.moment("closes_at", required=True)

    def act() -> Response:
        reader.check("cycle.closes_at")
        assert closes_at is not None
        livelihood.open_ballot(
            db(request), cycle, user(request).id, now(request), closes_at, ip=client_ip(request)
        )
        flash(request, "The secret ballot is open.", "success")
        return htmx.redirect(request, f"/admin/livelihood/{cycle.id}")

    async def page(error: DomainError) -> Response:
        return await _refused(request, cycle, fields, error)

    return await act_or_rerender(request, act, page)


@requires(Permission.MANAGE_LIVELIHOOD)
async def attendance(request: Request) -> Response:
    """The clerk signs in a deputy from the paper register."""
    cycle = _scoped(request)
    fields = await form_fields(request)
    # An unreadable choice is no deputy of this congress: the service says so.
    entry_id = record_id(fields.get("deputy_entry_id"))

    def act() -> Response:
        livelihood.register_attendance(db(request), cycle, entry_id, user(request).id, now(request))
        flash(request, "The deputy is signed in.", "success")
        return htmx.redirect(request, f"/admin/livelihood/{cycle.id}#roll-call")

    async def page(error: DomainError) -> Response:
        return await _cycle_admin(request, cycle, error.status, error=error.message)

    return await act_or_rerender(request, act, page)


routes = [
    Route("/admin/livelihood", cycle_list, methods=["GET", "POST"]),
    Route("/admin/livelihood/{cycle_id:int}", cycle_admin),
    Route("/admin/livelihood/{cycle_id:int}/advance", advance, methods=["POST"]),
    Route("/admin/livelihood/{cycle_id:int}/ballot", open_ballot, methods=["POST"]),
    Route("/admin/livelihood/{cycle_id:int}/attendance", attendance, methods=["POST"]),
    Route("/admin/livelihood/candidates/{candidate_id:int}/screen", screen, methods=["POST"]),
]
