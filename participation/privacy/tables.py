"""Which tables hold a person's data, and what export and closing do with each.

Every column that holds an account id (a foreign key to ``accounts.id``, or a
column named ``account_id``) is covered by an :class:`Entry`: it is exported,
erased, or kept with a reason. A test enumerates the metadata and fails on a
column nobody covered, so a new table is one line here (or in its domain's
``privacy`` module).

What closing keeps, and why (the README says it too): ballots stay secret and
counted (a participation row says only that a key voted); ledgers (hours), the
audit log and published contributions (proposals, comments, statements, posts)
stay, pointing at the anonymised account ("已注销用户 #N"); names shown beside
them are replaced by that label, and the person's name, phone and e-mail are
removed from the free text they wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.orm import Session

from participation import models as _models  # noqa: F401  (every core table, by name)
from participation.budgets.models import Proposal as BudgetProposal
from participation.db import Base
from participation.rolls import unlink_account

#: What a closed account is called from then on.
CLOSED_LABEL = "已注销用户 #{id}"


@dataclass(frozen=True)
class Person:
    """The account being exported or closed, with what identifies them (read before
    anything is erased)."""

    account_id: int
    names: tuple[str, ...] = ()  # display name, roll name, login: words to scrub
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    roll_entry_ids: tuple[int, ...] = ()
    logins: tuple[str, ...] = ()  # what failed sign-ins are keyed by

    @property
    def label(self) -> str:
        return CLOSED_LABEL.format(id=self.account_id)

    def identifying(self) -> list[str]:
        """The strings that identify this person, longest first (so a phone inside
        an e-mail is replaced as part of the e-mail)."""
        words = {w for w in (*self.names, *self.phones, *self.emails) if len(w) >= 2}
        return sorted(words, key=len, reverse=True)

    def scrub(self, text: str | None) -> str | None:
        """``text`` with this person's name, phone and e-mail replaced by the label."""
        if not text:
            return text
        for word in self.identifying():
            text = text.replace(word, self.label)
        return text


Exporter = Callable[[Session, Person], list[dict[str, Any]]]
Eraser = Callable[[Session, Person], None]


@dataclass(frozen=True)
class Entry:
    """One table: the account-id columns it covers, how its rows are exported and
    erased, or why they are kept as they are (pointing at the anonymised account)."""

    table: str
    columns: tuple[str, ...]
    export: Exporter | None = None
    erase: Eraser | None = None
    kept: str = ""

    def __post_init__(self) -> None:
        if self.erase is None and not self.kept:
            raise ValueError(f"{self.table}: say how closing erases it, or why it is kept")


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def plain(value: Any) -> Any:
    """A stored value as JSON can carry it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def rows(name: str, column: str, *, omit: Iterable[str] = ()) -> Exporter:
    """Export the rows of ``name`` whose ``column`` is the person's account id,
    without the ``omit`` columns (hashes, tokens, other people's details)."""
    left_out = set(omit)

    def export(session: Session, person: Person) -> list[dict[str, Any]]:
        t = table(name)
        found = session.execute(select(t).where(t.c[column] == person.account_id)).mappings()
        return [{k: plain(v) for k, v in row.items() if k not in left_out} for row in found]

    return export


def remove(name: str, column: str) -> Eraser:
    """Closing deletes the person's rows of ``name``."""

    def erase(session: Session, person: Person) -> None:
        t = table(name)
        session.execute(delete(t).where(t.c[column] == person.account_id))

    return erase


def anonymise(
    name: str,
    column: str,
    *,
    label: Iterable[str] = (),
    clear: dict[str, Any] | None = None,
    scrub: Iterable[str] = (),
) -> Eraser:
    """Closing keeps the person's rows of ``name`` but puts the label in the
    ``label`` columns, sets the ``clear`` columns to the given values, and removes
    the person's name, phone and e-mail from the ``scrub`` (free-text) columns."""
    labelled, cleared, scrubbed = tuple(label), dict(clear or {}), tuple(scrub)

    def erase(session: Session, person: Person) -> None:
        t = table(name)
        mine = t.c[column] == person.account_id
        values: dict[str, Any] = {c: person.label for c in labelled} | cleared
        if values:
            session.execute(update(t).where(mine).values(**values))
        if scrubbed:
            key = list(t.primary_key.columns)
            found = session.execute(select(*key, *(t.c[c] for c in scrubbed)).where(mine)).all()
            for row in found:
                texts = {c: row._mapping[c] for c in scrubbed}
                clean = {c: person.scrub(v) for c, v in texts.items()}
                if clean != texts:
                    where = [k == row._mapping[k.name] for k in key]
                    session.execute(update(t).where(*where).values(**clean))

    return erase


def scrub_objects(model: type[Any], column: str, *fields: str) -> Eraser:
    """Like ``anonymise(scrub=...)`` but through the ORM, for records other parts
    watch for changes (the search index notes every changed title and text in the
    same flush, and reindexes them): the person's name, phone and e-mail go from
    ``fields`` of the rows whose ``column`` is the person."""

    def erase(session: Session, person: Person) -> None:
        mine = select(model).where(getattr(model, column) == person.account_id)
        for record in session.scalars(mine):
            for name in fields:
                value = getattr(record, name)
                clean = person.scrub(value)
                if clean != value:
                    setattr(record, name, clean)
        session.flush()

    return erase


def both(*erasers: Eraser) -> Eraser:
    def erase(session: Session, person: Person) -> None:
        for eraser in erasers:
            eraser(session, person)

    return erase


@dataclass(frozen=True)
class Coverage:
    """All the entries, as the web layer joins them from the domains."""

    entries: tuple[Entry, ...] = field(default_factory=tuple)

    def covered(self) -> set[tuple[str, str]]:
        return {(e.table, c) for e in self.entries for c in e.columns}


# --- the civic core's tables -------------------------------------------------------

STAFF_WORK = "a record of work done in an office role; points at the anonymised account"


def _participations(session: Session, person: Person) -> list[dict[str, Any]]:
    """The ballots this person voted in: box and title only. A ballot's content is
    stored apart, with nothing that joins it to its voter, and the receipt code was
    shown once and never stored in the clear: neither can be exported."""
    p, b = table("participations"), table("ballot_boxes")
    found = session.execute(
        select(b.c.id, b.c.title, b.c.closes_at)
        .join(p, p.c.box_id == b.c.id)
        .where(p.c.voter_key == f"account:{person.account_id}")
        .order_by(b.c.id)
    ).mappings()
    return [{k: plain(v) for k, v in row.items()} for row in found]


def _failure_keys(person: Person) -> Any:
    t = table("sign_in_failures")
    # Keys are "account:<login>", "account-ip:<login>|<address>", ... (accounts.py).
    return or_(*(t.c.key.like(f"%:{w}") | t.c.key.like(f"%:{w}|%") for w in person.logins))


def _sign_in_failures_export(session: Session, person: Person) -> list[dict[str, Any]]:
    """Failed sign-ins against this person's logins (with the address they came from)."""
    if not person.logins:
        return []
    t = table("sign_in_failures")
    found = session.execute(
        select(t.c.key, t.c.at).where(_failure_keys(person)).order_by(t.c.at)
    ).mappings()
    return [{k: plain(v) for k, v in row.items()} for row in found]


def _sign_in_failures(session: Session, person: Person) -> None:
    """Failed sign-ins are keyed by login: those naming this person's logins go."""
    if person.logins:
        t = table("sign_in_failures")
        session.execute(delete(t).where(_failure_keys(person)))


def _roll_export(session: Session, person: Person) -> list[dict[str, Any]]:
    t = table("roll_entries")
    found = session.execute(
        select(
            t.c.id,
            t.c.community_id,
            t.c.name,
            t.c.birth_date,
            t.c.household_code,
            t.c.phone,
            t.c.verified_at,
        ).where(t.c.account_id == person.account_id)
    ).mappings()
    note = "ID number: not stored; only a keyed hash, which cannot be turned back into it"
    return [{k: plain(v) for k, v in row.items()} | {"id_number": note} for row in found]


def _unlink_roll_entry(session: Session, person: Person) -> None:
    """Unlinked by the roll's own service, which keeps its community's counts."""
    unlink_account(session, person.account_id)


CORE: tuple[Entry, ...] = (
    Entry(
        "accounts",
        ("id",),
        rows("accounts", "id", omit=("password_hash", "session_epoch")),
        # The account row itself is anonymised last, by closing.close_account.
        kept="anonymised by closing.close_account itself, after every other table",
    ),
    Entry(
        "identities",
        ("account_id",),
        rows("identities", "account_id"),
        remove("identities", "account_id"),
    ),
    Entry(
        "role_grants",
        ("account_id",),
        rows("role_grants", "account_id"),
        remove("role_grants", "account_id"),
    ),
    Entry("role_grants", ("granted_by",), kept=STAFF_WORK),
    Entry(
        "roll_entries",
        ("account_id",),
        _roll_export,
        # The roll is the community's register, imported from it, not the account's:
        # the entry is unlinked, so the same person can verify a new account.
        _unlink_roll_entry,
    ),
    Entry("roll_entries", ("verified_by",), kept=STAFF_WORK),
    Entry(
        "deputy_entries",
        ("account_id",),
        rows("deputy_entries", "account_id", omit=("id_hash",)),
        anonymise("deputy_entries", "account_id", clear={"account_id": None}),
    ),
    Entry(
        "privacy_consents",
        ("account_id",),
        rows("privacy_consents", "account_id"),
        kept="proof of what the person agreed to and when; holds nothing else",
    ),
    Entry(
        "notices", ("account_id",), rows("notices", "account_id"), remove("notices", "account_id")
    ),
    Entry(
        "follows", ("account_id",), rows("follows", "account_id"), remove("follows", "account_id")
    ),
    Entry(
        "notice_preferences",
        ("account_id",),
        rows("notice_preferences", "account_id"),
        remove("notice_preferences", "account_id"),
    ),
    Entry(
        "notice_settings",
        ("account_id",),
        rows("notice_settings", "account_id"),
        remove("notice_settings", "account_id"),
    ),
    Entry(
        "reset_codes",
        ("account_id",),
        rows("reset_codes", "account_id", omit=("code_hash",)),
        remove("reset_codes", "account_id"),
    ),
    Entry("reset_codes", ("issued_by",), kept=STAFF_WORK),
    Entry(
        "outbox",
        ("account_id",),
        rows("outbox", "account_id", omit=("key", "last_error")),
        remove("outbox", "account_id"),
    ),
    # Sessions live in the signed cookie (nothing stored per account: closing ends them
    # all through the account's session epoch); failed sign-ins are kept by login.
    Entry("sign_in_failures", (), _sign_in_failures_export, _sign_in_failures),
    Entry(
        "audit_log",
        ("actor_id",),
        rows("audit_log", "actor_id", omit=("ip",)),
        kept="the audit log is append-only; entries point at the anonymised account",
    ),
    Entry(
        "participations",
        ("voter_key",),
        _participations,
        kept="one person, one vote: that this key voted stays (it says nothing of the choice)",
    ),
    Entry("ballot_boxes", ("created_by",), kept=STAFF_WORK),
    Entry("paper_entries", ("teller_id",), kept=STAFF_WORK),
    Entry(
        "budget_proposals",
        ("author_id",),
        rows("budget_proposals", "author_id"),
        scrub_objects(BudgetProposal, "author_id", "title", "description", "location"),
    ),
    Entry("budget_proposals", ("screened_by",), kept=STAFF_WORK),
    Entry(
        "budget_proposal_comments",
        ("author_id",),
        rows("budget_proposal_comments", "author_id"),
        anonymise("budget_proposal_comments", "author_id", scrub=("body",)),
    ),
    Entry(
        "budget_proposal_supports",
        ("account_id",),
        rows("budget_proposal_supports", "account_id"),
        kept="a support counted towards a proposal; points at the anonymised account",
    ),
    Entry("budget_rounds", ("created_by",), kept=STAFF_WORK),
    Entry("livelihood_cycles", ("created_by",), kept=STAFF_WORK),
    Entry("livelihood_attendance", ("signed_by",), kept=STAFF_WORK),
    Entry(
        "livelihood_candidates",
        ("submitted_by",),
        rows("livelihood_candidates", "submitted_by"),
        kept="a project put to the congress is a public record",
    ),
    Entry("eval_organizations", ("registered_by", "verified_by"), kept=STAFF_WORK),
    Entry(
        "eval_org_members",
        ("account_id",),
        rows("eval_org_members", "account_id"),
        remove("eval_org_members", "account_id"),
    ),
    Entry("import_jobs", ("created_by",), kept=STAFF_WORK),
    Entry("plan_items", ("owner_account_id", "created_by"), kept=STAFF_WORK),
    Entry("plan_milestones", ("created_by",), kept=STAFF_WORK),
    Entry("plan_outcomes", ("decided_by",), kept=STAFF_WORK),
    Entry("plan_year_end_drafts", ("saved_by",), kept=STAFF_WORK),
    Entry(
        "plan_updates",
        ("author_id",),
        rows("plan_updates", "author_id"),
        anonymise("plan_updates", "author_id", label=("author_name",), scrub=("text",)),
    ),
    Entry(
        "plan_visits",
        ("visitor_id",),
        rows("plan_visits", "visitor_id"),
        anonymise("plan_visits", "visitor_id", label=("visitor_name",), scrub=("findings",)),
    ),
    Entry(
        "resident_requests",
        ("requester_id",),
        rows("resident_requests", "requester_id", omit=("secret_hash", "secret_scheme")),
        anonymise(
            "resident_requests",
            "requester_id",
            label=("requester_name",),
            clear={"requester_phone": "", "address": ""},
            scrub=("description",),
        ),
    ),
    Entry("resident_requests", ("filed_by_id",), kept=STAFF_WORK),
    Entry(
        "request_steps",
        ("actor_id",),
        kept="the request's history; points at the anonymised account",
    ),
    Entry("request_extensions", ("asked_by", "decided_by"), kept=STAFF_WORK),
    Entry("request_hotspot_actions", ("created_by",), kept=STAFF_WORK),
    Entry("request_matter_links", ("created_by",), kept=STAFF_WORK),
    Entry("request_routing_rules", ("created_by",), kept=STAFF_WORK),
    Entry(
        "request_unit_members",
        ("account_id",),
        rows("request_unit_members", "account_id"),
        remove("request_unit_members", "account_id"),
    ),
    Entry("request_unit_members", ("added_by",), kept=STAFF_WORK),
    Entry("grid_assignments", ("worker_id", "assigned_by"), kept=STAFF_WORK),
    Entry("grid_visit_rules", ("set_by",), kept=STAFF_WORK),
    Entry("grid_visits", ("recorded_by",), kept=STAFF_WORK),
    Entry("mediation_cases", ("mediator_id", "opened_by"), kept=STAFF_WORK),
    Entry("mediation_sessions", ("recorded_by",), kept=STAFF_WORK),
    Entry(
        "mediation_parties",
        ("account_id",),
        rows("mediation_parties", "account_id"),
        anonymise("mediation_parties", "account_id", label=("name",), clear={"contact": ""}),
    ),
    Entry("mediation_parties", ("confirmed_by",), kept=STAFF_WORK),
)
