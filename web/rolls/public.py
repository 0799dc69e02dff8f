"""Verifying oneself against the resident roll: /verify."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import DomainError
from participation.rolls import entry_of_account
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
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.rolls.verifying import (
    entry_from_form,
    read_details,
    refused,
    verification_attempt,
    wait_message,
)


def _verify_page(request: Request, status: int = 200, **extra: Any) -> Response:
    """The form, or that one is verified: read afresh, so that a refused attempt
    shows the roll as it was before it."""
    entry = entry_of_account(db(request), user(request).id)
    return render(request, "rolls/verify.html", {"entry": entry} | extra, status=status)


@requires(Permission.VERIFY_SELF)
async def verify_self(request: Request) -> Response:
    session = db(request)
    me = user(request)
    if request.method == "GET" or entry_of_account(session, me.id) is not None:
        return _verify_page(request)
    fields = await form_fields(request)

    def act() -> Response:
        details = read_details(fields)
        at = now(request)
        attempt = verification_attempt(request, details, account_id=me.id)
        decision = attempt_decision(session, attempt, at)
        if not decision.allowed:
            page = _verify_page(request, 429, form=fields, error=wait_message(decision))
            return refused(page, decision)
        found = entry_from_form(request, details)
        if found is None:
            record_miss(session, attempt, at)
            keep_on_refusal(request)  # the miss counts towards the limits
            return _verify_page(request, 422, form=fields, error=NO_MATCH)
        verify(session, me.account, found, at)
        flash(request, "You are now a verified resident.", "success")
        # The personal home shows what verifying has just opened for them.
        return htmx.redirect(request, "/")

    async def again(error: DomainError) -> Response:
        return _verify_page(request, form=fields, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, again)


routes = [
    Route("/verify", verify_self, methods=["GET", "POST"]),
]
