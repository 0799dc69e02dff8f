"""Staff pages: verifying organizations, and the responsible department's response
with its rectification items."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area, get_area
from participation.errors import N_
from participation.organizations.models import Organization
from participation.organizations.registry import decide_organization, get_org
from participation.rules.permissions import Permission
from web.evaluations.labels import labels
from web.kit import htmx
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import form_fields
from web.kit.templating import flash, render


@requires(Permission.VERIFY_ORGANIZATIONS)
async def organizations(request: Request) -> Response:
    rows = (
        db(request)
        .execute(
            select(Organization, Area)
            .join(Area, Area.id == Organization.area_id)
            .order_by(Organization.status.desc(), Organization.id)
        )
        .all()
    )
    return render(request, "organizations/office/list.html", {"rows": rows, "L": labels()})


@requires(Permission.VERIFY_ORGANIZATIONS)
async def decide(request: Request) -> Response:
    session = db(request)
    org = get_org(session, request.path_params["org_id"])
    authorize(request, Permission.VERIFY_ORGANIZATIONS, get_area(session, org.area_id).path)
    fields = await form_fields(request)
    decide_organization(
        session,
        org,
        verified=fields.get("decision") == "verify",
        staff_id=user(request).id,
        now=now(request),
    )
    flash(request, N_("Decision recorded."), "success")
    return htmx.redirect(request, "/admin/organizations")


routes = [
    Route("/admin/organizations", organizations),
    Route("/admin/organizations/{org_id:int}/decide", decide, methods=["POST"]),
]
