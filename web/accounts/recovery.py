"""Forgot the password: a code by SMS (or from the desk's slip), or a link by e-mail.

The pages answer the same whether or not an account exists; the text message is
sent after the response has gone (a background task), so neither the answer nor
its timing says whether one was sent.
"""

from __future__ import annotations

from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import recovery
from participation.errors import N_, DomainError
from participation.sms import SmsProvider, send_quietly
from web.kit import htmx
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db, keep_on_refusal
from web.kit.forms import FormReader, form_fields
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

CODE_SENT = N_(
    "If a verified account has this mobile number, a code is on its way to it. Enter it "
    "below within 10 minutes."
)
LINK_SENT = N_(
    "If an account has this e-mail address, a link to set a new password is on its way to "
    "it. It works once, within 30 minutes."
)
PASSWORD_SET = N_("Your new password is set and every earlier sign-in has ended. Sign in with it.")
LOGIN_KEY = "reset_login"


def _key(request: Request) -> bytes:
    return recovery.reset_key(str(request.app.state.settings.id_hash_key))


def sms_provider(request: Request) -> SmsProvider | None:
    """The SMS provider of the settings, or None when none is configured."""
    settings = request.app.state.settings
    if not settings.sms_url:
        return None
    return SmsProvider(settings.sms_url, settings.sms_key, float(settings.sms_timeout))


def _ask_page(request: Request, status: int = 200, **extra: Any) -> Response:
    return render(request, "accounts/reset.html", extra, status=status)


def _refused(request: Request, error: DomainError, **extra: Any) -> Response:
    context = {"form": extra.get("form", {}), "errors": error.fields, "error": error.message}
    return _ask_page(request, error.status, error_params=error.params, **context)


async def ask(request: Request) -> Response:
    """The two ways to ask: a code to one's mobile number, a link to one's e-mail."""
    return _ask_page(request)


async def ask_sms(request: Request) -> Response:
    fields = await form_fields(request)
    phone = FormReader(fields).text("phone", max_length=20)

    def act() -> Response:
        message = recovery.request_sms_code(
            db(request), _key(request), phone, client_ip(request), now(request)
        )
        request.session[LOGIN_KEY] = phone.strip()
        flash(request, CODE_SENT, "info")
        done = htmx.redirect(request, "/account/reset/code")
        if message is not None:
            # After the response (and the commit): the answer does not wait for the
            # provider, and takes as long whether or not a message goes out.
            provider = sms_provider(request)
            done.background = BackgroundTask(send_quietly, provider, message.to, message.text)
        return done

    async def again(error: DomainError) -> Response:
        return _refused(request, error, form=fields)

    return await act_or_rerender(request, act, again)


async def ask_email(request: Request) -> Response:
    fields = await form_fields(request)
    address = FormReader(fields).text("email", max_length=255)

    def act() -> Response:
        recovery.request_email_link(
            db(request),
            _key(request),
            address,
            client_ip(request),
            now(request),
            str(request.app.state.settings.base_url),
        )
        flash(request, LINK_SENT, "info")
        return htmx.redirect(request, "/account/reset")

    async def again(error: DomainError) -> Response:
        return _refused(request, error, form=fields)

    return await act_or_rerender(request, act, again)


def _code_page(request: Request, status: int = 200, **extra: Any) -> Response:
    form = extra.pop("form", {"login": request.session.get(LOGIN_KEY, "")})
    return render(request, "accounts/reset_code.html", {"form": form} | extra, status=status)


async def enter_code(request: Request) -> Response:
    """A code from the SMS or the desk's slip, and the new password."""
    if request.method == "GET":
        return _code_page(request)
    fields = await form_fields(request)
    reader = FormReader(fields)
    login = reader.text("login", max_length=64)
    code = reader.text("code", max_length=16)
    typed = {"login": login}

    def act() -> Response:
        reader.check("reset.form")
        account = recovery.reset_with_code(
            db(request),
            _key(request),
            login=login,
            code=code,
            password=fields.get("password", ""),
            confirm=fields.get("confirm", ""),
            ip=client_ip(request),
            now=now(request),
        )
        if account is None:
            keep_on_refusal(request)  # the wrong try counts against the code and address
            return _code_page(request, 422, form=typed, error=recovery.BAD_CODE)
        request.session.pop(LOGIN_KEY, None)
        flash(request, PASSWORD_SET, "success")
        return htmx.redirect(request, "/login")

    async def again(error: DomainError) -> Response:
        return _code_page(
            request,
            error.status,
            form=typed,
            errors=error.fields,
            error=error.message,
            error_params=error.params,
        )

    return await act_or_rerender(request, act, again)


async def email_link(request: Request) -> Response:
    """The page an e-mailed link opens: choose the new password."""
    token = str(request.path_params["token"])
    session, at = db(request), now(request)
    if request.method == "GET":
        if recovery.live_link(session, _key(request), token, at) is None:
            return render(request, "accounts/reset_link.html", {"invalid": True}, status=404)
        return render(request, "accounts/reset_link.html", {"token": token})
    fields = await form_fields(request)

    def act() -> Response:
        account = recovery.reset_with_link(
            session,
            _key(request),
            token=token,
            password=fields.get("password", ""),
            confirm=fields.get("confirm", ""),
            ip=client_ip(request),
            now=at,
        )
        if account is None:
            keep_on_refusal(request)  # counts against the address
            return render(request, "accounts/reset_link.html", {"invalid": True}, status=404)
        flash(request, PASSWORD_SET, "success")
        return htmx.redirect(request, "/login")

    async def again(error: DomainError) -> Response:
        context = {
            "token": token,
            "errors": error.fields,
            "error": error.message,
            "error_params": error.params,
        }
        return render(request, "accounts/reset_link.html", context, status=error.status)

    return await act_or_rerender(request, act, again)


routes = [
    Route("/account/reset", ask),
    Route("/account/reset/sms", ask_sms, methods=["POST"]),
    Route("/account/reset/email", ask_email, methods=["POST"]),
    Route("/account/reset/code", enter_code, methods=["GET", "POST"]),
    Route("/account/reset/email/{token}", email_link, methods=["GET", "POST"]),
]
