"""Reading request forms: uploads, the person's scope, the labels every page shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request

from participation.requests.intake import NewRequest
from participation.requests.rules.catalog import (
    CATEGORIES,
    CHANNELS,
    CLOSURES,
    RATINGS,
    SCALES,
    STATUSES,
    STEPS,
    UNIT_KINDS,
    URGENCIES,
    VISIT_METHODS,
)
from participation.requests.rules.supervision import STEPS as SUPERVISION_STEPS
from participation.rules.permissions import ROLE_PERMISSIONS, Permission
from web.kit.auth import CurrentUser
from web.kit.forms import FormReader, parsed_form

LABELS: dict[str, Any] = {
    "categories": CATEGORIES,
    "channels": CHANNELS,
    "scales": SCALES,
    "urgencies": URGENCIES,
    "statuses": STATUSES,
    "closures": CLOSURES,
    "ratings": RATINGS,
    "visit_methods": VISIT_METHODS,
    "steps": STEPS | SUPERVISION_STEPS,
    "unit_kinds": UNIT_KINDS,
}


async def images(request: Request, name: str = "photos") -> list[bytes]:
    """The bytes of every file chosen in the ``name`` input (none chosen: empty)."""
    form = await parsed_form(request)
    found = [v for v in form.getlist(name) if isinstance(v, UploadFile) and v.filename]
    return [await f.read() for f in found]


def paths_for(me: CurrentUser, permission: Permission) -> list[str] | None:
    """The area paths where ``me`` holds ``permission`` (None: everywhere)."""
    paths = []
    for grant in me.grants:
        if permission in ROLE_PERMISSIONS[grant.role]:
            if grant.area_path is None:
                return None
            paths.append(grant.area_path)
    return paths


def read_request(fields: dict[str, str], *, channel: str) -> tuple[NewRequest, FormReader]:
    form = FormReader(fields)
    new = NewRequest(
        category=fields.get("category", ""),
        description=form.text("description", max_length=100_000),
        area_id=form.record("area_id"),
        channel=channel,
        address=form.text("address", max_length=10_000),
        public=fields.get("public") == "1",
        scale=fields.get("scale") or "individual",
        urgency=fields.get("urgency") or "normal",
        requester_name=form.text("requester_name", max_length=10_000),
        requester_phone=form.text("requester_phone", max_length=10_000),
    )
    return new, form


def pager_base(request: Request) -> str:
    """The page's own address with its query but ``page``, ready for ``page=N``
    (the pager macro of _macros.html keeps the other filters)."""
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    return f"{request.url.path}?{kept}&" if kept else f"{request.url.path}?"
