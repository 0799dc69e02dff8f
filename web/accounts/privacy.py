"""Personal-information rights: the privacy notice and consent to it, downloading
one's data, and closing one's account."""

from __future__ import annotations

import tempfile

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import consultations.privacy
import volunteers.privacy
from participation import accounts
from participation.errors import N_, DomainError
from participation.privacy import closing, consent, export
from participation.privacy.tables import CORE, Coverage
from participation.rules.permissions import Permission
from web.kit import htmx, i18n
from web.kit.auth import authorize, current_user_or_none, requires, sign_out, user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.errors import error_page
from web.kit.forms import FormReader, form_fields, safe_next
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

#: Every table that holds a person's data, as the domains describe it.
COVERAGE = Coverage((*CORE, *consultations.privacy.ENTRIES, *volunteers.privacy.ENTRIES))


def notice_version(request: Request) -> str:
    """The version people must have agreed to (app.state, so tests can change it)."""
    version: str = request.app.state.privacy_notice_version
    return version


def agreed(fields: dict[str, str]) -> bool:
    return fields.get("agree", "") == "yes"


async def notice(request: Request) -> Response:
    """The notice, for anyone; a signed-in person who has not agreed to this
    version is asked to, and continues to ``next`` afterwards."""
    me = current_user_or_none(request)
    version = notice_version(request)
    next_url = safe_next(request.query_params.get("next"), "/account")
    context: dict[str, object] = {
        "version": version,
        "next": next_url,
        "due": False,
        "consents": [],
    }
    if me is not None:
        consents = consent.consents_of(db(request), me.id)
        context["consents"] = consents
        context["due"] = not consents or consents[-1].version != version
        if not context["due"]:
            request.session["notice"] = version  # agreed on another device
    return render(request, "accounts/privacy.html", context)


@requires(Permission.USE_ACCOUNT)
async def agree(request: Request) -> Response:
    me = user(request)
    fields = await form_fields(request)
    version = notice_version(request)
    next_url = safe_next(fields.get("next"), "/account")

    def act() -> Response:
        if not agreed(fields):
            raise DomainError(
                "privacy.not_agreed", consent.MUST_AGREE, fields={"agree": consent.MUST_AGREE}
            )
        consent.record_consent(db(request), me.id, version, now(request))
        request.session["notice"] = version
        return htmx.redirect(request, next_url)

    async def again(error: DomainError) -> Response:
        context = {
            "version": version,
            "next": next_url,
            "due": True,
            "consents": consent.consents_of(db(request), me.id),
            "errors": error.fields,
            "error": error.message,
        }
        return render(request, "accounts/privacy.html", context, status=422)

    return await act_or_rerender(request, act, again)


@requires(Permission.USE_ACCOUNT)
async def my_data(request: Request) -> Response:
    """The download page (GET) and the download itself (POST): a ZIP with JSON
    and a readable page, built in a temporary file."""
    if request.method == "GET":
        return render(request, "accounts/my_data.html")
    me = user(request)
    session, at = db(request), now(request)

    def act() -> Response:
        export.check_export_allowed(session, me.id, at)
        data = export.collect(session, me.account, COVERAGE)
        export.record_export(session, me.id, ip=client_ip(request))
        template = request.app.state.templates.get_template("accounts/my_data_export.html")
        page = template.render(data=data, made_at=at, _=i18n.gettext)
        # Built in a temporary file (memory up to 1 MiB, then disk), then sent whole:
        # a streamed body crossed the request threads (web.kit.request_threads) chunk
        # by chunk for no gain at these sizes (a person's data compresses to kilobytes).
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
            export.write_zip(data, page, spool, made_at=at)
            spool.seek(0)
            body = spool.read()
        name = f"gongzhi-my-data-{at:%Y%m%d}.zip"
        return Response(
            body,
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    async def refused(error: DomainError) -> Response:
        context = {"error": error.message}
        response = render(request, "accounts/my_data.html", context, status=error.status)
        response.headers["Retry-After"] = "3600"
        return response

    return await act_or_rerender(request, act, refused)


#: How long a fresh provider sign-in confirms closing an account without a password.
PROVIDER_CONFIRMS_FOR = 600


def _provider_confirmed(request: Request, account_id: int) -> bool:
    """Whether this person signed in again with a provider of theirs just now
    (web.accounts.oidc.confirmed_closing), for an account without a password."""
    mark = request.session.get("close_confirmed")
    if not (isinstance(mark, list) and len(mark) == 2 and mark[0] == account_id):
        return False
    at = mark[1]
    return (
        isinstance(at, int | float) and 0 <= now(request).timestamp() - at <= PROVIDER_CONFIRMS_FOR
    )


def _closed_in_this_session(request: Request) -> bool:
    """Whether the session's account has been closed (a second submission of the
    closing form, sent with the cookie of before)."""
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return False
    account = accounts.get_account(db(request), uid)
    return account is not None and account.closed_at is not None


async def close(request: Request) -> Response:
    """Close the account after the password is confirmed (see closing.close_account)."""
    if _closed_in_this_session(request):
        request.session.clear()
        return error_page(request, 409, i18n.gettext(closing.ALREADY_CLOSED))
    authorize(request, Permission.USE_ACCOUNT)
    me = user(request)
    by_provider = _provider_confirmed(request, me.id)
    shown = {
        "has_password": bool(me.account.password_hash),
        "by_provider": by_provider,
        "providers": request.app.state.settings.oidc_providers,
    }
    if request.method == "GET":
        return render(request, "accounts/close.html", shown)
    fields = await form_fields(request)
    reader = FormReader(fields)
    password = fields.get("password", "")
    confirmed = fields.get("confirm", "") == "yes"

    def act() -> Response:
        if not confirmed:
            reader.problems["confirm"] = N_(
                "Tick the box to confirm that you want to close your account."
            )
        reader.check("account.close")
        closing.close_account(
            db(request),
            me.account,
            password,
            COVERAGE,
            now=now(request),
            ip=client_ip(request),
            provider_confirmed=by_provider,
        )
        sign_out(request)
        flash(request, "Your account has been closed and your personal data erased.", "success")
        return htmx.redirect(request, "/")

    async def again(error: DomainError) -> Response:
        message = i18n.gettext(error.message, **error.params)
        context = shown | {"errors": error.fields, "error": message}
        return render(request, "accounts/close.html", context, status=422)

    return await act_or_rerender(request, act, again)


close.permission = Permission.USE_ACCOUNT  # type: ignore[attr-defined]

routes = [
    Route("/account/privacy", notice),
    Route("/account/privacy/agree", agree, methods=["POST"]),
    Route("/account/data", my_data, methods=["GET", "POST"]),
    Route("/account/close", close, methods=["GET", "POST"]),
]
