"""Sign-in and account linking through OpenID Connect providers."""

from __future__ import annotations

from typing import Any

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation import accounts
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from web.kit.auth import requires, sign_in, user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.errors import error_page
from web.kit.forms import safe_next
from web.kit.oidc import NETWORK_ERRORS
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash

UNREACHABLE = N_(
    "The sign-in provider cannot be reached right now. Please try again later or sign in with "
    "your password."
)
TAMPERED = N_(
    "The sign-in could not be completed (the request had expired or was tampered with). "
    "Please try again."
)
FETCH_ERRORS: tuple[type[Exception], ...] = (*NETWORK_ERRORS, ValueError)
PROVIDER_ERRORS: tuple[type[Exception], ...] = (*FETCH_ERRORS, OAuthError)
REFUSED = N_("The sign-in was cancelled or refused by the provider.")
NOT_YOURS = N_("This sign-in does not belong to your account.")


def _client(request: Request) -> Any:
    oauth = request.app.state.oauth
    name = request.path_params["provider"]
    client = oauth.create_client(name) if oauth is not None else None
    if client is None:
        raise HTTPException(404)
    return client


def _redirect_uri(request: Request) -> str:
    base = request.app.state.settings.base_url
    return f"{base}/auth/oidc/{request.path_params['provider']}/callback"


async def _start(request: Request) -> Response:
    client = _client(request)
    try:
        response: Response = await client.authorize_redirect(request, _redirect_uri(request))
    except PROVIDER_ERRORS:
        return error_page(request, 502, UNREACHABLE)
    return response


async def login(request: Request) -> Response:
    request.session["oidc_next"] = safe_next(request.query_params.get("next"), "/account")
    request.session.pop("oidc_link", None)
    request.session.pop("oidc_close", None)
    return await _start(request)


@requires(Permission.USE_ACCOUNT)
async def confirm_closing(request: Request) -> Response:
    """Sign in again with the provider to confirm closing an account without a
    password (web.accounts.privacy.close)."""
    request.session["oidc_close"] = user(request).id
    request.session.pop("oidc_link", None)
    return await _start(request)


@requires(Permission.USE_ACCOUNT)
async def link(request: Request) -> Response:
    request.session["oidc_link"] = user(request).id
    request.session["oidc_next"] = "/account"
    return await _start(request)


async def callback(request: Request) -> Response:
    client = _client(request)
    name = request.path_params["provider"]
    if request.query_params.get("error"):
        return error_page(request, 403, REFUSED)
    try:
        token = await client.authorize_access_token(request)
    except MismatchingStateError:
        return error_page(request, 400, TAMPERED)
    except OAuthError as error:
        if error.error == "access_denied":
            return error_page(request, 403, REFUSED)
        return error_page(request, 400, TAMPERED)
    except FETCH_ERRORS:
        return error_page(request, 502, UNREACHABLE)
    claims = dict(token.get("userinfo") or {})
    subject = str(claims.get("sub") or "")
    if subject and "name" not in claims:
        # Providers that conform ID token claims hand out profile claims only here.
        try:
            extra = await client.userinfo(token=token)
            if str(extra.get("sub")) == subject:
                claims |= dict(extra)
        except PROVIDER_ERRORS:
            pass  # the name is a nicety; the ID token already proved who this is
    if not subject:
        return error_page(request, 400, TAMPERED)
    session = db(request)
    next_url = safe_next(request.session.pop("oidc_next", None), "/account")
    linking = request.session.pop("oidc_link", None)
    closing_for = request.session.pop("oidc_close", None)
    if closing_for is not None:
        return confirmed_closing(request, closing_for, name, subject)
    email = claims.get("email")
    if linking is not None:
        account = accounts.get_account(session, linking)
        if account is None:
            raise HTTPException(401)
        linked = account

        def act() -> Response:
            accounts.link_identity(session, linked, name, subject, email, ip=client_ip(request))
            flash(request, "The sign-in provider has been linked to your account.", "success")
            sign_in(request, linked)
            return _go(next_url)

        async def refused(error: DomainError) -> Response:
            return error_page(request, 409, error.message)

        return await act_or_rerender(request, act, refused)
    account = accounts.account_for_identity(session, name, subject)
    if account is None:
        account = accounts.create_account_for_identity(
            session, name, subject, claims.get("name"), email
        )
    elif not account.is_active:
        return error_page(request, 403, N_("This account has been disabled."))
    sign_in(request, account)
    return _go(next_url)


def confirmed_closing(
    request: Request, account_id: object, provider: str, subject: str
) -> Response:
    """Back from the provider to confirm closing: only an identity of this account."""
    account = accounts.account_for_identity(db(request), provider, subject)
    if account is None or account.id != account_id:
        return error_page(request, 403, NOT_YOURS)
    request.session["close_confirmed"] = [account.id, now(request).timestamp()]
    return _go("/account/close")


def _go(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


routes = [
    Route("/auth/oidc/{provider}/login", login),
    Route("/auth/oidc/{provider}/link", link, methods=["POST"]),
    Route("/auth/oidc/{provider}/callback", callback),
    Route("/auth/oidc/{provider}/close", confirm_closing, methods=["POST"]),
]
