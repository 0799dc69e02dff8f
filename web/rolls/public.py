"""Verifying oneself against the resident roll: /verify."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import DomainError
from participation.rolls import RollEntry
from participation.rules.permissions import Permission
from participation.verification import (
    NO_MATCH,
    attempt_decision,
    record_miss,
    verify,
)
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db, keep_on_refusal
from web.kit.forms import form_fields
from web.kit.templating import flash, render
from web.rolls.verifying import entry_from_form, refused, verification_attempt, wait_message


@requires(Permission.VERIFY_SELF)
async def verify_self(request: Request) -> Response:
    session = db(request)
    me = user(request)
    entry = session.scalar(select(RollEntry).where(RollEntry.account_id == me.id))
    if request.method == "GET" or entry is not None:
        return render(request, "rolls/verify.html", {"entry": entry})
    fields = await form_fields(request)
    at = now(request)
    attempt = verification_attempt(request, fields, account_id=me.id)
    decision = attempt_decision(session, attempt, at)
    if not decision.allowed:
        context = {"entry": None, "form": fields, "error": wait_message(decision)}
        return refused(render(request, "rolls/verify.html", context, status=429), decision)
    found = entry_from_form(request, fields)
    if found is None:
        record_miss(session, attempt, at)
        keep_on_refusal(request)  # the miss counts towards the limits
        return render(
            request,
            "rolls/verify.html",
            {"entry": None, "form": fields, "error": NO_MATCH},
            status=422,
        )
    try:
        verify(session, me.account, found, at)
    except DomainError as error:
        return render(
            request,
            "rolls/verify.html",
            {"entry": None, "form": fields, "error": error.message},
            status=422,
        )
    flash(request, "You are now a verified resident.", "success")
    return htmx.redirect(request, "/account")


routes = [
    Route("/verify", verify_self, methods=["GET", "POST"]),
]
