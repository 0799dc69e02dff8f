"""Back office for consultations: triage, announcing, the meeting record,
moderation, the decision vote, public notice answers, finality; representative terms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations import decisions, deliberation, meetings, representatives, topics
from consultations.models import Consultation, Topic
from participation import departments
from participation.accounts import find_by_login
from participation.areas import Area, get_area
from participation.ballots.rules.eligibility import Roll
from participation.errors import N_, DomainError
from participation.rules.permissions import Permission
from web.consultations.public import STAGE_LABELS, stage_of
from web.kit import htmx
from web.kit.area_choice import area_choice
from web.kit.auth import authorize, requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields, record_id, whole_number
from web.kit.pagination import MAX_PAGE, Page
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render

#: Amounts the consultation stores in a 32-bit integer column (PostgreSQL): larger
#: ones get a field message instead of reaching the database.
BUDGET_MAX = 2**31 - 1


def lines(text: str) -> list[tuple[str, str]]:
    """``a | b`` per line -> [(a, b)]; lines without a bar are skipped."""
    pairs = []
    for line in text.splitlines():
        left, bar, right = line.partition("|")
        if bar and left.strip() and right.strip():
            pairs.append((left.strip(), right.strip()))
    return pairs


# Rows of "other participants" on the announcement form: a kind chosen from a select
# (shown in Chinese) and a name.
PARTICIPANT_ROWS = 4
OTHER_PARTICIPANT_KINDS = ("resident", "department", "organization")


def participant_rows(fields: dict[str, str]) -> list[tuple[str, str]]:
    """(kind, name) of each filled row of the announcement form."""
    pairs = []
    for n in range(PARTICIPANT_ROWS):
        kind = fields.get(f"part_kind_{n}", "").strip()
        name = fields.get(f"part_name_{n}", "").strip()
        if kind or name:
            pairs.append((kind, name))
    return pairs


def moment(form: FormReader, name: str) -> datetime:
    """A required local date and time; check the form before using the answer (an
    unreadable one is a field message, and this placeholder is never stored)."""
    return form.moment(name, required=True) or datetime.min


#: Rows a page of each list of the back office's consultations page.
LIST_PER_PAGE = 50

#: Each list's page parameter, as the pagers write it.
LIST_PAGES = ("topics", "consultations", "terms", "rules")


def _list_base(request: Request, drop: str) -> str:
    """This page's address with its query but ``drop``, ready for ``drop=N``."""
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != drop])
    return f"/admin/consultations?{kept}&" if kept else "/admin/consultations?"


async def index_page(request: Request, status: int = 200, **extra: Any) -> Response:
    session = db(request)
    at = now(request)

    def asked(name: str) -> int:
        return whole_number(request.query_params.get(name), low=1, high=MAX_PAGE) or 1

    topic_rows, topic_total, topic_page = topics.page_of_topics(
        session, page=asked("topics"), per_page=LIST_PER_PAGE
    )
    rows, total, number = meetings.page_of_consultations(
        session, page=asked("consultations"), per_page=LIST_PER_PAGE
    )
    terms, term_total, term_page = representatives.page_of_terms(
        session, page=asked("terms"), per_page=LIST_PER_PAGE
    )
    rules, rule_total, rule_page = topics.page_of_community_rules(
        session, page=asked("rules"), per_page=LIST_PER_PAGE
    )
    # The community of the settings and of a new term, a level of the tree at a
    # time in a city (web.kit.area_choice): one step shared by both forms.
    step = area_choice(session, request, extra.get("form"), allowed=lambda a: a.kind == "community")
    context = {
        "topics": topic_rows,
        "consultations": [(c, stage_of(c, at)) for c in rows],
        "terms": terms,
        "area_step": step,
        "stage_labels": STAGE_LABELS,
        "topic_labels": topics.TOPIC_STATUS_LABELS,
        "term_labels": representatives.TERM_STATUS_LABELS,
        "rules": rules,
        "pages": {
            "topics": Page(topic_rows, topic_page, LIST_PER_PAGE, topic_total),
            "consultations": Page(rows, number, LIST_PER_PAGE, total),
            "terms": Page(terms, term_page, LIST_PER_PAGE, term_total),
            "rules": Page(rules, rule_page, LIST_PER_PAGE, rule_total),
        },
        "bases": {name: _list_base(request, name) for name in LIST_PAGES},
        "participant_rows": range(PARTICIPANT_ROWS),
        "participant_kinds": OTHER_PARTICIPANT_KINDS,
        "participant_labels": meetings.PARTICIPANT_LABELS,
    } | extra
    return render(request, "consultations/office/list.html", context, status=status)


@requires(Permission.MANAGE_CONSULTATIONS)
async def index(request: Request) -> Response:
    return await index_page(request)


def managed_topic(request: Request) -> Topic:
    """The topic of the path, once the user may manage consultations in its community."""
    session = db(request)
    topic = topics.get_topic(session, request.path_params["topic_id"])
    authorize(request, Permission.MANAGE_CONSULTATIONS, get_area(session, topic.area_id).path)
    return topic


@requires(Permission.MANAGE_CONSULTATIONS)
async def triage(request: Request) -> Response:
    session = db(request)
    topic = managed_topic(request)
    fields = await form_fields(request)
    me, at = user(request), now(request)
    action = fields.get("action", "")

    def act() -> Response:
        if action == "accept":
            topics.accept_topic(session, topic, me.id, at, fields.get("reason", ""))
        elif action == "decline":
            topics.decline_topic(session, topic, fields.get("reason", ""), me.id, at)
        else:
            # Merging has a page of its own (web.consultations.office_merge).
            raise DomainError("topic.action", N_("Choose accept or decline."))
        flash(request, "The topic has been decided.", "success")
        return htmx.redirect(request, "/admin/consultations")

    async def page(error: DomainError) -> Response:
        return await index_page(
            request, 422, error=error.message, errors=error.fields, form=fields, topic_id=topic.id
        )

    return await act_or_rerender(request, act, page)


@requires(Permission.MANAGE_CONSULTATIONS)
async def announce(request: Request) -> Response:
    session = db(request)
    topic = managed_topic(request)
    fields = await form_fields(request)

    def act() -> Response:
        form = FormReader(fields)
        new = meetings.Announcement(
            title=fields.get("title", ""),
            agenda=fields.get("agenda", ""),
            materials=fields.get("materials", ""),
            place=fields.get("place", ""),
            online_link=fields.get("online_link", ""),
            meets_at=moment(form, "meets_at"),
            deliberation_opens_at=moment(form, "deliberation_opens_at"),
            deliberation_closes_at=moment(form, "deliberation_closes_at"),
            participants=participant_rows(fields),
        )
        form.check("consultation.invalid")
        consultation = meetings.announce(session, topic, new, user(request).id, now(request))
        flash(request, "The consultation has been announced.", "success")
        return htmx.redirect(request, f"/admin/consultations/{consultation.id}")

    async def page(error: DomainError) -> Response:
        return await index_page(
            request, 422, error=error.message, errors=error.fields, form=fields, topic_id=topic.id
        )

    return await act_or_rerender(request, act, page)


def _consultation_in(request: Request) -> tuple[Consultation, Area]:
    """The consultation of the path, with its community (held: the page reads it
    again for the departments serving it), once the user may manage it there."""
    session = db(request)
    found = meetings.get_consultation(session, request.path_params["consultation_id"])
    area = get_area(session, found.area_id)
    authorize(request, Permission.MANAGE_CONSULTATIONS, area.path)
    return found, area


def _consultation(request: Request) -> Consultation:
    return _consultation_in(request)[0]


#: Threads and opinion statements a page of the moderation list.
MODERATION_PER_PAGE = 50


def _moderation_pages(request: Request, c: Consultation) -> dict[str, Any]:
    """The moderation block: a page of threads (``?posts_after=`` / ``posts_before=``
    a thread's first post) and a page of statements (``?statements_after=`` /
    ``statements_before=``), by keyset, each pager keeping the other's place."""
    session = db(request)
    query = request.query_params

    def cursor(name: str) -> dict[str, int]:
        return {d: record_id(query.get(f"{name}_{d}")) for d in ("after", "before")}

    def base(name: str) -> str:
        own = {f"{name}_after", f"{name}_before"}
        kept = urlencode([(k, v) for k, v in query.multi_items() if k not in own])
        return f"/admin/consultations/{c.id}?{kept}&" if kept else f"/admin/consultations/{c.id}?"

    threads = deliberation.thread_page(
        session, c.id, **cursor("posts"), per_page=MODERATION_PER_PAGE
    )
    statements = deliberation.statement_page(
        session, c.id, **cursor("statements"), per_page=MODERATION_PER_PAGE
    )
    return {
        "threads": threads.items,
        "thread_pages": threads,
        "threads_base": base("posts"),
        "statements": statements.items,
        "statement_pages": statements,
        "statements_base": base("statements"),
    }


async def _manage_page(
    request: Request, c: Consultation, area: Area, status: int = 200, **extra: Any
) -> Response:
    session = db(request)
    context = {
        "c": c,
        "stage": stage_of(c, now(request)),
        "stage_labels": STAGE_LABELS,
        "representatives": representatives.representatives_of(session, c.area_id),
        "present": meetings.attendees(session, c.id),
        "quorum": meetings.quorum(session, c),
        "speakers": meetings.speakers(session, c.id),
        **_moderation_pages(request, c),
        "objections": decisions.objections(session, c.id),
        "signed": meetings.minutes_signed(c),
        "rolls": [Roll.REPRESENTATIVES, Roll.RESIDENTS, Roll.HOUSEHOLDS],
        "item": decisions.plan_item(session, c),
        # Those serving the community, not every department of the city.
        "departments": departments.serving(session, area),
        "accounts": meetings.officer_names(session, c),
    } | extra
    return render(request, "consultations/office/detail.html", context, status=status)


@requires(Permission.MANAGE_CONSULTATIONS)
async def manage(request: Request) -> Response:
    return await _manage_page(request, *_consultation_in(request))


Step = Callable[[Any, Consultation, dict[str, str], int, datetime], None]


async def _step(request: Request, action: Step, done: str) -> Response:
    """Run ``action(session, consultation, fields, me, now)``; a refusal rolls back and
    shows the consultation's back-office page again with its messages."""
    c, area = _consultation_in(request)
    fields = await form_fields(request)

    def act() -> Response:
        action(db(request), c, fields, user(request).id, now(request))
        flash(request, done, "success")
        return htmx.redirect(request, f"/admin/consultations/{c.id}")

    async def page(error: DomainError) -> Response:
        return await _manage_page(
            request, c, area, error.status, error=error.message, errors=error.fields, form=fields
        )

    return await act_or_rerender(request, act, page)


def _account_id(session: Any, login: str, field: str) -> int:
    account = find_by_login(session, login) if login else None
    if account is None:
        raise DomainError(
            "consultation.no_account",
            N_("No account with this login."),
            fields={field: N_("No account with this login.")},
        )
    return account.id


@requires(Permission.MANAGE_CONSULTATIONS)
async def attendance(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: int, at: datetime) -> None:
        account = f.get("account_id", "")
        meetings.sign_in(s, c, record_id(account), me, at)

    return await _step(request, act, N_("Attendance recorded."))


@requires(Permission.MANAGE_CONSULTATIONS)
async def record(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: int, at: datetime) -> None:
        meetings.record_meeting(
            s,
            c,
            summary=f.get("summary", ""),
            minutes=f.get("minutes", ""),
            speakers=lines(f.get("speakers", "")),
            recorder_id=_account_id(s, f.get("recorder", ""), "recorder"),
            host_id=_account_id(s, f.get("host", ""), "host"),
            now=at,
        )

    return await _step(
        request, act, N_("The meeting record has been saved; recorder and host can now sign.")
    )


@requires(Permission.MANAGE_CONSULTATIONS)
async def hide(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: int, at: datetime) -> None:
        post = deliberation.get_post(s, c, request.path_params["post_id"])
        deliberation.hide_post(s, post, me, f.get("reason", ""), at)

    return await _step(request, act, N_("The post is hidden and its author has been told why."))


@requires(Permission.MANAGE_CONSULTATIONS)
async def hide_statement(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: int, at: datetime) -> None:
        deliberation.hide_statement(
            s, c, request.path_params["statement_id"], me, f.get("reason", ""), at
        )

    return await _step(
        request, act, N_("The statement is hidden and its author has been told why.")
    )


@requires(Permission.MANAGE_CONSULTATIONS)
async def open_vote(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: int, at: datetime) -> None:
        form = FormReader(f)
        opens, closes = moment(form, "opens_at"), moment(form, "closes_at")
        roll = form.choice("roll", [r.value for r in Roll])
        if roll is None:
            form.problems["roll"] = N_("Choose who votes.")
        budget = form.money("budget_yuan", low=0, high=BUDGET_MAX)
        due = form.day("due_on")
        form.check("consultation.invalid")
        assert roll is not None  # checked: a choice among the rolls
        setup = decisions.VoteSetup(
            resolution=f.get("resolution", ""),
            roll=Roll(roll),
            base=f.get("base", ""),
            share=f.get("share", ""),
            opens_at=opens,
            closes_at=closes,
            commits_to_action=f.get("commits") == "1",
            owner_department=f.get("owner_department", ""),
            budget_yuan=budget or 0,
            due_on=due,
        )
        decisions.open_vote(s, c, setup, me)

    return await _step(request, act, N_("The vote has been set up."))


@requires(Permission.MANAGE_CONSULTATIONS)
async def take_result(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: int, at: datetime) -> None:
        decisions.take_result(s, c, me, at)

    return await _step(request, act, N_("The result has been recorded."))


@requires(Permission.MANAGE_CONSULTATIONS)
async def answer(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: int, at: datetime) -> None:
        decisions.answer_objection(
            s, c, request.path_params["objection_id"], f.get("answer", ""), me, at
        )

    return await _step(request, act, N_("The answer has been published."))


@requires(Permission.MANAGE_CONSULTATIONS)
async def finalize(request: Request) -> Response:
    def act(s: Any, c: Consultation, f: dict[str, str], me: int, at: datetime) -> None:
        decisions.finalize(s, c, me, at)

    return await _step(request, act, N_("The resolution is final."))


@requires(Permission.MANAGE_CONSULTATIONS)
async def community_settings(request: Request) -> Response:
    session = db(request)
    fields = await form_fields(request)

    def number(name: str) -> int:
        # -1 (unreadable) is refused by the service with the field's own message.
        value = whole_number(fields.get(name), high=1_000_000)
        return -1 if value is None else value

    def act() -> Response:
        area = get_area(session, record_id(fields.get("area_id", "")))
        authorize(request, Permission.MANAGE_CONSULTATIONS, area.path)
        topics.set_community_rules(
            session,
            area,
            cosign_threshold=number("cosign_threshold"),
            quorum_numerator=number("quorum_numerator"),
            quorum_denominator=number("quorum_denominator"),
            notice_days=number("notice_days"),
            announce_days=number("announce_days"),
        )
        flash(request, N_("The community's settings have been saved."), "success")
        return htmx.redirect(request, "/admin/consultations")

    async def page(error: DomainError) -> Response:
        return await index_page(request, 422, error=error.message, errors=error.fields, form=fields)

    return await act_or_rerender(request, act, page)


routes = [
    Route("/admin/consultations/rules", community_settings, methods=["POST"]),
    Route("/admin/consultations", index),
    Route("/admin/consultations/topics/{topic_id:int}/triage", triage, methods=["POST"]),
    Route("/admin/consultations/topics/{topic_id:int}/announce", announce, methods=["POST"]),
    Route("/admin/consultations/{consultation_id:int}", manage),
    Route("/admin/consultations/{consultation_id:int}/attendance", attendance, methods=["POST"]),
    Route("/admin/consultations/{consultation_id:int}/record", record, methods=["POST"]),
    Route(
        "/admin/consultations/{consultation_id:int}/posts/{post_id:int}/hide",
        hide,
        methods=["POST"],
    ),
    Route(
        "/admin/consultations/{consultation_id:int}/statements/{statement_id:int}/hide",
        hide_statement,
        methods=["POST"],
    ),
    Route("/admin/consultations/{consultation_id:int}/vote", open_vote, methods=["POST"]),
    Route("/admin/consultations/{consultation_id:int}/result", take_result, methods=["POST"]),
    Route(
        "/admin/consultations/{consultation_id:int}/objections/{objection_id:int}/answer",
        answer,
        methods=["POST"],
    ),
    Route("/admin/consultations/{consultation_id:int}/finalize", finalize, methods=["POST"]),
]
