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
from web.consultations.office import index_page, moment
from web.kit import htmx
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, record_id, whole_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash


@requires(Permission.MANAGE_CONSULTATIONS)
async def new_term(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        area = get_area(session, record_id(fields.get("area_id", "")))
        authorize(request, Permission.MANAGE_CONSULTATIONS, area.path)
        form = FormReader(fields)
        starts = form.day("starts_on", required=True)
        ends = form.day("ends_on", required=True)
        form.check("consultation.invalid")
        term = representatives.open_term(
            session,
            area=area,
            title=fields.get("title", ""),
            seats=whole_number(fields.get("seats"), high=10_000) or 0,
            starts_on=starts or date.min,
            ends_on=ends or date.min,
        )
        flash(request, "The term is open for candidates.", "success")
        return htmx.redirect(request, f"/consultations/terms/{term.id}")

    async def page(error: DomainError) -> Response:
        return await index_page(request, 422, error=error.message, errors=error.fields, form=fields)

    return await act_or_rerender(request, act, page)


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

    def act() -> Response:
        form = FormReader(fields)
        if action == "publish":
            until = moment(form, "notice_until")
            form.check("consultation.invalid")
            representatives.publish_candidates(session, term, until, at)
        elif action == "elect":
            opens, closes = moment(form, "opens_at"), moment(form, "closes_at")
            form.check("consultation.invalid")
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
            representatives.replace_representative(
                session,
                term,
                record_id(fields.get("entry_id", "")),
                successor,
                fields.get("reason", ""),
                me.id,
                at,
            )
        else:
            raise DomainError("term.action", N_("Choose a step."))
        flash(request, "Done.", "success")
        return htmx.redirect(request, f"/consultations/terms/{term.id}")

    async def page(error: DomainError) -> Response:
        return await index_page(
            request, 422, error=error.message, errors=error.fields, form=fields, term_id=term.id
        )

    return await act_or_rerender(request, act, page)


routes = [
    Route("/admin/consultations/terms", new_term, methods=["POST"]),
    Route("/admin/consultations/terms/{term_id:int}", term_step, methods=["POST"]),
]
