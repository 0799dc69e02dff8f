"""Members of handling units in the back office: routing staff of a unit's area add
and remove the people who act for it (participation.requests.membership)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area
from participation.departments import Department
from participation.errors import N_, DomainError
from participation.requests import membership, places, units
from participation.requests.models import HandlingUnit
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import CurrentUser, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, record_id
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.requests import acting
from web.requests.forms import LABELS

PAGE = "/admin/requests/members"


def _named(session: Session, kind: str, ident: int) -> tuple[bool, str | None, str]:
    """(exists, area path, name) of what a routing-choice key names, creating nothing."""
    if kind == "a":
        area = session.get(Area, ident)
        return area is not None, area.path if area else None, area.name if area else ""
    if kind == "d":
        department = session.get(Department, ident)
        area = session.get(Area, department.area_id) if department and department.area_id else None
        return (
            department is not None,
            area.path if area else None,
            (department.name if department else ""),
        )
    if kind == "u":
        exists, path = acting.unit_path(session, ident)
        unit = session.get(HandlingUnit, ident) if exists else None
        return exists, path, unit.name if unit else ""
    return False, None, ""


def _area_path(session: Session, kind: str, ident: int) -> tuple[bool, str | None]:
    """(exists, area path) of what a routing-choice key names, creating nothing."""
    exists, path, _ = _named(session, kind, ident)
    return exists, path


def _split(key: str) -> tuple[str, int]:
    kind, _, raw = (key or "").partition(":")
    return kind, record_id(raw)


def _choices(
    session: Session, me: CurrentUser, at: int | None, chosen: str
) -> tuple[places.UnitChoice, list[tuple[str, str]], str]:
    """The units ``me`` staffs (routing staff of their area) near the area ``at``
    (a city lists a level at a time: ``places.unit_choice``), as (key, label), and
    ``chosen`` when it is one of theirs (else ""), listed even from elsewhere."""
    step = places.unit_choice(session, at, None)
    found = [
        (key, label)
        for key, label in step.choices
        if acting.covers(me, Permission.ROUTE_REQUESTS, step.paths.get(key))
    ]
    if chosen and chosen not in dict(found):
        exists, path, name = _named(session, *_split(chosen))
        if exists and acting.covers(me, Permission.ROUTE_REQUESTS, path):
            found.append((chosen, name))
        else:
            chosen = ""
    return step, found, chosen


def _existing(session: Session, key: str) -> HandlingUnit | None:
    """The unit a key names, if it exists yet (an area's office is made when first
    needed: not by looking)."""
    kind, ident = _split(key)
    return units.existing(session, kind, ident)


def _unit(session: Session, me: CurrentUser, key: str) -> HandlingUnit:
    exists, path = _area_path(session, *_split(key))
    if not exists or not acting.covers(me, Permission.ROUTE_REQUESTS, path):
        message = N_("Choose the unit from the list.")
        raise DomainError("unit.unknown", message, fields={"unit": message})
    return units.resolve(session, key, "unit")


async def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    me = user(request)
    chosen = str(extra.pop("chosen", "") or request.query_params.get("unit", ""))[:40]
    at = record_id(request.query_params.get("unit_area")) or None
    kind, ident = _split(chosen)
    if at is None and kind == "a" and ident:
        at = ident
    step, choices, chosen = _choices(session, me, at, chosen)
    unit = _existing(session, chosen) if chosen else None
    context = LABELS | {
        "unit_choices": choices,
        "unit_place": step,
        "chosen": chosen,
        "chosen_label": dict(choices).get(chosen, "").strip("　"),
        "unit": unit,
        "members": membership.members(session, unit.id) if unit else [],
        "form": {},
        "errors": {},
    }
    return render(request, "requests/members/page.html", context | extra, status=status)


@requires(Permission.ROUTE_REQUESTS)
async def page(request: Request) -> Response:
    return await _page(request)


@requires(Permission.ROUTE_REQUESTS)
async def add(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        unit = _unit(session, user(request), fields.get("unit", ""))
        membership.add_member(
            session, unit, fields.get("login", ""), now(request), user(request).id
        )
        flash(
            request, N_("The member is added: only the unit's members act for it now."), "success"
        )
        return htmx.redirect(request, f"{PAGE}?unit={quote(fields.get('unit', '')[:40])}")

    async def again(error: DomainError) -> Response:
        return await _page(
            request,
            error.status,
            chosen=fields.get("unit", ""),
            form=fields,
            errors=error.fields,
            error=error.message,
        )

    return await act_or_rerender(request, act, again)


@requires(Permission.ROUTE_REQUESTS)
async def remove(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        account_id = form.record("account", required=True)
        form.check()
        unit = _unit(session, user(request), fields.get("unit", ""))
        membership.remove_member(session, unit, account_id, user(request).id)
        flash(request, N_("The member is removed."), "success")
        return htmx.redirect(request, f"{PAGE}?unit={quote(fields.get('unit', '')[:40])}")

    async def again(error: DomainError) -> Response:
        return await _page(
            request,
            error.status,
            chosen=fields.get("unit", ""),
            errors=error.fields,
            error=error.message,
        )

    return await act_or_rerender(request, act, again)


routes = [
    Route(PAGE, page),
    Route(PAGE, add, methods=["POST"]),
    Route(f"{PAGE}/remove", remove, methods=["POST"]),
]
