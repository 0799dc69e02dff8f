"""Staff pages: verifying organizations, and the responsible department's response
with its rectification items."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.organizations.registry import (
    decide_organization,
    get_org,
    page_of_organizations,
)
from participation.rules.permissions import Permission
from web.evaluations.labels import labels
from web.kit import htmx
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.pagination import Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

#: Organizations a page of the back office's list.
ORGS_PER_PAGE = 50


async def _list_page(request: Request, **extra: Any) -> Response:
    rows, total, number = page_of_organizations(
        db(request), page=page_number(request), per_page=ORGS_PER_PAGE
    )
    context = {
        "rows": rows,
        "page": Page(rows, number, ORGS_PER_PAGE, total),
        "pager_base": "/admin/organizations?",
        "L": labels(),
    } | extra
    return render(request, "organizations/office/list.html", context)


@requires(Permission.VERIFY_ORGANIZATIONS)
async def organizations(request: Request) -> Response:
    return await _list_page(request)


#: A staff member either verifies an organization or rejects it; nothing else decides.
DECISIONS = ("verify", "reject")


@requires(Permission.VERIFY_ORGANIZATIONS)
async def decide(request: Request) -> Response:
    session = db(request)
    org = get_org(session, request.path_params["org_id"])
    authorize(request, Permission.VERIFY_ORGANIZATIONS, get_area(session, org.area_id).path)
    fields = await form_fields(request)

    def act() -> Response:
        reader = FormReader(fields)
        decision = reader.choice("decision", DECISIONS)
        reader.check("org.decision")
        decide_organization(
            session,
            org,
            verified=decision == "verify",
            staff_id=user(request).id,
            now=now(request),
        )
        flash(request, N_("Decision recorded."), "success")
        return htmx.redirect(request, "/admin/organizations")

    async def again(error: DomainError) -> Response:
        return await _list_page(request, error=error.message)

    return await act_or_rerender(request, act, again)


routes = [
    Route("/admin/organizations", organizations),
    Route("/admin/organizations/{org_id:int}/decide", decide, methods=["POST"]),
]
