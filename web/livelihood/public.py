"""Public pages of congress cycles on livelihood projects: solicitation (with a
QR code for posters), candidates, deputies' sign-in, the result sheet (page and PDF)."""

from __future__ import annotations

import io
import json
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import departments
from participation.areas import get_area
from participation.ballots.boxes import get_box
from participation.deputies import get_congress
from participation.errors import N_, DomainError
from participation.livelihood import services as livelihood
from participation.livelihood.models import LivelihoodCycle
from participation.livelihood.page import cycle_page as read_cycle_page
from participation.livelihood.rules import (
    CYCLE_PHASE_LABELS,
    CYCLE_PHASES,
    SUBMITTER_LABELS,
    CyclePhase,
)
from participation.plan.sources import STATUS_LABELS
from web.kit import htmx
from web.kit.auth import current_user_or_none, user
from web.kit.charts import bar_chart
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields
from web.kit.i18n import LOCAL_TZ
from web.kit.pdf import render_pdf
from web.kit.refusals import act_or_rerender, draft_refused
from web.kit.templating import flash, render
from web.livelihood.forms import read_candidate

GLOBALS = {"phase_labels": CYCLE_PHASE_LABELS, "phases": CYCLE_PHASES}


async def cycle_list(request: Request) -> Response:
    session = db(request)
    rows = livelihood.cycles_with_congresses(session)
    current = [(c, g) for c, g in rows if c.phase != CyclePhase.CLOSED.value]
    past = [(c, g) for c, g in rows if c.phase == CyclePhase.CLOSED.value]
    return render(request, "livelihood/list.html", {"current": current, "past": past} | GLOBALS)


def _cycle_context(request: Request, cycle_id: int) -> dict[str, Any]:
    """The cycle page's context, read in a fixed few statements (see
    :func:`participation.livelihood.page.cycle_page`)."""
    me = current_user_or_none(request)
    page = read_cycle_page(db(request), cycle_id, me.id if me else None)
    at = now(request)
    return {
        "cycle": page.cycle,
        "congress": page.congress,
        "candidates": page.candidates,
        "quorum": page.quorum,
        "competitive": page.competitive,
        "deputy": page.deputy,
        "signed_in": page.signed_in,
        "box": page.box,
        "box_open": bool(page.box and page.box.is_open(at)),
        "satisfaction": page.satisfaction,
        "satisfaction_open": bool(page.satisfaction and page.satisfaction.is_open(at)),
        "submitter_labels": SUBMITTER_LABELS,
    } | GLOBALS


async def cycle_page(request: Request) -> Response:
    return render(
        request, "livelihood/cycle.html", _cycle_context(request, request.path_params["cycle_id"])
    )


async def submit(request: Request) -> Response:
    if request.method == "POST":
        user(request)  # sign-in first: anonymous people are sent to sign in
    session = db(request)
    cycle = livelihood.get_cycle(session, request.path_params["cycle_id"])
    me_or_none = current_user_or_none(request)
    # Only the kinds this person holds are offered (anonymous visitors see "public").
    kinds = livelihood.submitter_kinds(session, cycle, me_or_none.id) if me_or_none else ("public",)
    context = _cycle_context(request, cycle.id) | {
        "kinds": kinds,
        "departments": departments.all_departments(session),
    }
    if request.method == "GET":
        return render(request, "livelihood/submit.html", context)
    me = user(request)
    fields = await form_fields(request)
    draft, problems = read_candidate(fields, now(request).astimezone(LOCAL_TZ).date())

    def act() -> Response:
        if draft is None:
            raise DomainError("candidate.invalid", N_("Please correct the marked fields."))
        livelihood.submit(session, cycle, draft, me.id)
        flash(request, "Thank you. The project has been submitted for screening.", "success")
        return htmx.redirect(request, f"/livelihood/{cycle.id}")

    async def page(error: DomainError) -> Response:
        return draft_refused(request, "livelihood/submit.html", context, fields, problems, error)

    return await act_or_rerender(request, act, page)


async def qr_code(request: Request) -> Response:
    """An SVG QR code of the solicitation page's address, for printed posters."""
    cycle = livelihood.get_cycle(db(request), request.path_params["cycle_id"])
    url = f"{request.app.state.settings.base_url}/livelihood/{cycle.id}/submit"
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, title=url)
    return Response(out.getvalue(), media_type="image/svg+xml")


async def attend(request: Request) -> Response:
    me = user(request)
    session = db(request)
    cycle = livelihood.get_cycle(session, request.path_params["cycle_id"])

    def act() -> Response:
        if livelihood.sign_in_deputy(session, cycle, me.id, now(request)):
            flash(request, "You are signed in at the session.", "success")
        else:
            flash(request, "You were already signed in.", "info")
        return htmx.redirect(request, f"/livelihood/{cycle.id}")

    async def page(error: DomainError) -> Response:
        context = _cycle_context(request, cycle.id) | {"error": error.message}
        return render(request, "livelihood/cycle.html", context, status=error.status)

    return await act_or_rerender(request, act, page)


def _sheet_context(request: Request, cycle: LivelihoodCycle) -> dict[str, Any]:
    session = db(request)
    box = get_box(session, cycle.box_id) if cycle.box_id else None
    tally = livelihood.tally_of(box)
    if box is None or tally is None:
        raise DomainError("cycle.no_results", N_("The results are not published yet."), status=404)
    candidates = {c.ballot_key: c for c in livelihood.candidates_of(session, cycle)}
    plan_items = livelihood.plan_items_of(session, candidates.values())
    satisfaction_box = (
        get_box(session, cycle.satisfaction_box_id) if cycle.satisfaction_box_id else None
    )
    satisfaction = livelihood.tally_of(satisfaction_box)
    rectifications = (
        livelihood.rectifications_of(session, satisfaction_box, candidates.values())
        if satisfaction_box is not None and satisfaction is not None
        else {}
    )
    return {
        "cycle": cycle,
        "congress": get_congress(session, cycle.congress_id),
        "area": get_area(session, cycle.area_id),
        "box": box,
        "tally": tally,
        # Deputies signed in when voting closed (the base "present"), from the bulletin.
        "present": json.loads(box.bulletin_json or "{}").get("box", {}).get("present"),
        "candidates": candidates,
        "adopted": [candidates[k] for k in tally["selected"]],
        "plan_items": plan_items,
        "plan_status": STATUS_LABELS,
        "satisfaction": satisfaction,
        "rectifications": rectifications,
        "chart": bar_chart(
            [(r["title"], r["value"], r["selected"]) for r in tally["rows"]],
            title=N_("Votes per project"),
            value_label=N_("Votes"),
        ),
    } | GLOBALS


async def result_sheet(request: Request) -> Response:
    cycle = livelihood.get_cycle(db(request), request.path_params["cycle_id"])
    return render(request, "livelihood/result.html", _sheet_context(request, cycle))


async def result_pdf(request: Request) -> Response:
    cycle = livelihood.get_cycle(db(request), request.path_params["cycle_id"])
    context = _sheet_context(request, cycle)
    pdf = render_pdf(request, "livelihood/result_print.html", context)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="livelihood-result-{cycle.id}.pdf"'},
    )


routes = [
    Route("/livelihood", cycle_list),
    Route("/livelihood/{cycle_id:int}", cycle_page),
    Route("/livelihood/{cycle_id:int}/submit", submit, methods=["GET", "POST"]),
    Route("/livelihood/{cycle_id:int}/qr.svg", qr_code),
    Route("/livelihood/{cycle_id:int}/attend", attend, methods=["POST"]),
    Route("/livelihood/{cycle_id:int}/result", result_sheet),
    Route("/livelihood/{cycle_id:int}/result.pdf", result_pdf),
]
