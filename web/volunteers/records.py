"""Check-in by scanned code (and the leader's rotating code to scan),
certificates (PDF and public verification) and calendars (per-shift .ics and
the personal secret feed)."""

from __future__ import annotations

import segno
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import all_areas, get_area
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from volunteers import attendance, calendars, certificates, signups
from volunteers.rules.checkin import WINDOW_SECONDS, checkin_code, window_of
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.volunteers.pdf import render_pdf
from web.volunteers.shared import (
    checkin_secret,
    hours_text,
    labels,
    may_manage_certificate,
    require_lead,
)

ICS = "text/calendar; charset=utf-8"


async def _checkin_page(request: Request, status: int = 200, **extra: object) -> Response:
    me = user(request)
    session = db(request)
    ctx = signups.shift_context(session, request.path_params["shift_id"])
    mine = signups.signup_of(session, ctx.shift.id, me.id)
    context = {
        "ctx": ctx,
        "mine": mine,
        "code": request.query_params.get("code", ""),
        "L": labels(),
        "error": None,
    } | extra
    return render(request, "volunteers/checkin.html", context, status=status)


async def checkin_page(request: Request) -> Response:
    """The page a volunteer's phone opens from the leader's code (GET writes nothing)."""
    return await _checkin_page(request)


async def checkin(request: Request) -> Response:
    me = user(request)
    session = db(request)
    shift_id = request.path_params["shift_id"]
    fields = await form_fields(request)

    def act() -> Response:
        row = attendance.scan(
            session, shift_id, me.id, fields.get("code", ""), checkin_secret(request), now(request)
        )
        flash(
            request,
            N_("You are checked out. Thank you!")
            if row.checked_out_at
            else N_("You are checked in."),
            "success",
        )
        return htmx.redirect(request, f"/volunteers/checkin/{shift_id}")

    async def refused(error: DomainError) -> Response:
        if error.code == "shift.not_found":
            raise error
        return await _checkin_page(request, status=error.status, error=error.message)

    return await act_or_rerender(request, act, refused)


@requires(Permission.LEAD_TEAMS)
async def checkin_code_page(request: Request) -> Response:
    ctx = signups.shift_context(db(request), request.path_params["shift_id"])
    require_lead(request, ctx.team)
    at = now(request)
    window = window_of(at)
    code = checkin_code(checkin_secret(request), ctx.shift.id, window)
    base = request.app.state.settings.base_url.rstrip("/")
    url = f"{base}/volunteers/checkin/{ctx.shift.id}?code={code}"
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2)
    seconds_left = WINDOW_SECONDS - int(at.timestamp()) % WINDOW_SECONDS
    return render(
        request,
        "volunteers/office/lead_qr.html",
        {"ctx": ctx, "svg": svg, "url": url, "code": code, "seconds_left": max(1, seconds_left)},
        headers={"Cache-Control": "no-store"},
    )


async def verify_page(request: Request) -> Response:
    session = db(request)
    number = request.query_params.get("number") or request.path_params.get("number", "")
    cert = certificates.find(session, number) if number else None
    return render(
        request,
        "volunteers/verify.html",
        {"number": number, "cert": cert, "hours": hours_text(cert.minutes) if cert else ""},
        status=404 if number and cert is None else 200,
    )


async def certificate_pdf(request: Request) -> Response:
    me = user(request)
    session = db(request)
    cert = certificates.by_number(session, request.path_params["number"])
    if cert.account_id != me.id and not may_manage_certificate(request, cert):
        raise HTTPException(403)
    base = request.app.state.settings.base_url.rstrip("/")
    env = request.app.state.templates
    pdf = await run_in_threadpool(render_pdf, env, cert, f"{base}/volunteers/verify/{cert.number}")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{cert.number}.pdf"'},
    )


def _place_names(request: Request) -> dict[int, str]:
    return {a.id: a.name for a in all_areas(db(request))}


async def shift_ics(request: Request) -> Response:
    session = db(request)
    ctx = signups.shift_context(session, request.path_params["shift_id"])
    area = get_area(session, ctx.shift.area_id)
    base = request.app.state.settings.base_url.rstrip("/")
    place = " · ".join(x for x in (area.name, ctx.shift.place) if x)
    body = calendars.shift_ics(
        ctx.shift,
        ctx.activity,
        ctx.team,
        place,
        f"{base}/volunteers/shifts/{ctx.shift.id}",
        now(request),
    )
    return Response(
        body,
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="shift-{ctx.shift.id}.ics"'},
    )


async def feed(request: Request) -> Response:
    session = db(request)
    profile = calendars.profile_by_token(session, request.path_params["token"])
    if profile is None:
        raise HTTPException(404)
    base = request.app.state.settings.base_url.rstrip("/")
    body = calendars.feed_ics(
        session, profile.account_id, base, _place_names(request), now(request)
    )
    return Response(body, media_type=ICS, headers={"Cache-Control": "private, no-store"})


routes = [
    Route("/volunteers/checkin/{shift_id:int}", checkin_page),
    Route("/volunteers/checkin/{shift_id:int}", checkin, methods=["POST"]),
    Route("/lead/shifts/{shift_id:int}/checkin-code", checkin_code_page),
    Route("/volunteers/verify", verify_page),
    Route("/volunteers/verify/{number}", verify_page),
    Route("/volunteers/certificates/{number}.pdf", certificate_pdf),
    Route("/volunteers/shifts/{shift_id:int}.ics", shift_ics),
    Route("/volunteers/calendar/{token}.ics", feed),
]
