"""The desk (代办): sign up a resident who comes in person, print their slip, act for them.

A community worker with a grant over the resident's community checks the ID
card; the roll is searched as assisted verification searches it (same limits).
The slip's code is shown once, on the page that answers the form: it is stored
only as a keyed hash. An assisted session replaces the worker's own session
until it is ended (or after 30 minutes); see participation.desk.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import desk, recovery
from participation.accounts import Account
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from participation.verification import NO_MATCH, attempt_decision, record_miss
from web.kit import htmx
from web.kit.auth import (
    ASSISTED_BY,
    ASSISTED_UNTIL,
    WORKER_EPOCH,
    current_user_or_none,
    requires,
    sign_out,
    user,
)
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db, keep_on_refusal
from web.kit.forms import FormReader, form_fields
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.rolls.office import OUTSIDE
from web.rolls.verifying import (
    entry_from_form,
    read_details,
    refused,
    verification_attempt,
    wait_message,
)

NOT_YOURS = N_(
    "This resident lives in a community you do not look after. Only the workers of their "
    "community (or of a street or district above it) can help them at the desk."
)


def _desk_page(request: Request, status: int = 200, **extra: Any) -> Response:
    return render(request, "rolls/office/desk.html", extra, status=status)


def _slip(request: Request, account: Account, code: str) -> Response:
    """The printable slip: shown once, never cached."""
    context = {
        "resident": account,
        "code": code,
        "expires_days": recovery.DESK_LIFETIME.days,
        "base_url": request.app.state.settings.base_url,
    }
    response = render(request, "rolls/office/slip.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _key(request: Request) -> bytes:
    return recovery.reset_key(str(request.app.state.settings.id_hash_key))


@requires(Permission.ASSIST_VERIFY)
async def desk_page(request: Request) -> Response:
    """Sign up a resident (GET: the forms; POST: create, verify, print the slip)."""
    if request.method == "GET":
        return _desk_page(request)
    session = db(request)
    fields = await form_fields(request)
    me = user(request)

    def act() -> Response:
        details = read_details(fields)
        at = now(request)
        attempt = verification_attempt(request, details, desk_worker_id=me.id)
        decision = attempt_decision(session, attempt, at)
        if not decision.allowed:
            page = _desk_page(request, 429, form=fields, error=wait_message(decision, desk=True))
            return refused(page, decision)
        entry = entry_from_form(request, details)
        if entry is None:
            record_miss(session, attempt, at)
            keep_on_refusal(request)
            return _desk_page(request, 422, form=fields, error=NO_MATCH)
        community = get_area(session, entry.community_id)
        if not me.can(Permission.ASSIST_VERIFY, community.path):
            return _desk_page(request, 403, form=fields, error=OUTSIDE)
        account, code = desk.enrol(
            session,
            worker=me.account,
            phone=fields.get("phone", ""),
            entry=entry,
            key=_key(request),
            now=at,
            ip=client_ip(request),
        )
        return _slip(request, account, code)

    async def again(error: DomainError) -> Response:
        return _desk_page(
            request, error.status, form=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, again)


def _resident(request: Request, fields: dict[str, str]) -> tuple[Account, str]:
    """The verified resident whose login was typed, if the worker looks after them."""
    login = FormReader(fields).text("login", max_length=64)
    account, _entry, community = desk.resident_at_desk(db(request), login)
    if not user(request).can(Permission.ASSIST_VERIFY, community.path):
        raise DomainError("desk.outside", NOT_YOURS, status=403)
    return account, community.path


@requires(Permission.ASSIST_VERIFY)
async def new_slip(request: Request) -> Response:
    """A new slip for a resident who lost theirs (their earlier codes stop working)."""
    fields = await form_fields(request)
    me = user(request)

    def act() -> Response:
        account, _path = _resident(request, fields)
        code = desk.reissue_slip(
            db(request),
            worker=me.account,
            account=account,
            key=_key(request),
            now=now(request),
            ip=client_ip(request),
        )
        return _slip(request, account, code)

    async def again(error: DomainError) -> Response:
        return _desk_page(
            request, error.status, found=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, again)


@requires(Permission.ASSIST_VERIFY)
async def assist(request: Request) -> Response:
    """Begin acting for a resident: this browser holds their session, the worker named."""
    fields = await form_fields(request)
    me = user(request)

    def act() -> Response:
        account, _path = _resident(request, fields)
        desk.start_assisting(db(request), worker=me.account, account=account, ip=client_ip(request))
        worker = me.account
        sign_out(request)  # the worker's own session ends here
        request.session.update(
            {
                "uid": account.id,
                "epoch": account.session_epoch,
                "sid": secrets.token_urlsafe(24),
                ASSISTED_BY: worker.id,
                WORKER_EPOCH: worker.session_epoch,
                ASSISTED_UNTIL: int((now(request) + desk.ASSIST_LIFETIME).timestamp()),
            }
        )
        flash(request, N_("You are now acting for this resident. Voting stays theirs."), "info")
        return htmx.redirect(request, "/account")

    async def again(error: DomainError) -> Response:
        return _desk_page(
            request, error.status, found=fields, errors=error.fields, error=error.message
        )

    return await act_or_rerender(request, act, again)


async def end_assist(request: Request) -> Response:
    """End an assisted session (the worker signs in again); anyone else is sent home."""
    me = current_user_or_none(request)
    helper = me.assisted_by if me is not None else None
    if me is None or helper is None:
        return htmx.redirect(request, "/")
    desk.stop_assisting(db(request), worker_id=helper.id, account_id=me.id, ip=client_ip(request))
    # Signed out altogether: the browser may be the resident's to hold now, and
    # must not hand them the worker's session.
    sign_out(request)
    flash(request, N_("The assisted session has ended. Sign in again to go on."), "success")
    return htmx.redirect(request, "/login?next=/admin/desk")


routes = [
    Route("/admin/desk", desk_page, methods=["GET", "POST"]),
    Route("/admin/desk/slip", new_slip, methods=["POST"]),
    Route("/admin/desk/assist", assist, methods=["POST"]),
    Route("/admin/desk/end", end_assist, methods=["POST"]),
]
