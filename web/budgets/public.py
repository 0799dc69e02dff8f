"""Public pages of community budget rounds: rounds, proposing, support, comments, results."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.areas import get_area
from participation.ballots.boxes import get_box
from participation.budgets import services as budgets
from participation.budgets.models import BudgetRound
from participation.budgets.rules import (
    BUDGET_RULE_LABELS,
    ROUND_PHASE_LABELS,
    ROUND_PHASES,
    compare_outcomes,
)
from participation.errors import N_, DomainError
from participation.plan.intake import item_for_source
from participation.plan.sources import STATUS_LABELS, SourceKind
from web.budgets.forms import read_proposal
from web.kit import htmx
from web.kit.auth import current_user_or_none, user
from web.kit.charts import bar_chart
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.follow import follow_button
from web.kit.forms import form_fields, upload
from web.kit.pagination import Page, page_number
from web.kit.refusals import act_or_rerender, draft_refused
from web.kit.templating import flash, render

TEMPLATE_GLOBALS = {
    "phase_labels": ROUND_PHASE_LABELS,
    "phases": ROUND_PHASES,
    "rule_labels": BUDGET_RULE_LABELS,
}


async def round_list(request: Request) -> Response:
    session = db(request)
    rows = budgets.rounds_with_areas(session)
    current = [(r, a) for r, a in rows if r.phase in ("proposal", "screening", "voting")]
    past = [(r, a) for r, a in rows if (r, a) not in current]
    return render(
        request, "budgets/list.html", {"current": current, "past": past} | TEMPLATE_GLOBALS
    )


#: Proposals per page of a round, comments per page of a proposal.
PROPOSALS_PER_PAGE = 50
COMMENTS_PER_PAGE = 50


def _round_context(request: Request, budget_round: BudgetRound) -> dict[str, Any]:
    session = db(request)
    box = get_box(session, budget_round.box_id) if budget_round.box_id else None
    return {
        "round": budget_round,
        "area": get_area(session, budget_round.area_id),
        "box": box,
        "voting_open": bool(box and box.is_open(now(request))),
        "follow": follow_button(request, "budget_round", budget_round.id),
    } | TEMPLATE_GLOBALS


def _paged(items: list[Any], number: int, per_page: int, total: int) -> Page[Any]:
    """A page of ``total`` items, its number kept within the pages there are."""
    return Page(items, min(number, max(1, -(-total // per_page))), per_page, total)


async def round_page(request: Request) -> Response:
    """The round, and its proposals a page at a time (one statement for the page)."""
    budget_round = budgets.get_round(db(request), request.path_params["round_id"])
    number = page_number(request)
    found = budgets.proposals_page(db(request), budget_round, number, PROPOSALS_PER_PAGE)
    context = _round_context(request, budget_round) | {
        "proposals": found.views,
        "pages": _paged(found.views, number, PROPOSALS_PER_PAGE, found.total),
        "pager_url": f"/budgets/{budget_round.id}?",
    }
    return render(request, "budgets/round.html", context)


async def propose(request: Request) -> Response:
    me = user(request)  # sign-in first: anonymous people are sent to sign in
    session = db(request)
    budget_round = budgets.get_round(session, request.path_params["round_id"])
    context = _round_context(request, budget_round)
    if request.method == "GET":
        return render(request, "budgets/propose.html", context)
    fields = await form_fields(request)
    draft, problems = read_proposal(fields)
    photo_file = await upload(request, "photo")
    photo = await photo_file.read() if photo_file is not None else None

    def act() -> Response:
        if draft is None:
            raise DomainError("proposal.invalid", N_("Please correct the marked fields."))
        proposal = budgets.submit_proposal(session, budget_round, me.id, draft, photo)
        flash(request, "Thank you. Your proposal has been submitted for screening.", "success")
        return htmx.redirect(request, f"/budgets/proposals/{proposal.id}")

    async def page(error: DomainError) -> Response:
        return draft_refused(request, "budgets/propose.html", context, fields, problems, error)

    return await act_or_rerender(request, act, page)


async def _proposal_page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    proposal = budgets.get_proposal(session, request.path_params["proposal_id"])
    budget_round = budgets.get_round(session, proposal.round_id)
    view = budgets.proposal_view(session, proposal)
    item = item_for_source(session, SourceKind.COMMUNITY_BUDGET, f"budget_proposal:{proposal.id}")
    me = current_user_or_none(request)
    number = page_number(request)
    comments, total = budgets.comments_page(session, proposal, number, COMMENTS_PER_PAGE)
    context = {
        "round": budget_round,
        "view": view,
        "proposal": proposal,
        "comments": comments,
        "pages": _paged(comments, number, COMMENTS_PER_PAGE, total),
        "pager_url": f"/budgets/proposals/{proposal.id}?",
        "plan_item": item,
        "plan_status": STATUS_LABELS,
        "mine": bool(me and me.id == proposal.author_id),
    } | TEMPLATE_GLOBALS
    return render(request, "budgets/proposal.html", context | extra, status=status)


async def proposal_page(request: Request) -> Response:
    return await _proposal_page(request)


async def support(request: Request) -> Response:
    me = user(request)
    session = db(request)
    proposal = budgets.get_proposal(session, request.path_params["proposal_id"])
    budget_round = budgets.get_round(session, proposal.round_id)

    def act() -> Response:
        if budgets.support(session, proposal, me.id, budget_round.phase):
            flash(request, "Thank you for your support.", "success")
        else:
            flash(request, "You already support this proposal.", "info")
        return htmx.redirect(request, f"/budgets/proposals/{proposal.id}")

    async def page(error: DomainError) -> Response:
        return await _proposal_page(request, error.status, error=error.message)

    return await act_or_rerender(request, act, page)


async def comment(request: Request) -> Response:
    me = user(request)
    session = db(request)
    proposal = budgets.get_proposal(session, request.path_params["proposal_id"])
    fields = await form_fields(request)

    def act() -> Response:
        budgets.comment(session, proposal, me.id, fields.get("body", ""))
        flash(request, "Your comment has been posted.", "success")
        # To the page that shows it: the last (comments are listed oldest first).
        _, total = budgets.comments_page(session, proposal, 1, 1)
        last = max(1, -(-total // COMMENTS_PER_PAGE))
        where = f"?page={last}" if last > 1 else ""
        return htmx.redirect(request, f"/budgets/proposals/{proposal.id}{where}#comments")

    async def page(error: DomainError) -> Response:
        return await _proposal_page(
            request, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, page)


async def photo(request: Request) -> Response:
    session = db(request)
    proposal = budgets.get_proposal(session, request.path_params["proposal_id"])
    found = budgets.photo_of(session, proposal)
    if found is None:
        raise DomainError("proposal.no_photo", N_("This proposal has no photo."), status=404)
    return Response(
        found.data,
        media_type=found.content_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


def round_results(request: Request, budget_round: BudgetRound) -> budgets.Results | None:
    """Results with the other rule's recount kept per worker (bulletins never change)."""
    cache = getattr(request.app.state, "budget_results", None)
    if cache is None:
        cache = request.app.state.budget_results = {}
    return budgets.results(db(request), budget_round, cache)


async def results_page(request: Request) -> Response:
    session = db(request)
    # The box is held here, so the results' get_box finds it in the session.
    budget_round, _box = budgets.round_with_box(session, request.path_params["round_id"])
    found = round_results(request, budget_round)
    if found is None:
        raise DomainError("round.no_results", N_("The results are not published yet."), status=404)
    rows, spent, spent_other = compare_outcomes(found.tally, found.other)
    plan_items = budgets.plan_items_of(session, [row.key for row in rows if row.funded])
    chart = bar_chart(
        [(r.title, r.votes, r.funded) for r in rows],
        title=N_("Votes per project"),
        value_label=N_("Votes"),
    )
    return render(
        request,
        "budgets/results.html",
        {
            "round": budget_round,
            "tally": found.tally,
            "rows": rows,
            "spent": spent,
            "spent_other": spent_other,
            "other_rule": found.other_rule,
            "differs": any(r.differs for r in rows),
            "chart": chart,
            "plan_items": plan_items,
            "plan_status": STATUS_LABELS,
        }
        | TEMPLATE_GLOBALS,
    )


routes = [
    Route("/budgets", round_list),
    Route("/budgets/{round_id:int}", round_page),
    Route("/budgets/{round_id:int}/propose", propose, methods=["GET", "POST"]),
    Route("/budgets/{round_id:int}/results", results_page),
    Route("/budgets/proposals/{proposal_id:int}", proposal_page),
    Route("/budgets/proposals/{proposal_id:int}/support", support, methods=["POST"]),
    Route("/budgets/proposals/{proposal_id:int}/comment", comment, methods=["POST"]),
    Route("/budgets/proposals/{proposal_id:int}/photo", photo),
]
