"""Every periodic job of the portal, in one place; ``gongzhi worker`` runs them.

A job is a sweep over what is due at ``now``: running it twice in a period does
no harm and a missed or failed period leaves its work for the next one (each
service here is idempotent: offers expire once, reminders and plan reminders
carry outbox keys, sent mail is marked sent). That is what lets a failed run
simply be retried next period, and what the once-per-period lease is for:
less work and clean records, not correctness.

To add a job: write a function
``(session, now, settings) -> str`` that calls the area's service and returns a
one-line summary, and add a :class:`Job` to :data:`JOBS`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations import opinion_maps
from consultations.rules.map_timing import Debounce
from participation import job_runs, outbox, portal_counts, rate_limits, recovery
from participation.notifying import digest as notice_digest
from participation.notifying import sweeps as notice_sweeps
from participation.outbox import send_pending
from participation.plan import board_counts as plan_counts
from participation.plan.reminders import remind_overdue
from participation.requests import board as request_board
from participation.requests import counts as request_counts
from participation.requests import supervision, tracking_keys
from participation.requests.closing import close_unconfirmed
from participation.requests.rules.calendar import local_day
from search import indexing as search_indexing
from volunteers import notices, signups
from web.kit.i18n import LOCAL_TZ, translations
from web.settings import Settings

TEN_SECONDS = timedelta(seconds=10)
MINUTE = timedelta(minutes=1)
TEN_MINUTES = timedelta(minutes=10)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Job:
    name: str
    #: How often it runs; runs start on multiples of the period since the epoch (UTC).
    period: timedelta
    run: Callable[[Session, datetime, Settings], str]
    help: str
    #: Why the job cannot run with these settings (it is then not scheduled), or None.
    unavailable: Callable[[Settings], str | None] = lambda settings: None


def volunteers_tick(session: Session, now: datetime, settings: Settings) -> str:
    offers = signups.process_offers(session, now)
    reminders = notices.queue_reminders(session, now)
    return f"offers expired on {offers} shifts, {reminders} reminders queued"


def send_mail(session: Session, now: datetime, settings: Settings) -> str:
    # An unreachable SMTP server raises: the run fails and the next one retries.
    # A message the server refuses stays queued with its error (outbox.MAX_ATTEMPTS).
    report = send_pending(session, settings.smtp_url, settings.mail_from, now)
    return f"{report.sent} sent, {report.failed} failed"


def plan_remind(session: Session, now: datetime, settings: Settings) -> str:
    result = remind_overdue(
        session, today=now.astimezone(LOCAL_TZ).date(), now=now, base_url=settings.base_url
    )
    return f"{result.queued} reminders queued, {result.no_address} overdue without an address"


def plan_figures(session: Session, now: datetime, settings: Settings) -> str:
    rows = plan_counts.refresh(session, now.astimezone(LOCAL_TZ).date(), now)
    return f"{rows} plan board counts"


def requests_sweep(session: Session, now: datetime, settings: Settings) -> str:
    closed = close_unconfirmed(session, now)
    keyed = tracking_keys.wrap_plain(session)  # rows from before revision 0031
    return f"{closed} requests closed as not confirmed, {keyed} tracking secrets keyed"


def requests_supervise(session: Session, now: datetime, settings: Settings) -> str:
    report = supervision.sweep(session, now)
    return (
        f"{report.reminders} due reminders, {report.notices} supervision notices "
        f"({report.escalations} to a level above), {report.told} people told"
    )


def requests_figures(session: Session, now: datetime, settings: Settings) -> str:
    units = request_board.refresh_unit_figures(session, local_day(now), now)
    rows = request_counts.refresh(session, now)
    return f"{units} units, {rows} board counts"


def refresh_opinion_maps(session: Session, now: datetime, settings: Settings) -> str:
    # Takes its own short transactions (lease, read, write) so that no lock is
    # held while a map computes; the run's session is left unused.
    rule = Debounce(
        quiet=timedelta(seconds=settings.opinion_map_quiet),
        max_delay=timedelta(seconds=settings.opinion_map_max_delay),
        min_interval=timedelta(seconds=settings.opinion_map_min_interval),
    )
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    done = opinion_maps.refresh_maps(bind, now, rule, worker=socket.gethostname())
    return (
        f"{done.computed} maps computed, {done.waiting} waiting, {done.lost} lost to a later lease"
    )


def notices_sweep(session: Session, now: datetime, settings: Settings) -> str:
    swept = notice_sweeps.sweep(session, now)
    return (
        f"{swept.opened} told of open ballots, {swept.closing} of ballots closing, "
        f"{swept.late} of late plan items"
    )


def _both_languages(message: str) -> tuple[str, str]:
    return translations("zh_CN").gettext(message), translations("en").gettext(message)


def notices_digest(session: Session, now: datetime, settings: Settings) -> str:
    done = notice_digest.queue_digests(session, now, _both_languages, settings.base_url)
    return f"{done.people} daily digests gathering {done.notices} notices"


def home_counts(session: Session, now: datetime, settings: Settings) -> str:
    counts = portal_counts.refresh(session, now)
    return (
        f"{counts.communities} communities, {counts.accounts} accounts, "
        f"{counts.verified} verified residents"
    )


def search_index(session: Session, now: datetime, settings: Settings) -> str:
    done = search_indexing.drain(session)
    return f"{done.notes} change notes, {done.records} records, {done.indexed} indexed"


def prune(session: Session, now: datetime, settings: Settings) -> str:
    runs = job_runs.prune(session, now)
    failures = rate_limits.prune(session, now)
    codes = recovery.prune_codes(session, now)
    mail = outbox.prune_sent(session, now)
    return (
        f"{runs} job runs, {failures} counted failures, {codes} spent reset codes "
        f"and {mail} sent messages forgotten"
    )


def _needs_smtp(settings: Settings) -> str | None:
    return None if settings.smtp_url else "GONGZHI_SMTP_URL is not set"


JOBS: tuple[Job, ...] = (
    Job(
        "volunteers-tick",
        MINUTE,
        volunteers_tick,
        "expire timed shift offers and queue shift reminders",
    ),
    Job(
        "send-mail",
        MINUTE,
        send_mail,
        "send queued mail from the outbox over SMTP",
        unavailable=_needs_smtp,
    ),
    Job(
        "plan-remind",
        HOUR,
        plan_remind,
        "store open plan items' status and queue one reminder per overdue milestone",
    ),
    Job(
        "plan-figures",
        HOUR,
        plan_figures,
        "store the plan progress board's counts and figures per year, area and status",
    ),
    Job(
        "requests-sweep",
        HOUR,
        requests_sweep,
        "close resident requests whose proposed closure went unanswered for 7 days; "
        "key tracking secrets stored before keys",
    ),
    Job(
        "requests-supervise",
        HOUR,
        requests_supervise,
        "flag soon-due and overdue resident requests; issue and escalate supervision notices",
    ),
    Job(
        "requests-figures",
        HOUR,
        requests_figures,
        "store each request-handling unit's counts for the ranking of units (红黑榜) "
        "and the counts the public board and hotspot page show",
    ),
    Job(
        "opinion-maps",
        TEN_SECONDS,
        refresh_opinion_maps,
        "recompute the opinion maps of consultations that got votes, once the votes settle",
    ),
    Job(
        "notices-sweep",
        MINUTE,
        notices_sweep,
        "tell voters of ballots that opened or close within a day, and followers of "
        "late plan items (each once)",
    ),
    Job(
        "notices-digest",
        HOUR,
        notices_digest,
        "queue one e-mail per person per finished day for those who chose a daily digest",
    ),
    Job(
        "home-counts",
        TEN_MINUTES,
        home_counts,
        "store the front page's counts of communities, accounts and verified residents",
    ),
    Job(
        "search-index",
        MINUTE,
        search_index,
        "reindex for search the records changed or added since the last run",
    ),
    Job(
        "prune",
        HOUR,
        prune,
        "forget job runs (successful ones after a day, each job's latest and the others "
        "after 30 days), counted failures no rate limit looks at any more, password "
        f"reset codes {recovery.KEEP_SPENT_FOR.days} days after they were spent, and "
        f"sent mail after {outbox.KEEP_SENT_FOR.days} days (unsent mail is kept)",
    ),
)
