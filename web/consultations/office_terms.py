"""Back office for representative terms: open a term, publish the candidates,
start the election, seat the elected, replace a representative mid-term."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations import representatives
from participation.accounts import find_by_login
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from web.consultations.office import index_page, local_time, refuse_problems
from web.kit import htmx
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id, whole_number
from web.kit.templating import flash


@requires(Permission.MANAGE_CONSULTATIONS)
async def new_term(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)
    try:
        area_id = fields.get("area_id", "")
        area = get_area(session, record_id(area_id))
        authorize(request, Permission.MANAGE_CONSULTATIONS, area.path)
        problems: dict[str, str] = {}
        try:
            starts, ends = (
                date.fromisoformat(fields.get("starts_on", "")),
                date.fromisoformat(fields.get("ends_on", "")),
            )
        except ValueError:
            problems["starts_on"] = N_("Enter a date.")
            starts = ends = date.today()
        seats = fields.get("seats", "")
        refuse_problems(problems)
        term = representatives.open_term(
            session,
            area=area,
            title=fields.get("title", ""),
            seats=whole_number(seats, high=10_000) or 0,
            starts_on=starts,
            ends_on=ends,
        )
    except DomainError as error:
        return await index_page(request, 422, error=error.message, errors=error.fields, form=fields)
    flash(request, "The term is open for candidates.", "success")
    return htmx.redirect(request, f"/consultations/terms/{term.id}")


@requires(Permission.MANAGE_CONSULTATIONS)
async def term_step(request: Request) -> Response:
    """Advance a term: publish candidates, start the election, seat the elected,
    or replace a representative mid-term."""
    session = db(request)
    term = representatives.get_term(session, request.path_params["term_id"])
    authorize(request, Permission.MANAGE_CONSULTATIONS, get_area(session, term.area_id).path)
    fields = await form_fields(request)
    me, at = user(request), now(request)
    action = fields.get("action", "")
    try:
        problems: dict[str, str] = {}
        if action == "publish":
            until = local_time(fields, "notice_until", problems)
            refuse_problems(problems)
            representatives.publish_candidates(session, term, until, at)
        elif action == "elect":
            opens, closes = (
                local_time(fields, "opens_at", problems),
                local_time(fields, "closes_at", problems),
            )
            refuse_problems(problems)
            representatives.start_election(session, term, opens, closes, me.id)
        elif action == "seat":
            representatives.seat_elected(session, term, me.id)
        elif action == "replace":
            successor = find_by_login(session, fields.get("successor", ""))
            if successor is None:
                raise DomainError(
                    "consultation.no_account",
                    N_("No account with this login."),
                    fields={"successor": N_("No account with this login.")},
                )
            entry = fields.get("entry_id", "")
            representatives.replace_representative(
                session,
                term,
                record_id(entry),
                successor,
                fields.get("reason", ""),
                me.id,
                at,
            )
        else:
            raise DomainError("term.action", N_("Choose a step."))
    except DomainError as error:
        return await index_page(
            request, 422, error=error.message, errors=error.fields, form=fields, term_id=term.id
        )
    flash(request, "Done.", "success")
    return htmx.redirect(request, f"/consultations/terms/{term.id}")


routes = [
    Route("/admin/consultations/terms", new_term, methods=["POST"]),
    Route("/admin/consultations/terms/{term_id:int}", term_step, methods=["POST"]),
]
