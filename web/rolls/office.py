"""Resident roll import, verification (self and assisted) and deputy rolls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.accounts import Account, find_by_login
from participation.areas import Area, area_tree, get_area
from participation.deputies import create_congress, deputies_of, get_congress
from participation.errors import N_, DomainError
from participation.roll_import import job_errors, recover_stale_jobs, run_job, start_job
from participation.rolls import Congress, DeputyEntry, ImportJob, RollEntry
from participation.rules.permissions import ROLE_PERMISSIONS, Permission
from participation.verification import (
    NO_MATCH,
    attempt_decision,
    link_deputy,
    record_miss,
    verify,
)
from web.kit import htmx
from web.kit.audit_log import log_action
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db, keep_on_refusal
from web.kit.forms import form_fields, record_id, upload, whole_number
from web.kit.templating import flash, render
from web.rolls.verifying import entry_from_form, refused, secret, verification_attempt, wait_message

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
    at = now(request)

    def again(error: str, status: int) -> Response:
        # What was typed stays in the form; nothing but a miss is kept.
        return render(
            request, "rolls/office/assisted.html", {"form": fields, "error": error}, status=status
        )

    attempt = verification_attempt(request, fields, desk_worker_id=me.id)
    decision = attempt_decision(session, attempt, at)
    if not decision.allowed:
        return refused(again(wait_message(decision, desk=True), 429), decision)
    account = find_by_login(session, fields.get("login", ""))
    if account is None:
        return again(N_("No account has this login."), 422)
    entry = entry_from_form(request, fields)
    if entry is None:
        record_miss(session, attempt, at)
        keep_on_refusal(request)
        return again(NO_MATCH, 422)
    community = session.get(Area, entry.community_id)
    assert community is not None
    if not me.can(Permission.ASSIST_VERIFY, community.path):
        return again(OUTSIDE, 403)
    try:
        verify(session, account, entry, at, verified_by=me.account)
    except DomainError as error:
        return again(error.message, 422)
    log_action(request, "roll.assisted_verify", f"account:{account.id}", entry=entry.id)
    flash(request, "The person has been verified.", "success")
    return htmx.redirect(request, "/admin/verify")


# --- resident roll imports -----------------------------------------------------------


def _scope(request: Request) -> tuple[Area | None, str | None]:
    """The importer's area: None for people whose grant covers everything."""
    me = user(request)
    paths = [g.area_path for g in me.grants if me.can(Permission.MANAGE_ROLLS, g.area_path)]
    if any(p is None for p in paths) or not paths:
        return None, None
    path = min((p for p in paths if p), key=len)
    area = db(request).scalar(select(Area).where(Area.path == path))
    return area, path


def _may_read_job(request: Request, job: ImportJob) -> bool:
    """A job's page lists rows of its file (names, errors): readable by whoever
    manages rolls where it imported — a resident roll in the importer's area
    (``scope_id``; none: everywhere), a deputy roll in its congress's area, the
    area tree by area managers only."""
    me = user(request)
    session = db(request)
    if job.kind == "areas":
        return me.can(Permission.MANAGE_AREAS)
    if job.kind == "deputies":
        congress = session.get(Congress, job.scope_id) if job.scope_id else None
        area = session.get(Area, congress.area_id) if congress is not None else None
    else:
        area = session.get(Area, job.scope_id) if job.scope_id else None
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
    counts = (
        select(Area, func.count(RollEntry.id), func.count(RollEntry.account_id))
        .outerjoin(RollEntry, RollEntry.community_id == Area.id)
        .where(Area.kind == "community")
        .group_by(Area.id)
        .order_by(Area.path)
    )
    if path:
        counts = counts.where(Area.path.startswith(path))
    jobs = [
        job
        for job in session.scalars(
            select(ImportJob)
            .where(ImportJob.kind == "residents")
            .order_by(ImportJob.id.desc())
            .limit(100)
        )
        if _may_read_job(request, job)
    ][:20]
    return render(
        request,
        "rolls/office/index.html",
        {"communities": session.execute(counts).all(), "jobs": jobs} | extra,
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
    )
    log_action(request, "roll.import", f"job:{job.id}", filename=file.filename)
    task = BackgroundTask(
        run_job, request.app.state.sessions, job.id, data, secret=secret(request), scope_path=path
    )
    response = htmx.redirect(request, f"/admin/rolls/jobs/{job.id}")
    response.background = task
    return response


@requires(Permission.MANAGE_ROLLS)
async def job_page(request: Request) -> Response:
    recover_stale_jobs(db(request), now(request))
    job = db(request).get(ImportJob, request.path_params["job_id"])
    if job is None:
        raise HTTPException(404)
    if not _may_read_job(request, job):
        raise HTTPException(403)
    return render(request, "rolls/office/job.html", {"job": job, "errors": job_errors(job)})


# --- congresses and deputy rolls ------------------------------------------------------


@requires(Permission.MANAGE_ROLLS)
async def congresses(request: Request) -> Response:
    session = db(request)
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        fields = await form_fields(request)
        try:
            area = get_area(session, record_id(fields.get("area_id")))
            authorize(request, Permission.MANAGE_ROLLS, area.path)
            congress = create_congress(
                session,
                area,
                whole_number(fields.get("term"), high=1000) or 0,
                whole_number(fields.get("session_number"), high=1000) or 0,
                fields.get("name", ""),
            )
        except (DomainError, ValueError) as error:
            message = (
                error.message
                if isinstance(error, DomainError)
                else N_("Term and session are numbers from 1.")
            )
            context, status = {"form": fields, "error": message}, 422
        else:
            log_action(request, "congress.create", f"congress:{congress.id}", name=congress.name)
            flash(request, "The congress has been created.", "success")
            return htmx.redirect(request, f"/admin/congresses/{congress.id}")
    rows = session.execute(
        select(Congress, Area).join(Area, Area.id == Congress.area_id).order_by(Congress.id)
    ).all()
    levels = [n for n in area_tree(session) if n.area.kind in ("city", "district", "street")]
    return render(
        request,
        "rolls/office/congresses.html",
        {"rows": rows, "levels": levels} | context,
        status=status,
    )


async def _congress_page(
    request: Request, congress: Congress, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    deputies = deputies_of(session, congress)
    linked = {
        a.id: a
        for a in session.scalars(
            select(Account).where(Account.id.in_({d.account_id for d in deputies if d.account_id}))
        )
    }
    jobs = session.scalars(
        select(ImportJob)
        .where(ImportJob.kind == "deputies", ImportJob.scope_id == congress.id)
        .order_by(ImportJob.id.desc())
        .limit(10)
    ).all()
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
        db(request), "deputies", file.filename or "deputies.csv", me.id, scope_id=congress.id
    )
    log_action(request, "deputies.import", f"job:{job.id}", congress=congress.id)
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
    deputy = session.get(DeputyEntry, record_id(fields.get("deputy_id")))
    account = find_by_login(session, fields.get("login", ""))
    if deputy is None or deputy.congress_id != congress.id:
        raise HTTPException(404)
    if account is None:
        return await _congress_page(request, congress, 422, error=N_("No account has this login."))
    try:
        link_deputy(session, deputy, account)
    except DomainError as error:
        return await _congress_page(request, congress, 422, error=error.message)
    log_action(request, "deputies.link", f"account:{account.id}", deputy=deputy.id)
    flash(request, "The deputy has been linked to the account.", "success")
    return htmx.redirect(request, f"/admin/congresses/{congress.id}")


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
