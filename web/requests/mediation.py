"""Mediation (矛盾纠纷调解) pages: staff class a request as a dispute and give it to a
mediation body; the body names the mediator; the mediator records sessions, the
agreement, the parties' confirmations at the desk, or a referral. A party signed in
reads the agreement and confirms it for themself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import Area
from participation.errors import N_, DomainError
from participation.requests import mediation
from participation.requests.mediation import MediationCase, NewCase, NewSession
from participation.requests.models import ResidentRequest
from participation.requests.records import get_request
from participation.requests.rules import mediation as rules
from participation.requests.rules.mediation import Who
from participation.requests.standing import Standing
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import CurrentUser, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, record_id
from web.kit.pagination import Page, page_number, to_the_start
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render
from web.requests import acting
from web.requests.forms import LABELS, paths_for

#: Sessions shown per page of a case, newest first.
SESSIONS_PER_PAGE = 20

MEDIATION_LABELS: dict[str, Any] = {
    "case_statuses": rules.STATUSES,
    "sides": rules.PARTIES,
    "ways": rules.WAYS,
    "desk_ways": rules.DESK_WAYS,
    "referrals": rules.REFERRALS,
}


def _body_staff(me: CurrentUser, body_id: int, session: Any) -> bool:
    return acting.acts_for(session, me, body_id)


def staff_roles(
    request: Request, found: ResidentRequest, case: MediationCase | None
) -> frozenset[Who]:
    """How the signed-in person stands to this request's mediation, from where they
    stand with the request (the mediator is decided by the service from the case
    itself); before there is a case, as routing staff or the lead unit only."""
    return _who(acting.standing(request, found), case)


def _who(seen: Standing, case: MediationCase | None) -> frozenset[Who]:
    return seen.roles if case is not None else seen.roles & {Who.ROUTER, Who.LEAD}


def office_panel(
    request: Request, found: ResidentRequest, seen: Standing, place: Area | None
) -> dict[str, Any]:
    """What the back office's request page shows of mediation (its own context keys):
    the case, or the bodies near ``place`` to open one with when ``seen`` may."""
    session = db(request)
    case = mediation.case_of(session, found.id)
    who = _who(seen, case)
    may_open = (
        case is None
        and found.status in ("unrouted", "routed", "accepted")
        and bool(who & rules.WHO[rules.Act.OPEN])
    )
    return {
        "mediation_case": case,
        "mediation_may_open": may_open,
        "mediation_bodies": mediation.bodies_near(session, place, found.unit_id)
        if may_open and place is not None
        else [],
        "mediation_needs_reason": rules.needs_classing(found.category),
        "case_statuses": rules.STATUSES,
    }


def follow_panel(request: Request, found: ResidentRequest) -> dict[str, Any]:
    """What the requester's pages show: the case's state, no one's details."""
    case = mediation.case_of(db(request), found.id)
    return {"mediation_case": case, "case_statuses": rules.STATUSES}


def _case_context(request: Request, found: ResidentRequest) -> dict[str, Any]:
    """The office's page of a case in a fixed number of statements however many
    sessions it has: one page of them, newest first (``?page=N``)."""
    session = db(request)
    case = mediation.case_of(session, found.id)
    if case is None:
        raise DomainError("mediation.not_found", N_("No such mediation case."), status=404)
    who = staff_roles(request, found, case)
    if not who:
        raise DomainError("mediation.not_yours", rules.NOT_ALLOWED, status=403)
    shown = mediation.view(session, case)
    sessions, total, number = mediation.sessions_page(
        session, case.id, page=page_number(request), per_page=SESSIONS_PER_PAGE
    )
    return (
        LABELS
        | MEDIATION_LABELS
        | {
            "r": found,
            "v": shown,
            "sessions": Page(sessions, number, SESSIONS_PER_PAGE, total),
            # The page's own address: a refused action re-renders it from its POST.
            "pager_base": f"/admin/requests/{found.id}/mediation?",
            "acts": rules.next_acts(case.status, who),
            "mediator_choices": mediation.mediators(session, shown.body),
            "today": now(request).date().isoformat(),
            "form": {},
            "errors": {},
        }
    )


@requires(Permission.HANDLE_REQUESTS)
async def case_page(request: Request) -> Response:
    found = get_request(db(request), request.path_params["request_id"])
    return render(request, "requests/mediation/case.html", _case_context(request, found))


Act = Callable[[ResidentRequest, MediationCase, frozenset[Who], dict[str, str]], str]


async def _act(request: Request, act: Act) -> Response:
    session = db(request)
    found = get_request(session, request.path_params["request_id"])
    fields = await form_fields(request)

    def run() -> Response:
        case = mediation.case_of(session, found.id)
        if case is None:
            raise DomainError("mediation.not_found", N_("No such mediation case."), status=404)
        message = act(found, case, staff_roles(request, found, case), fields)
        flash(request, message, "success")
        return htmx.redirect(request, f"/admin/requests/{found.id}/mediation")

    async def page(error: DomainError) -> Response:
        if error.status == 404:
            raise error
        again = get_request(session, found.id)
        context = _case_context(request, again)
        return render(
            request,
            "requests/mediation/case.html",
            context | {"form": fields, "errors": error.fields, "error": error.message},
            status=error.status,
        )

    return await act_or_rerender(request, run, page)


@requires(Permission.HANDLE_REQUESTS)
async def open_case(request: Request) -> Response:
    """Class the request as a dispute and open its case (from the request page)."""
    session = db(request)
    found = get_request(session, request.path_params["request_id"])
    me = user(request)
    acting.require_sight(request, found)
    fields = await form_fields(request)

    def run() -> Response:
        form = FormReader(fields)
        body_id = form.record("body", required=True)
        mediator_id = form.record("mediator_id")
        form.check()
        body = mediation.body(session, body_id)
        if body is None:
            message = N_("Choose a mediation body.")
            raise DomainError("mediation.form", message, fields={"body": message})
        who = staff_roles(request, found, None)
        if _body_staff(me, body.id, session):
            who |= {Who.BODY}
        new = NewCase(
            requester_name=fields.get("requester_name", "")[:1000],
            requester_contact=fields.get("requester_contact", "")[:1000],
            other_name=fields.get("other_name", "")[:1000],
            other_contact=fields.get("other_contact", "")[:1000],
            reason=fields.get("reason", "")[:5000],
            mediator_id=mediator_id,
        )
        mediation.open_case(session, found, body, new, now(request), me.id, who)
        flash(request, N_("The mediation case is opened."), "success")
        if _body_staff(me, body.id, session):
            return htmx.redirect(request, f"/admin/requests/{found.id}/mediation")
        return htmx.redirect(request, f"/admin/requests/{found.id}")

    async def page(error: DomainError) -> Response:
        from web.requests.office import refused_detail  # office imports this module

        return refused_detail(request, found.id, fields, error)

    return await act_or_rerender(request, run, page)


@requires(Permission.HANDLE_REQUESTS)
async def assign(request: Request) -> Response:
    def act(
        found: ResidentRequest, case: MediationCase, who: frozenset[Who], f: dict[str, str]
    ) -> str:
        form = FormReader(f)
        chosen = form.record("mediator_id", required=True)
        form.check()
        mediation.assign(db(request), case, chosen, now(request), user(request).id, who)
        return N_("The mediator is assigned.")

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def add_session(request: Request) -> Response:
    def act(
        found: ResidentRequest, case: MediationCase, who: frozenset[Who], f: dict[str, str]
    ) -> str:
        form = FormReader(f)
        on = form.day("held_on", required=True)
        place = form.text("place", max_length=10_000)
        notes = form.text("notes", max_length=100_000)
        form.check()
        held = f.get("held", "1") != "0"
        new = NewSession(
            on, held, place, f.get("requester_present") == "1", f.get("other_present") == "1", notes
        )
        mediation.add_session(db(request), case, new, now(request), user(request).id, who)
        return N_("The session is recorded.")

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def agreement(request: Request) -> Response:
    def act(
        found: ResidentRequest, case: MediationCase, who: frozenset[Who], f: dict[str, str]
    ) -> str:
        mediation.record_agreement(
            db(request), case, f.get("agreement", "")[:100_000], now(request), user(request).id, who
        )
        return N_("The agreement is recorded; both parties are asked to confirm it.")

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def desk_confirm(request: Request) -> Response:
    def act(
        found: ResidentRequest, case: MediationCase, who: frozenset[Who], f: dict[str, str]
    ) -> str:
        settled = mediation.confirm_at_desk(
            db(request),
            case,
            f.get("side", ""),
            f.get("way", ""),
            now(request),
            user(request).id,
            who,
        )
        return (
            N_("Both parties confirmed: the request is closed.")
            if settled
            else N_("The confirmation is recorded.")
        )

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def refer(request: Request) -> Response:
    def act(
        found: ResidentRequest, case: MediationCase, who: frozenset[Who], f: dict[str, str]
    ) -> str:
        mediation.refer(
            db(request),
            case,
            f.get("referral", ""),
            f.get("reason", "")[:100_000],
            now(request),
            user(request).id,
            who,
        )
        return N_("The matter is referred; the request is closed.")

    return await _act(request, act)


@requires(Permission.HANDLE_REQUESTS)
async def cases(request: Request) -> Response:
    """The cases of the mediation bodies ``me`` works for, newest first, by keyset
    (participation.requests.mediation.office_cases: ``after=`` / ``before=`` a
    case's id); a link of the numbered pages it had (``?page=``) goes to the start."""
    params = request.query_params
    if "page" in params:
        return to_the_start(request)
    me = user(request)
    page = mediation.office_cases(
        db(request),
        me.id,
        paths_for(me, Permission.HANDLE_REQUESTS),
        after=record_id(params.get("after")),
        before=record_id(params.get("before")),
    )
    context = LABELS | MEDIATION_LABELS | {"rows": page.items, "page": page}
    return render(request, "requests/mediation/cases.html", context)


# --- the parties' side -----------------------------------------------------------------


def _party_context(request: Request) -> dict[str, Any]:
    """A party's own view of the case; anyone else sees no case at all."""
    session = db(request)
    me = user(request)
    case = session.get(MediationCase, request.path_params["case_id"])
    shown = mediation.view(session, case) if case is not None else None
    sides = [s for s, p in shown.parties.items() if p.account_id == me.id] if shown else []
    if shown is None or not sides:
        raise DomainError("mediation.not_found", N_("No such mediation case."), status=404)
    found = get_request(session, shown.case.request_id)
    return LABELS | MEDIATION_LABELS | {"v": shown, "r": found, "my_sides": sides}


async def party_page(request: Request) -> Response:
    user(request)
    return render(request, "requests/mediation/party.html", _party_context(request))


async def party_confirm(request: Request) -> Response:
    me = user(request)
    session = db(request)
    fields = await form_fields(request)
    context = _party_context(request)

    def run() -> Response:
        case = context["v"].case
        settled = mediation.confirm_online(
            session, case, fields.get("side", ""), now(request), me.id
        )
        flash(
            request,
            N_("Both parties confirmed: the request is closed.")
            if settled
            else N_("Thank you: your confirmation is recorded."),
            "success",
        )
        return htmx.redirect(request, f"/requests/mediation/{case.id}")

    async def page(error: DomainError) -> Response:
        return render(
            request,
            "requests/mediation/party.html",
            _party_context(request) | {"error": error.message},
            status=error.status,
        )

    return await act_or_rerender(request, run, page)


async def my_cases(request: Request) -> Response:
    me = user(request)
    rows = mediation.cases_of_party(db(request), me.id)
    return render(request, "requests/mediation/mine.html", MEDIATION_LABELS | {"rows": rows})


routes = [
    Route("/admin/requests/mediation", cases),
    Route("/admin/requests/{request_id:int}/mediation", case_page),
    Route("/admin/requests/{request_id:int}/mediation/open", open_case, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/mediation/mediator", assign, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/mediation/sessions", add_session, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/mediation/agreement", agreement, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/mediation/confirm", desk_confirm, methods=["POST"]),
    Route("/admin/requests/{request_id:int}/mediation/refer", refer, methods=["POST"]),
    Route("/requests/mediation", my_cases),
    Route("/requests/mediation/{case_id:int}", party_page),
    Route("/requests/mediation/{case_id:int}/confirm", party_confirm, methods=["POST"]),
]
