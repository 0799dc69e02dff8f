"""Back office: areas, accounts and roles, the audit log."""

from __future__ import annotations

from sqlalchemy import or_, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import accounts, audit
from participation.accounts import Account
from participation.areas import area_tree, get_area
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission, Role
from web.admin.audit_names import ACTION_LABELS, name_entries
from web.kit import htmx
from web.kit.audit_log import log_action
from web.kit.auth import requires, user
from web.kit.dbsession import db
from web.kit.forms import form_fields, record_id
from web.kit.pagination import Page, page_number
from web.kit.templating import flash, render


@requires(Permission.BACKOFFICE)
async def dashboard(request: Request) -> Response:
    return render(request, "admin/office/dashboard.html")


@requires(Permission.MANAGE_ACCOUNTS)
async def account_list(request: Request) -> Response:
    session = db(request)
    q = request.query_params.get("q", "").strip()
    query = select(Account).order_by(Account.id)
    if q:
        like = f"%{q}%"
        query = query.where(
            or_(
                Account.display_name.like(like),
                Account.username.like(like),
                Account.phone.like(like),
            )
        )
    found = session.scalars(query).all()
    page = Page.of(found, page_number(request))
    return render(request, "admin/office/accounts.html", {"page": page, "q": q})


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
            "areas": area_tree(session),
        }
        | extra,
        status=status,
    )


def _account(request: Request) -> Account:
    account = db(request).get(Account, request.path_params["account_id"])
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
    try:
        role = Role(fields.get("role", ""))
        area_id = fields.get("area_id")
        area = get_area(session, record_id(area_id)) if area_id else None
    except (ValueError, DomainError):
        return await _account_page(request, account, 422, error=N_("Choose a role and an area."))
    me = user(request)
    accounts.grant_role(session, account, role, area, granted_by=me.account)
    log_action(
        request,
        "role.grant",
        f"account:{account.id}",
        role=role.value,
        area=area.code if area else None,
    )
    flash(request, "The role has been granted.", "success")
    return htmx.redirect(request, f"/admin/accounts/{account.id}")


@requires(Permission.MANAGE_ACCOUNTS)
async def revoke(request: Request) -> Response:
    session = db(request)
    account = _account(request)
    fields = await form_fields(request)
    try:
        grant_id = record_id(fields.get("grant_id"))
        removed = accounts.revoke_role(session, grant_id)
    except (ValueError, DomainError):
        return await _account_page(request, account, 422, error=N_("No such role grant."))
    if removed.account_id != account.id:
        raise HTTPException(404)
    log_action(
        request, "role.revoke", f"account:{account.id}", role=removed.role, area_id=removed.area_id
    )
    flash(request, "The role has been revoked.", "success")
    return htmx.redirect(request, f"/admin/accounts/{account.id}")


@requires(Permission.MANAGE_ACCOUNTS)
async def set_active(request: Request) -> Response:
    account = _account(request)
    fields = await form_fields(request)
    me = user(request)
    if account.id == me.id:
        return await _account_page(
            request, account, 422, error=N_("You cannot disable your own account.")
        )
    account.is_active = fields.get("active") == "1"
    account.session_epoch += 1  # signs the person out everywhere
    log_action(request, "account.active", f"account:{account.id}", active=account.is_active)
    flash(request, "The account has been updated.", "success")
    return htmx.redirect(request, f"/admin/accounts/{account.id}")


@requires(Permission.READ_AUDIT)
async def audit_log(request: Request) -> Response:
    session = db(request)
    action = request.query_params.get("action", "").strip() or None
    actor = request.query_params.get("actor", "").strip()
    actor_id = record_id(actor) or None
    number = page_number(request)
    rows = audit.entries(
        session, action=action, actor_id=actor_id, limit=51, offset=(number - 1) * 50
    )
    named = name_entries(session, rows[:50])
    return render(
        request,
        "admin/office/audit.html",
        {
            "rows": rows[:50],
            "has_next": len(rows) > 50,
            "number": number,
            "actors": named.actors,
            "targets": named.targets,
            "action_labels": ACTION_LABELS,
            "action": action or "",
            "actor": actor,
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
