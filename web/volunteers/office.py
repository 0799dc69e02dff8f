"""Back office for volunteering: teams, certificates, hours reports, and the
star-level schemes per area (a district's or city's volunteer federation sets
the hours for each level and the public-notice period)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from participation.rules.reach import reach
from volunteers import certificates, reports, stars, teams
from volunteers.rules.stars import DEFAULT_SCHEME
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import requires, user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.i18n import gettext
from web.kit.pagination import MAX_PAGE, Page, page_number
from web.kit.refusals import act_or_rerender
from web.kit.tabular import csv_response, xlsx_response
from web.kit.templating import flash, render
from web.volunteers.shared import (
    STAR_LEVEL_NAMES,
    hours_text,
    id_key,
    labels,
    may_certify,
    may_manage_certificate,
)

#: Teams listed per page of the office overview.
TEAMS_PAGE = 50
#: Certificates the overview shows (the newest), and a page of the list of all.
CERTIFICATES_SHOWN = 20
CERTIFICATES_PAGE = 20


def _reach(request: Request) -> list[str] | None:
    """The area paths where the signed-in person manages volunteers (None: the whole
    city): every list and report of these pages shows only the teams within them."""
    return reach(user(request).grants, Permission.MANAGE_VOLUNTEERS)


def _manages(request: Request) -> Callable[[Area], bool]:
    """Whether the signed-in person manages volunteers in an area: the areas offered
    in the area fields (a new team's, a star scheme's)."""
    me = user(request)
    return lambda area: me.can(Permission.MANAGE_VOLUNTEERS, area.path)


async def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    within = _reach(request)
    # The most hours' teams and areas and the latest months, bounded in SQL; the CSV
    # and XLSX hold every row.
    report = reports.hours_overview(session, within)
    found, number, total = teams.teams_page(session, page_number(request), TEAMS_PAGE, within)
    teams_page = Page(found, number, TEAMS_PAGE, total)
    # One more than shown, to know whether to link to the list of all.
    newest = certificates.manageable(session, within, CERTIFICATES_SHOWN + 1)
    context = {
        "teams": teams_page,
        # Only the areas this person manages volunteers in, a level at a time in a city.
        "area_step": area_choice(session, request, extra.get("form"), allowed=_manages(request)),
        "certificates": newest[:CERTIFICATES_SHOWN],
        "more_certificates": len(newest) > CERTIFICATES_SHOWN,
        "report": report,
        "peak": max([v for _, v in report.by_team + report.by_month] or [1]),
        "hours_text": hours_text,
        "L": labels(),
        "error": None,
        "revoking": None,
        "revoke_error": None,
    } | extra
    return render(request, "volunteers/office/index.html", context, status=status)


@requires(Permission.MANAGE_VOLUNTEERS)
async def overview(request: Request) -> Response:
    return await _page(request)


def _chosen_area(request: Request, form: FormReader, message: str) -> Area:
    """The area picked in ``form``, which the signed-in person must manage
    volunteers in; a DomainError marking the field when none is picked (422) or
    when it is someone else's (403)."""
    area = teams.chosen_area(db(request), form.record("area_id"))
    if area is None:
        raise DomainError(
            "area.none", N_("Please correct the marked fields."), fields={"area_id": message}
        )
    if not _manages(request)(area):
        raise DomainError(
            "area.not_managed",
            N_("Please correct the marked fields."),
            fields={"area_id": N_("You do not manage volunteering in this area.")},
            status=403,
        )
    return area


@requires(Permission.MANAGE_VOLUNTEERS)
async def create_team(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def act() -> Response:
        area = _chosen_area(request, FormReader(fields), N_("Choose an area."))
        team = teams.create_team(
            session,
            area=area,
            name=fields.get("name", ""),
            kind=fields.get("kind", ""),
            join_mode=fields.get("join_mode", ""),
            description=fields.get("description", ""),
        )
        if fields.get("leader"):
            leader = teams.account_named(
                session, fields["leader"], code="team.no_leader", field="leader"
            )
            teams.invite(session, team, leader, user(request).id)
            teams.join(session, team, leader.id)
            teams.set_role(session, team, leader.id, "leader", user(request).id)
        flash(request, N_("The team is created."), "success")
        return htmx.redirect(request, f"/volunteers/teams/{team.id}")

    async def refused(error: DomainError) -> Response:
        return await _page(
            request, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, refused)


@requires(Permission.MANAGE_VOLUNTEERS)
async def issue_certificate(request: Request) -> Response:
    session = db(request)
    me = user(request)
    fields = await form_fields(request)

    def act() -> Response:
        account = teams.account_named(
            session, fields.get("login", ""), code="certificate.no_person"
        )
        if not may_certify(request, account.id):
            raise DomainError(
                "certificate.elsewhere",
                N_(
                    "This person served in teams outside your area: a worker whose "
                    "area covers all of them issues the certificate."
                ),
                status=403,
            )
        cert = certificates.issue(
            session,
            account.id,
            id_number=fields.get("id_number", ""),
            issuer=fields.get("issuer", ""),
            actor_id=me.id,
            id_key=id_key(request),
            now=now(request),
        )
        flash(request, N_("The certificate is issued."), "success")
        return htmx.redirect(request, f"/volunteers/verify/{cert.number}")

    async def refused(error: DomainError) -> Response:
        return await _page(
            request, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, refused)


def _certificates_page(request: Request, number: int, status: int = 200, **extra: Any) -> Response:
    """Every certificate the signed-in person manages, newest first, a page at a time."""
    found, number, total = certificates.manageable_page(
        db(request), _reach(request), number, CERTIFICATES_PAGE
    )
    context = {
        "certificates": Page(found, number, CERTIFICATES_PAGE, total),
        "hours_text": hours_text,
        "error": None,
        "revoking": None,
        "revoke_error": None,
    } | extra
    return render(request, "volunteers/office/certificates.html", context, status=status)


@requires(Permission.MANAGE_VOLUNTEERS)
async def certificates_list(request: Request) -> Response:
    return _certificates_page(request, page_number(request))


@requires(Permission.MANAGE_VOLUNTEERS)
async def revoke_certificate(request: Request) -> Response:
    fields = await form_fields(request)
    number = request.path_params["number"]
    # Sent by the list of all certificates (its page), not by the overview: each
    # answer goes back to the page the form was on.
    listed = FormReader(fields).number("page", low=1, high=MAX_PAGE)
    back = (
        "/admin/volunteers" if listed is None else f"/admin/volunteers/certificates?page={listed}"
    )

    def act() -> Response:
        cert = certificates.by_number(db(request), number)
        if not may_manage_certificate(request, cert):
            raise DomainError(
                "certificate.elsewhere",
                N_(
                    "This certificate counts hours served in teams outside your area: a "
                    "worker whose area covers all of them revokes it."
                ),
                status=403,
            )
        certificates.revoke(
            db(request), cert.number, fields.get("reason", ""), user(request).id, now(request)
        )
        flash(request, N_("The certificate is revoked."), "success")
        return htmx.redirect(request, back)

    async def refused(error: DomainError) -> Response:
        # The list again, the message at this certificate's form when it is about
        # the reason, else at the top.
        reason = error.fields.get("reason")
        shown = {
            "error": None if reason else error.message,
            "revoking": number.strip().upper(),
            "revoke_error": reason,
        }
        if listed is not None:
            return _certificates_page(request, listed, error.status, **shown)
        return await _page(request, error.status, **shown)

    return await act_or_rerender(request, act, refused)


def _report_rows(request: Request) -> tuple[list[str], list[list[object]]]:
    report = reports.hours_report(db(request), _reach(request))
    header = [
        gettext("Month"),
        gettext("Team"),
        gettext("Area"),
        gettext("Minutes"),
        gettext("Hours"),
    ]
    return header, [[m, t, a, v, round(v / 60, 2)] for m, t, a, v in report.rows]


@requires(Permission.MANAGE_VOLUNTEERS)
async def report_csv(request: Request) -> Response:
    header, rows = _report_rows(request)
    return csv_response("volunteer-hours", header, rows)


@requires(Permission.MANAGE_VOLUNTEERS)
async def report_xlsx(request: Request) -> Response:
    header, rows = _report_rows(request)
    return xlsx_response("volunteer-hours", header, rows, sheet="hours")


def _stars_page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    context = {
        # Only the areas this person manages volunteers in, a level at a time in a city.
        "area_step": area_choice(session, request, extra.get("form"), allowed=_manages(request)),
        "in_force": stars.areas_with_schemes(session, now(request)),
        "history": stars.history(session, within=_reach(request)),
        "default": DEFAULT_SCHEME,
        "level_names": STAR_LEVEL_NAMES,
        "error": None,
    } | extra
    return render(request, "volunteers/office/stars.html", context, status=status)


@requires(Permission.MANAGE_VOLUNTEERS)
async def stars_page(request: Request) -> Response:
    return _stars_page(request)


@requires(Permission.MANAGE_VOLUNTEERS)
async def set_scheme(request: Request) -> Response:
    fields = await form_fields(request)

    def act() -> Response:
        area = _chosen_area(request, FormReader(fields), N_("Choose an area."))
        stars.set_scheme(
            db(request),
            area,
            fields.get("hours", ""),
            fields.get("notice_days", ""),
            user(request).id,
            now(request),
            client_ip(request),
        )
        flash(request, N_("The star levels are saved."), "success")
        return htmx.redirect(request, "/admin/volunteers/stars")

    async def refused(error: DomainError) -> Response:
        return _stars_page(
            request, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, refused)


routes = [
    Route("/admin/volunteers", overview),
    Route("/admin/volunteers/teams", create_team, methods=["POST"]),
    Route("/admin/volunteers/certificates", certificates_list),
    Route("/admin/volunteers/certificates", issue_certificate, methods=["POST"]),
    Route("/admin/volunteers/certificates/{number}/revoke", revoke_certificate, methods=["POST"]),
    Route("/admin/volunteers/hours.csv", report_csv),
    Route("/admin/volunteers/hours.xlsx", report_xlsx),
    Route("/admin/volunteers/stars", stars_page),
    Route("/admin/volunteers/stars", set_scheme, methods=["POST"]),
]
