"""Public consultation pages: topics and co-signing, the consultation page with its
deliberation, opinion map, result, public notice and follow-up."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import weasyprint
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations import (
    decisions,
    deliberation,
    listing,
    meetings,
    opinion_maps,
    representatives,
    topics,
)
from consultations.models import Consultation
from consultations.page import PageHead, consultation_with_area, page_head
from consultations.rules.journey import Stage, StageFacts, stage
from consultations.rules.opinion_json import unpack
from consultations.rules.standing import Refusal
from consultations.standing import REFUSALS, standing_of
from participation.areas import area_step, get_area
from participation.ballots.boxes import get_box
from participation.errors import N_, DomainError
from participation.plan.sources import STATUS_LABELS as PLAN_STATUS_LABELS
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import current_user_or_none, refuse_assisted, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.follow import follow_button
from web.kit.forms import form_fields, record_id, whole_number
from web.kit.i18n import current_locale, template_gettext
from web.kit.pagination import MAX_PAGE, to_the_start
from web.kit.refusals import act_or_rerender
from web.kit.templating import base_context, flash, render

STAGE_LABELS = {
    Stage.ANNOUNCED: N_("Announced"),
    Stage.DELIBERATING: N_("Under deliberation"),
    Stage.VOTING: N_("Voting"),
    Stage.REJECTED: N_("Not adopted"),
    Stage.NOTICE: N_("On public notice"),
    Stage.AWAITING_FINAL: N_("Notice ended, awaiting confirmation"),
    Stage.FINAL: N_("Final"),
}


def stage_of(c: Consultation, at: Any) -> Stage:
    return stage(
        StageFacts(
            c.meets_at, c.deliberation_opens_at, c.box_id, c.passed, c.notice_ends_at, c.final_at
        ),
        at,
    )


#: Rows a page of each list of /consultations: consultations, topics, elections.
CONSULTATIONS_PER_PAGE = 20
TOPICS_PER_PAGE = 20
TERMS_PER_PAGE = 10

#: Each list's page parameter (the consultations' is the usual ``page``).
LIST_PAGES = ("page", "topics", "terms")


def _list_base(request: Request, drop: str) -> str:
    """This page's address with its query (the filters, the other lists' pages) but
    ``drop``, ready for ``drop=N``."""
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != drop])
    return f"/consultations?{kept}&" if kept else "/consultations?"


async def index(request: Request) -> Response:
    """The consultations, the proposed topics and the elections of representatives,
    each a page read in SQL (never the whole list), filtered by area and stage,
    each pager keeping the filters and the other lists' pages. A fixed number of
    statements however many rows a city holds; htmx's ``#consultation_list`` swap
    reads the consultations alone."""
    session = db(request)
    at = now(request)
    area_id = record_id(request.query_params.get("area", ""))
    area = get_area(session, area_id) if area_id else None
    wanted = request.query_params.get("stage", "")
    # An unknown stage (a stale or hand-typed link) lists every stage.
    chosen = Stage(wanted) if wanted in {s.value for s in Stage} else None

    def asked(name: str) -> int:
        return whole_number(request.query_params.get(name), low=1, high=MAX_PAGE) or 1

    found = listing.consultations_page(
        session,
        within=area,
        stage=chosen,
        now=at,
        page=asked("page"),
        per_page=CONSULTATIONS_PER_PAGE,
    )
    context: dict[str, Any] = {
        "rows": [(c, name, stage_of(c, at)) for c, name in found.items],
        # The area field a level at a time (the chain to the area chosen and its
        # children), never every community of a city; htmx's list swap sends it too.
        "step": area_step(session, area.id if area is not None else None),
        "htmx_list": htmx.target(request) == "consultation_list",
        "pages": {"page": found},
        "bases": {name: _list_base(request, name) for name in LIST_PAGES},
        "area": area,
        "wanted": chosen.value if chosen else "",
        "stage_labels": STAGE_LABELS,
    }
    if htmx.target(request) != "consultation_list":
        topic_page = listing.topics_page(
            session, within=area, page=asked("topics"), per_page=TOPICS_PER_PAGE
        )
        term_page = listing.terms_page(
            session, within=area, page=asked("terms"), per_page=TERMS_PER_PAGE
        )
        context |= {
            "topics": topic_page.items,
            "terms": term_page.items,
            "pages": {"page": found, "topics": topic_page, "terms": term_page},
            "stages": list(Stage),
            "topic_labels": topics.TOPIC_STATUS_LABELS,
            "term_labels": representatives.TERM_STATUS_LABELS,
        }
    return render(request, "consultations/index.html", context)


#: Threads (top-level posts with their replies) per page of the discussion.
THREADS_PER_PAGE = 20


async def _page(
    request: Request,
    c: Consultation,
    status: int = 200,
    head: PageHead | None = None,
    area: Any = None,
    **extra: Any,
) -> Response:
    """The consultation page, or for htmx's ``#opinion`` swap the opinion block
    alone (then only what that block shows is read). A fixed number of
    statements whatever the number of votes, statements, posts or participants:
    the map is the stored one, its statements' texts are read for the few it
    names, and the discussion is paged. ``head``: the consultation's page head
    (:func:`consultations.page.page_head`), or ``area``, when the request read them."""
    session = db(request)
    at = now(request)
    me = current_user_or_none(request)
    if area is None:
        area = head.area if head is not None else get_area(session, c.area_id)
    # ``area`` is held here: standing_of then finds it in the session.
    window_open = c.deliberation_opens_at <= at < c.deliberation_closes_at
    on_notice = c.notice_ends_at is not None and c.final_at is None and at < c.notice_ends_at
    shown = opinion_map_of(request, c.id)
    opinion = shown.view.opinion
    refusal = None
    if me is not None and (window_open or on_notice):
        # The signed-in person's grants, already read for the page, unless a desk
        # worker acts for them (standing then reads the account's own, as acting does).
        grants = me.grants if me.assisted_by is None else None
        refusal = standing_of(session, c, me.id, at, grants).refusal
    may_deliberate = me is not None and refusal is None and (window_open or on_notice)
    context: dict[str, Any] = {
        "c": c,
        "opinion": opinion,
        "map_view": shown.view,
        "texts": deliberation.statement_texts(session, c.id, shown.named),
        "spots": shown.spots,
        "lines": map_lines(shown) if opinion.groups else None,
        "ring": shown.where.get(me.id) if me else None,
        "my_group": opinion.group_of(me.id) if me else None,
        "my_position": bool(me and me.id in opinion.positions),
        "statement_count": shown.statements,
        "next_statement": (
            deliberation.next_statement(session, c.id, me.id)
            if me is not None and may_deliberate and window_open
            else None
        ),
        "window_open": window_open,
        "may_deliberate": may_deliberate,
        "refusal": REFUSALS[refusal] if refusal else "",
        "refusal_can_verify": refusal is Refusal.NOT_VERIFIED,
        "error_field": "",
        "flash_message": "",
    }
    if htmx.target(request) != "opinion":
        context |= _whole_page(request, c, area, me, at, on_notice, head)
    return render(request, "consultations/detail.html", context | extra, status=status)


def _whole_page(
    request: Request,
    c: Consultation,
    area: Any,
    me: Any,
    at: Any,
    on_notice: bool,
    head: PageHead | None = None,
) -> dict[str, Any]:
    """What the page shows beyond the opinion block; the topic, the quorum and the
    plan item from ``head`` when given (read with the consultation, in one statement)."""
    session = db(request)
    if head is not None:
        topic, cosigners, quorum, item = head.topic, head.cosigners, head.quorum, head.plan_item
    else:
        topic, cosigners = topics.topic_with_cosigners(session, c.topic_id)
        quorum, item = meetings.quorum(session, c), decisions.plan_item(session, c)
    box = get_box(session, c.box_id) if c.box_id else None
    params = request.query_params
    found = deliberation.thread_page(
        session,
        c.id,
        after=record_id(params.get("after")),
        before=record_id(params.get("before")),
        per_page=THREADS_PER_PAGE,
    )
    return {
        "follow": follow_button(request, "consultation", c.id),
        "topic": topic,
        "area": area,
        "cosigners": cosigners,
        "stage": stage_of(c, at),
        "stage_labels": STAGE_LABELS,
        "participants": meetings.participants(session, c.id),
        "participant_labels": meetings.PARTICIPANT_LABELS,
        "quorum": quorum,
        # Before the meeting a quorum is not "missed", only not taken yet.
        "meeting_ahead": at < c.meets_at,
        # The template shows the speakers with the summary, the objections with the notice.
        "speakers": meetings.speakers(session, c.id) if c.summary else [],
        "signed": meetings.minutes_signed(c),
        "threads": found.items,
        "thread_pages": found,
        "box": box,
        "tally": box.tally if box else None,
        "objections": decisions.objections(session, c.id) if c.notice_starts_at else [],
        "on_notice": on_notice,
        "item": item,
        "plan_status": PLAN_STATUS_LABELS,
        "may_sign": bool(
            me
            and c.minutes
            and (
                (me.id == c.recorder_id and c.recorder_signed_at is None)
                or (me.id == c.host_id and c.host_signed_at is None)
            )
        ),
    }


@dataclass(frozen=True)
class ShownMap:
    """The stored map as the page draws it, kept per process while it is current:
    the SVG's dots rendered once (one per spot and group: the same picture as
    one per person), each participant's spot, for the "you are here" ring, and
    the statements the map's lists name (whose texts the page reads). ``statements``:
    the visible statements now (read with the header on every request)."""

    view: opinion_maps.MapView
    spots: Markup
    where: dict[Any, tuple[int, int]]
    named: frozenset[int] = frozenset()
    statements: int = 0
    #: The map's lists' figures as the page words them, per locale (see :func:`map_lines`).
    lines: dict[str, MapLines] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class MapLines:
    """The opinion map's translated figures, formatted once per map and locale
    (they depend on nothing else) instead of on every request: each group's
    heading and, per representative statement, the words before its text and the
    note after it; per common-ground statement, the note. The statements' texts
    are read on every request (a moderator may hide one)."""

    headings: list[Markup]
    representative: list[list[tuple[Any, Markup, Markup]]]
    consensus: list[tuple[Any, Markup]]
    consensus_disagree: list[tuple[Any, Markup]]


def _percent(share: float) -> int:
    """As the template's ``(share * 100)|round|int`` did."""
    return round(share * 100)


def map_lines(shown: ShownMap) -> MapLines:
    """The map's lines in the request's locale, formatted on first use (the same
    texts the template's ``_()`` gave: it is the same function)."""
    locale = current_locale.get()
    found = shown.lines.get(locale)
    if found is not None:
        return found
    opinion = shown.view.opinion
    _ = template_gettext
    found = MapLines(
        headings=[
            Markup("{} · {}").format(
                _("Group %(label)s", label=g.label), _("%(n)s people", n=g.size)
            )
            for g in opinion.groups
        ],
        representative=[
            [
                (
                    s.statement,
                    _("%(share)s%% agree:", share=_percent(s.agree))
                    if s.direction == 1
                    else _("%(share)s%% disagree:", share=_percent(s.disagree)),
                    _(
                        "(in this group: %(agree)s%% agree, %(disagree)s%% disagree of %(n)s votes)",  # noqa: E501
                        agree=_percent(s.agree),
                        disagree=_percent(s.disagree),
                        n=s.votes,
                    ),
                )
                for s in g.representative
            ]
            for g in opinion.groups
        ],
        consensus=[
            (s.statement, _("(at least %(share)s%% in every group)", share=_percent(s.share_out)))
            for s in opinion.consensus
        ],
        consensus_disagree=[
            (
                s.statement,
                _("(at least %(share)s%% of every group disagree)", share=_percent(s.share_out)),
            )
            for s in opinion.consensus_disagree
        ],
    )
    shown.lines[locale] = found
    return found


def named_statements(opinion: Any) -> frozenset[int]:
    """The statements the map's lists show: each group's representative ones and
    the common ground, agreed and rejected."""
    named = {s.statement for g in opinion.groups for s in g.representative}
    named.update(s.statement for s in opinion.consensus)
    named.update(s.statement for s in opinion.consensus_disagree)
    return frozenset(named)


def opinion_map_of(request: Request, consultation_id: int) -> ShownMap:
    """The stored opinion map; no request ever computes one (the worker's
    ``opinion-maps`` job does, after votes arrive).

    Per process, the parsed map and its drawing are kept while the stored row
    keeps its time and vote count: a page then reads the row's header, probes
    one index for newer votes and counts the statements, in one statement, and
    never reads the map's body.
    """
    state = request.app.state
    if not hasattr(state, "opinion_maps"):
        state.opinion_maps = {}
    cache: dict[int, ShownMap] = state.opinion_maps
    session = db(request)
    header = opinion_maps.page_header(session, consultation_id)
    if not header.stored:
        view = opinion_maps.MapView(opinion_maps.NOT_COMPUTED, None, 0, header.waiting)
        return ShownMap(view, Markup(""), {}, frozenset(), header.statements)
    found = cache.get(consultation_id)
    if found is None or (found.view.computed_at, found.view.votes) != (
        header.computed_at,
        header.votes,
    ):
        body = opinion_maps.stored_body(session, consultation_id)
        assert body is not None
        opinion = unpack(body)
        dots = map_dots(opinion)
        found = ShownMap(
            opinion_maps.MapView(opinion, header.computed_at, header.votes, header.waiting),
            draw_spots(dots),
            {person: (x, y) for x, y, _, person in dots},
            named_statements(opinion),
        )
        if len(cache) > 200:
            cache.clear()
        cache[consultation_id] = found
    return replace(
        found,
        view=replace(found.view, waiting=header.waiting),
        statements=header.statements,
    )


#: The groups' colours (static/css/site.css's .g0 to .g4), and the ungrouped grey.
SPOT_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
UNGROUPED = "#a1a1aa"


def draw_spots(dots: list[tuple[int, int, int, Any]]) -> Markup:
    """The dots as one SVG path per group: each spot a zero-length line with round
    caps, 4 units wide (a dot of radius 2), once per spot (people who voted alike
    share spots). A tenth of the bytes of a circle per person."""
    by_group: dict[int, set[tuple[int, int]]] = {}
    for x, y, g, _ in dots:
        by_group.setdefault(g, set()).add((x, y))
    paths = []
    for g in sorted(by_group):
        colour = UNGROUPED if g < 0 else SPOT_COLOURS[g % len(SPOT_COLOURS)]
        d = "".join(f"M{x} {y}h0" for x, y in sorted(by_group[g]))
        paths.append(
            f'<path d="{d}" stroke="{colour}" stroke-width="4" stroke-linecap="round"'
            f' data-group="{g}"/>'
        )
    return Markup("".join(paths))


def map_dots(opinion: Any, size: int = 200, margin: int = 8) -> list[tuple[int, int, int, Any]]:
    """Participants' positions scaled into an SVG square: (x, y, group index, participant)."""
    if not opinion.positions:
        return []
    xs = [p[0] for p in opinion.positions.values()]
    ys = [p[1] for p in opinion.positions.values()]
    # The lower bounds once, not once per participant (that made 10,000 people
    # take 9 s, hidden until now by computing the map only once per vote).
    low_x, low_y = min(xs), min(ys)
    span = max(max(xs) - low_x, max(ys) - low_y) or 1.0
    scale = (size - 2 * margin) / span
    index = {m: n for n, g in enumerate(opinion.groups) for m in g.members}
    return [
        (
            round(margin + (x - low_x) * scale),
            round(size - margin - (y - low_y) * scale),
            index.get(person, -1),  # -1: on the map but not grouped (too few votes)
            person,
        )
        for person, (x, y) in sorted(opinion.positions.items())
    ]


def _get(request: Request) -> Consultation:
    return meetings.get_consultation(db(request), request.path_params["consultation_id"])


async def detail(request: Request) -> Response:
    """The consultation page; its discussion by keyset (``after=`` / ``before=`` a
    thread's first post), a link of the numbered pages it had (``?page=``) sent
    to the start."""
    if "page" in request.query_params:
        return to_the_start(request)
    if htmx.target(request) == "opinion":
        c, area = consultation_with_area(db(request), request.path_params["consultation_id"])
        return await _page(request, c, area=area)
    # The whole page: the consultation with its community (then held in the
    # session), topic, quorum and plan item, in one statement.
    head = page_head(db(request), request.path_params["consultation_id"])
    return await _page(request, head.consultation, head=head)


async def minutes_pdf(request: Request) -> Response:
    """The signed minutes as a PDF (WeasyPrint, CJK font from Debian's fonts-noto-cjk)."""
    session = db(request)
    c = _get(request)
    if not meetings.minutes_signed(c):
        raise DomainError(
            "consultation.minutes_unsigned",
            N_("The minutes are published once the recorder and the host have signed."),
            status=404,
        )
    env = request.app.state.templates
    html = env.get_template("consultations/minutes_pdf.html").render(
        base_context(request)
        | {
            "c": c,
            "area": get_area(session, c.area_id),
            "quorum": meetings.quorum(session, c),
            "speakers": meetings.speakers(session, c.id),
        }
    )
    pdf = await run_in_threadpool(lambda: weasyprint.HTML(string=html).write_pdf())
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="minutes-{c.id}.pdf"'},
    )


async def _act(request: Request, action: Any, done: str, anchor: str) -> Response:
    """Run ``action(session, consultation, fields, me, now)``; a refusal rolls back and
    re-renders the page with its message beside the section ``anchor``."""
    consultation = _get(request)
    fields = await form_fields(request)

    async def act() -> Response:
        action(db(request), consultation, fields, user(request), now(request))
        if htmx.target(request) == anchor:
            # htmx swaps the section in place: answer with the fresh block, not a redirect.
            return await _page(request, consultation, flash_message=done)
        flash(request, done, "success")
        return htmx.redirect(request, f"/consultations/{consultation.id}#{anchor}")

    async def page(error: DomainError) -> Response:
        return await _page(
            request,
            consultation,
            error.status,
            error=error.message,
            errors=error.fields,
            form=fields,
            error_field=anchor,
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.USE_ACCOUNT)
async def post(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: Any, at: Any) -> None:
        deliberation.write_post(
            s,
            c,
            me.account,
            f.get("kind", "comment"),
            f.get("body", ""),
            at,
            record_id(f.get("parent_id", "")) or None,
        )

    return await _act(request, act, N_("Your post has been published."), "discussion")


@requires(Permission.USE_ACCOUNT)
async def report(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: Any, at: Any) -> None:
        target = deliberation.get_post(s, c, request.path_params["post_id"])
        deliberation.report_post(s, target, me.id, f.get("reason", ""), at)

    return await _act(request, act, N_("Thank you: the moderators will look at it."), "discussion")


@requires(Permission.USE_ACCOUNT)
async def statement(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: Any, at: Any) -> None:
        deliberation.add_statement(s, c, me.id, f.get("text", ""), at)

    return await _act(request, act, N_("Your statement has been added."), "opinion")


@requires(Permission.USE_ACCOUNT)
async def vote(request: Request) -> Response:
    refuse_assisted(request)  # a vote is cast in person, never at the desk

    def act(s: Any, c: Consultation, f: dict[str, str], me: Any, at: Any) -> None:
        deliberation.vote_statement(
            s, c, request.path_params["statement_id"], me.id, f.get("choice", ""), at
        )

    return await _act(request, act, N_("Your vote has been recorded."), "opinion")


@requires(Permission.USE_ACCOUNT)
async def objection(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: Any, at: Any) -> None:
        decisions.lodge_objection(s, c, me.account, f.get("body", ""), at)

    return await _act(
        request, act, N_("Your objection has been lodged; it will be answered publicly."), "notice"
    )


@requires(Permission.USE_ACCOUNT)
async def sign_minutes(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: Any, at: Any) -> None:
        meetings.sign_minutes(s, c, me.id, at)

    return await _act(request, act, N_("You have signed the minutes."), "meeting")


routes = [
    Route("/consultations", index),
    Route("/consultations/{consultation_id:int}", detail),
    Route("/consultations/{consultation_id:int}/posts", post, methods=["POST"]),
    Route(
        "/consultations/{consultation_id:int}/posts/{post_id:int}/report", report, methods=["POST"]
    ),
    Route("/consultations/{consultation_id:int}/statements", statement, methods=["POST"]),
    Route(
        "/consultations/{consultation_id:int}/statements/{statement_id:int}/vote",
        vote,
        methods=["POST"],
    ),
    Route("/consultations/{consultation_id:int}/objections", objection, methods=["POST"]),
    Route("/consultations/{consultation_id:int}/minutes/sign", sign_minutes, methods=["POST"]),
    Route("/consultations/{consultation_id:int}/minutes.pdf", minutes_pdf),
]
