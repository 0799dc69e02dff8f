"""Resident roll import, verification (self and assisted) and deputy rolls."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.accounts import accounts_by_id, find_by_login
from participation.areas import Area, area_by_path, get_area
from participation.deputies import (
    congresses_with_areas,
    create_congress,
    deputies_of,
    get_congress,
    get_deputy,
)
from participation.errors import N_, DomainError
from participation.roll_import import job_errors, recover_stale_jobs, run_job, start_job
from participation.rolls import (
    COMMUNITIES_PER_PAGE,
    Congress,
    ImportJob,
    community_counts,
    get_job,
    job_area,
    job_areas,
    recent_jobs,
)
from participation.rules.permissions import ROLE_PERMISSIONS, Permission
from participation.verification import (
    NO_MATCH,
    attempt_decision,
    link_deputy_by_hand,
    record_miss,
    verify,
)
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import authorize, requires, user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db, keep_on_refusal
from web.kit.forms import FormReader, form_fields, upload
from web.kit.pagination import Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.rolls.verifying import (
    entry_from_form,
    read_details,
    refused,
    secret,
    verification_attempt,
    wait_message,
)

# --- verifying oneself ---------------------------------------------------------------


# --- the assisted desk ---------------------------------------------------------------

OUTSIDE = N_(
    "This person is on the roll of a community you do not look after. Only the workers of "
    "their community (or of a street or district above it) can verify them."
)


@requires(Permission.ASSIST_VERIFY)
async def assisted(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "rolls/office/assisted.html")
    session = db(request)
    fields = await form_fields(request)
    me = user(request)

    def again(error: str, status: int, errors: dict[str, str] | None = None) -> Response:
        # What was typed stays in the form; nothing but a miss is kept.
        context = {"form": fields, "error": error, "errors": errors or {}}
        return render(request, "rolls/office/assisted.html", context, status=status)

    def act() -> Response:
        details = read_details(fields)
        at = now(request)
        attempt = verification_attempt(request, details, desk_worker_id=me.id)
        decision = attempt_decision(session, attempt, at)
        if not decision.allowed:
            return refused(again(wait_message(decision, desk=True), 429), decision)
        account = find_by_login(session, fields.get("login", ""))
        if account is None:
            return again(N_("No account has this login."), 422)
        entry = entry_from_form(request, details)
        if entry is None:
            record_miss(session, attempt, at)
            keep_on_refusal(request)
            return again(NO_MATCH, 422)
        community = get_area(session, entry.community_id)
        if not me.can(Permission.ASSIST_VERIFY, community.path):
            return again(OUTSIDE, 403)
        verify(session, account, entry, at, verified_by=me.account, ip=client_ip(request))
        flash(request, "The person has been verified.", "success")
        return htmx.redirect(request, "/admin/verify")

    async def refusal(error: DomainError) -> Response:
        return again(error.message, error.status, error.fields)

    return await act_or_rerender(request, act, refusal)


# --- resident roll imports -----------------------------------------------------------


def _scope(request: Request) -> tuple[Area | None, str | None]:
    """The importer's area: None for people whose grant covers everything."""
    me = user(request)
    paths = [g.area_path for g in me.grants if me.can(Permission.MANAGE_ROLLS, g.area_path)]
    if any(p is None for p in paths) or not paths:
        return None, None
    path = min((p for p in paths if p), key=len)
    return area_by_path(db(request), path), path


def _may_read_job(request: Request, job: ImportJob) -> bool:
    return _may_read_job_of(request, job, job_area(db(request), job))


def _may_read_job_of(request: Request, job: ImportJob, area: Area | None) -> bool:
    """A job's page lists rows of its file (names, errors): readable by whoever
    manages rolls where it imported — a resident roll in the importer's area
    (``scope_id``; none: everywhere), a deputy roll in its congress's area, the
    area tree by area managers only. ``area``: the job's (``job_area``)."""
    me = user(request)
    if job.kind == "areas":
        return me.can(Permission.MANAGE_AREAS)
    if area is None:  # imported with a grant over everything
        return any(
            g.area_path is None and Permission.MANAGE_ROLLS in ROLE_PERMISSIONS[g.role]
            for g in me.grants
        )
    return me.can(Permission.MANAGE_ROLLS, area.path)


@requires(Permission.MANAGE_ROLLS)
async def rolls(request: Request) -> Response:
    return await _rolls_page(request)


async def _rolls_page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    _area, path = _scope(request)
    recent = recent_jobs(session, "residents", limit=100)
    areas = job_areas(session, recent)
    jobs = [job for job in recent if _may_read_job_of(request, job, areas[job.id])][:20]
    rows, total, number = community_counts(session, path, page=page_number(request))
    return render(
        request,
        "rolls/office/index.html",
        {
            "communities": Page(rows, number, COMMUNITIES_PER_PAGE, total),
            "jobs": jobs,
        }
        | extra,
        status=status,
    )


@requires(Permission.MANAGE_ROLLS)
async def import_roll(request: Request) -> Response:
    file = await upload(request, "file")
    if file is None:
        return await _rolls_page(request, 422, error=N_("Choose a CSV or XLSX file to import."))
    data = await file.read()
    _area, path = _scope(request)
    me = user(request)
    # The job remembers the importer's area: its page and errors name people of it.
    job = start_job(
        db(request),
        "residents",
        file.filename or "roll.csv",
        me.id,
        scope_id=_area.id if _area is not None else None,
        ip=client_ip(request),
    )
    task = BackgroundTask(
        run_job, request.app.state.sessions, job.id, data, secret=secret(request), scope_path=path
    )
    response = htmx.redirect(request, f"/admin/rolls/jobs/{job.id}")
    response.background = task
    return response


@requires(Permission.MANAGE_ROLLS)
async def job_page(request: Request) -> Response:
    recover_stale_jobs(db(request), now(request))
    job = get_job(db(request), request.path_params["job_id"])
    if job is None:
        raise HTTPException(404)
    if not _may_read_job(request, job):
        raise HTTPException(403)
    return render(request, "rolls/office/job.html", {"job": job, "errors": job_errors(job)})


# --- congresses and deputy rolls ------------------------------------------------------


@requires(Permission.MANAGE_ROLLS)
async def congresses(request: Request) -> Response:
    session = db(request)
    if request.method == "GET":
        return await _congresses_page(request)
    fields = await form_fields(request)

    def act() -> Response:
        reader = FormReader(fields)
        area_id = reader.record("area_id", required=True)
        term = reader.number("term", low=1, high=1000, required=True)
        session_number = reader.number("session_number", low=1, high=1000, required=True)
        name = reader.text("name", max_length=120)
        reader.check("congress.form")
        assert area_id is not None and term is not None and session_number is not None
        area = get_area(session, area_id)
        authorize(request, Permission.MANAGE_ROLLS, area.path)
        congress = create_congress(
            session,
            area,
            term,
            session_number,
            name,
            actor_id=user(request).id,
            ip=client_ip(request),
        )
        flash(request, "The congress has been created.", "success")
        return htmx.redirect(request, f"/admin/congresses/{congress.id}")

    async def again(error: DomainError) -> Response:
        return await _congresses_page(
            request, form=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, again)


#: Congresses per page of /admin/congresses.
CONGRESSES_PER_PAGE = 50


def _congress_level(area: Area) -> bool:
    """The levels that hold a people's congress."""
    return area.kind in ("city", "district", "street")


async def _congresses_page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    rows, total, number = congresses_with_areas(
        session, page=page_number(request), per_page=CONGRESSES_PER_PAGE
    )
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    # The congress's level, a step down the tree at a time in a city
    # (web.kit.area_choice); the choice ends at a street: communities hold none.
    step = area_choice(session, request, extra.get("form"), allowed=_congress_level)
    step = replace(step, children=[a for a in step.children if _congress_level(a)])
    return render(
        request,
        "rolls/office/congresses.html",
        {
            "page": Page(rows, number, CONGRESSES_PER_PAGE, total),
            "pager_base": f"/admin/congresses?{kept}&" if kept else "/admin/congresses?",
            "area_step": step,
        }
        | extra,
        status=status,
    )


async def _congress_page(
    request: Request, congress: Congress, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    deputies = deputies_of(session, congress)
    linked = accounts_by_id(session, {d.account_id for d in deputies if d.account_id})
    jobs = recent_jobs(session, "deputies", scope_id=congress.id, limit=10)
    return render(
        request,
        "rolls/office/congress.html",
        {"congress": congress, "deputies": deputies, "linked": linked, "jobs": jobs} | extra,
        status=status,
    )


def _congress(request: Request) -> Congress:
    session = db(request)
    congress = get_congress(session, request.path_params["congress_id"])
    authorize(request, Permission.MANAGE_ROLLS, get_area(session, congress.area_id).path)
    return congress


@requires(Permission.MANAGE_ROLLS)
async def congress_page(request: Request) -> Response:
    return await _congress_page(request, _congress(request))


@requires(Permission.MANAGE_ROLLS)
async def import_deputies(request: Request) -> Response:
    congress = _congress(request)
    file = await upload(request, "file")
    if file is None:
        return await _congress_page(
            request, congress, 422, error=N_("Choose a CSV or XLSX file to import.")
        )
    me = user(request)
    job = start_job(
        db(request),
        "deputies",
        file.filename or "deputies.csv",
        me.id,
        scope_id=congress.id,
        ip=client_ip(request),
    )
    response = htmx.redirect(request, f"/admin/rolls/jobs/{job.id}")
    response.background = BackgroundTask(
        run_job, request.app.state.sessions, job.id, await file.read(), secret=secret(request)
    )
    return response


@requires(Permission.MANAGE_ROLLS)
async def link(request: Request) -> Response:
    session = db(request)
    congress = _congress(request)
    fields = await form_fields(request)
    deputy = get_deputy(session, FormReader(fields).record("deputy_id") or 0)
    if deputy is None or deputy.congress_id != congress.id:
        raise HTTPException(404)

    def act() -> Response:
        account = find_by_login(session, fields.get("login", ""))
        if account is None:
            raise DomainError("deputy.no_account", N_("No account has this login."))
        link_deputy_by_hand(
            session, deputy, account, now(request), actor_id=user(request).id, ip=client_ip(request)
        )
        flash(request, "The deputy has been linked to the account.", "success")
        return htmx.redirect(request, f"/admin/congresses/{congress.id}")

    async def again(error: DomainError) -> Response:
        return await _congress_page(request, congress, error=error.message)

    return await act_or_rerender(request, act, again)


routes = [
    Route("/admin/verify", assisted, methods=["GET", "POST"]),
    Route("/admin/rolls", rolls),
    Route("/admin/rolls/import", import_roll, methods=["POST"]),
    Route("/admin/rolls/jobs/{job_id:int}", job_page),
    Route("/admin/congresses", congresses, methods=["GET", "POST"]),
    Route("/admin/congresses/{congress_id:int}", congress_page),
    Route("/admin/congresses/{congress_id:int}/import", import_deputies, methods=["POST"]),
    Route("/admin/congresses/{congress_id:int}/link", link, methods=["POST"]),
]
