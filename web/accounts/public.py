"""Local accounts: sign up, sign in, sign out, password change, the account page."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import accounts
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.rolls import entry_of_account
from participation.rules.permissions import Permission
from web.accounts.privacy import agreed, notice_version
from web.kit import htmx, i18n
from web.kit.auth import requires, sign_in, sign_out, user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db, keep_on_refusal
from web.kit.devices import device_of, remember
from web.kit.forms import form_fields, safe_next
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render


async def signup(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/signup.html")
    fields = await form_fields(request)

    def act() -> Response:
        account = accounts.sign_up(
            db(request),
            login=fields.get("login", ""),
            password=fields.get("password", ""),
            display_name=fields.get("display_name", ""),
            notice_version=notice_version(request) if agreed(fields) else None,
        )
        sign_in(request, account)
        flash(request, "Welcome! Your account has been created.", "success")
        return htmx.redirect(request, "/verify")

    async def again(error: DomainError) -> Response:
        context = {"form": fields, "errors": error.fields, "error": error.message}
        return render(request, "accounts/signup.html", context, status=422)

    return await act_or_rerender(request, act, again)


async def login(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"), "/account")
    if request.method == "GET":
        return render(request, "accounts/login.html", {"next": next_url})
    fields = await form_fields(request)
    next_url = safe_next(fields.get("next"), "/account")
    login_name, password = fields.get("login", ""), fields.get("password", "")
    session, ip, at = db(request), client_ip(request), now(request)
    device = device_of(request)
    known = accounts.find_by_login(session, login_name)
    context = {"form": {"login": login_name}, "next": next_url}
    decision = accounts.sign_in_decision(
        session, login_name, ip, device.id, device.knows(known.id if known else None), at
    )
    if not decision.allowed:
        minutes = max(1, math.ceil(decision.retry_after.total_seconds() / 60))
        message = i18n.ngettext(
            "Too many failed attempts. Please try again in %(num)s minute.",
            "Too many failed attempts. Please try again in %(num)s minutes.",
            minutes,
        )
        response = render(request, "accounts/login.html", context | {"error": message}, status=429)
        response.headers["Retry-After"] = str(int(decision.retry_after.total_seconds()) + 1)
        remember(request, response, device, None)
        return response
    account = accounts.authenticate(session, login_name, password)
    if account is None:
        accounts.record_failure(session, login_name, ip, device.id, at)
        keep_on_refusal(request)  # the failure must count although we answer 422
        message = N_("The login or password is not correct.")
        response = render(request, "accounts/login.html", context | {"error": message}, status=422)
        remember(request, response, device, None)
        return response
    sign_in(request, account)
    done = htmx.redirect(request, next_url)
    remember(request, done, device, account.id)
    return done


async def logout(request: Request) -> Response:
    sign_out(request)
    flash(request, "You have signed out.")
    return htmx.redirect(request, "/")


@requires(Permission.USE_ACCOUNT)
async def account_page(request: Request) -> Response:
    me = user(request)
    session = db(request)
    entry = entry_of_account(session, me.id)
    community = get_area(session, entry.community_id) if entry else None
    return render(
        request,
        "accounts/account.html",
        {
            "entry": entry,
            "community": community,
            "identities": accounts.identities_of(session, me.account),
            "grants": accounts.role_grants(session, me.id),
            "providers": request.app.state.settings.oidc_providers,
        },
    )


@requires(Permission.USE_ACCOUNT)
async def change_password(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/password.html")
    me = user(request)
    fields = await form_fields(request)
    if fields.get("new", "") != fields.get("confirm", ""):
        errors = {"confirm": N_("The two new passwords differ.")}
        return render(request, "accounts/password.html", {"errors": errors}, status=422)

    def act() -> Response:
        accounts.change_password(
            db(request), me.account, fields.get("current", ""), fields.get("new", "")
        )
        sign_in(request, me.account)  # keep this session; others are now expired
        flash(request, "Your password has been changed.", "success")
        return htmx.redirect(request, "/account")

    async def again(error: DomainError) -> Response:
        return render(request, "accounts/password.html", {"errors": error.fields}, status=422)

    return await act_or_rerender(request, act, again)


routes = [
    Route("/signup", signup, methods=["GET", "POST"]),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/account", account_page),
    Route("/account/password", change_password, methods=["GET", "POST"]),
]
