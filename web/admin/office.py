"""Back office: areas, accounts and roles, the audit log."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import accounts, audit
from participation.account_search import search_accounts
from participation.accounts import Account, get_account
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission, Role
from web.admin.audit_lines import action_choices, audit_lines
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import requires, user
from web.kit.client_ip import client_ip
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, record_id
from web.kit.pagination import to_the_start
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

CHOOSE_ROLE = N_("Choose a role and an area.")
BAD_ACTOR = N_("The actor account number is a whole number, such as 12; the filter was left out.")


@requires(Permission.BACKOFFICE)
async def dashboard(request: Request) -> Response:
    return render(request, "admin/office/dashboard.html")


@requires(Permission.MANAGE_ACCOUNTS)
async def account_list(request: Request) -> Response:
    """A page of the accounts, or of those a search finds (participation.
    account_search: by index, a page at a time, starting after or before the
    account a link names; no total, which would count a city's million accounts
    on every keystroke). A link of the numbered pages this list had (``?page=``)
    is sent to the list's start, its search kept: the numbers no longer exist."""
    params = request.query_params
    q = params.get("q", "").strip()
    if "page" in params:
        return to_the_start(request)
    found = search_accounts(
        db(request), q, after=record_id(params.get("after")), before=record_id(params.get("before"))
    )
    return render(request, "admin/office/accounts.html", {"page": found, "q": q})


async def _account_page(
    request: Request, account: Account, status: int = 200, **extra: object
) -> Response:
    session = db(request)
    return render(
        request,
        "admin/office/account.html",
        {
            "account": account,
            "grants": accounts.role_grants(session, account.id),
            "roles": list(Role),
            "area_step": area_choice(session, request),
        }
        | extra,
        status=status,
    )


def _account(request: Request) -> Account:
    account = get_account(db(request), request.path_params["account_id"])
    if account is None:
        raise HTTPException(404)
    return account


@requires(Permission.MANAGE_ACCOUNTS)
async def account_detail(request: Request) -> Response:
    return await _account_page(request, _account(request))


@requires(Permission.MANAGE_ACCOUNTS)
async def grant(request: Request) -> Response:
    session = db(request)
    account = _account(request)
    fields = await form_fields(request)

    def act() -> Response:
        reader = FormReader(fields)
        role = reader.choice("role", [r.value for r in Role])
        area_id = reader.record("area_id")
        if reader.problems:
            raise DomainError("grant.form", CHOOSE_ROLE, fields=reader.problems)
        assert role is not None
        area = get_area(session, area_id) if area_id else None
        accounts.give_role(
            session, account, Role(role), area, by=user(request).account, ip=client_ip(request)
        )
        flash(request, "The role has been granted.", "success")
        return htmx.redirect(request, f"/admin/accounts/{account.id}")

    async def again(error: DomainError) -> Response:
        return await _account_page(request, account, 422, error=CHOOSE_ROLE)

    return await act_or_rerender(request, act, again)


@requires(Permission.MANAGE_ACCOUNTS)
async def revoke(request: Request) -> Response:
    session = db(request)
    account = _account(request)
    fields = await form_fields(request)

    def act() -> Response:
        grant_id = record_id(fields.get("grant_id"))
        accounts.revoke_role(
            session,
            grant_id,
            account_id=account.id,
            actor_id=user(request).id,
            ip=client_ip(request),
        )
        flash(request, "The role has been revoked.", "success")
        return htmx.redirect(request, f"/admin/accounts/{account.id}")

    async def again(error: DomainError) -> Response:
        return await _account_page(request, account, error.status, error=N_("No such role grant."))

    return await act_or_rerender(request, act, again)


@requires(Permission.MANAGE_ACCOUNTS)
async def set_active(request: Request) -> Response:
    account = _account(request)
    fields = await form_fields(request)

    def act() -> Response:
        active = fields.get("active") == "1"
        accounts.set_active(
            db(request), account, active, by=user(request).id, ip=client_ip(request)
        )
        flash(request, "The account has been updated.", "success")
        return htmx.redirect(request, f"/admin/accounts/{account.id}")

    async def again(error: DomainError) -> Response:
        return await _account_page(request, account, 422, error=error.message)

    return await act_or_rerender(request, act, again)


@requires(Permission.READ_AUDIT)
async def audit_log(request: Request) -> Response:
    """A page of the audit log, newest first, by keyset (participation.audit.
    entries_page: ``after=`` / ``before=`` an entry's id, the filters kept in the
    links); a link of the numbered pages it had (``?page=``) goes to the start."""
    params = request.query_params
    if "page" in params:
        return to_the_start(request)
    action = params.get("action", "").strip()[:64]
    actor = params.get("actor", "").strip()
    actor_id = record_id(actor)
    error = BAD_ACTOR if actor and not actor_id else None
    session = db(request)
    page = audit.entries_page(
        session,
        action=action or None,
        actor_id=actor_id or None,
        after=record_id(params.get("after")),
        before=record_id(params.get("before")),
    )
    filters = urlencode([(k, v) for k, v in (("action", action), ("actor", actor)) if v])
    return render(
        request,
        "admin/office/audit.html",
        {
            "page": page,
            "lines": audit_lines(session, page.items),
            "actions": action_choices(),
            "action": action,
            "actor": actor,
            "error": error,
            "base": f"/admin/audit?{filters}&" if filters else "/admin/audit?",
        },
    )


routes = [
    Route("/admin", dashboard),
    Route("/admin/accounts", account_list),
    Route("/admin/accounts/{account_id:int}", account_detail),
    Route("/admin/accounts/{account_id:int}/grant", grant, methods=["POST"]),
    Route("/admin/accounts/{account_id:int}/revoke", revoke, methods=["POST"]),
    Route("/admin/accounts/{account_id:int}/active", set_active, methods=["POST"]),
    Route("/admin/audit", audit_log),
]
