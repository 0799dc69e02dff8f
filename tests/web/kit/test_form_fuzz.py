"""A form fuzzer over every POST route, against the demo data (issue 13, "Done when").

For each POST route of the app, signed in as a role allowed on it and with a valid
CSRF token, it posts malformed forms: every field the templates name set at once
to out-of-range integers (2**63, -1, 40 digits), full-width and superscript
digits, empty, control and non-ASCII text, very long text; no fields at all;
files where text is expected; a field over 1 MB. Anonymously it posts a
non-ASCII CSRF token. Nothing may answer 5xx, and a refused request (4xx) must
store nothing: SQLite's ``data_version`` (which changes whenever another
connection commits) is read before and after each request, and when it moved
the row counts of all tables say what changed.

Deterministic (no randomness) and bounded: about a dozen requests per route.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route

from tests.support.client import FormClient
from tests.support.demo_db import DEMO_PASSWORD

TEMPLATES = Path(__file__).resolve().parents[3] / "web" / "templates"

#: A path parameter -> the table (and column) an existing value is taken from (the
#: newest row: in the demo the newest round, cycle and so on is the one still open).
PLACES = {
    "account_id": ("accounts", "id"),
    "area_id": ("areas", "id"),
    "box_id": ("ballot_boxes", "id"),
    "job_id": ("import_jobs", "id"),
    "congress_id": ("congresses", "id"),
    "topic_id": ("consultation_topics", "id"),
    "term_id": ("representative_terms", "id"),
    "consultation_id": ("consultations", "id"),
    "post_id": ("consultation_posts", "id"),
    "statement_id": ("opinion_statements", "id"),
    "objection_id": ("consultation_objections", "id"),
    "evaluation_id": ("evaluations", "id"),
    "org_id": ("eval_organizations", "id"),
    "question_id": ("eval_questions", "id"),
    "item_id": ("plan_items", "id"),
    "panel_id": ("eval_panels", "id"),
    "milestone_id": ("plan_milestones", "id"),
    "round_id": ("budget_rounds", "id"),
    "proposal_id": ("budget_proposals", "id"),
    "cycle_id": ("livelihood_cycles", "id"),
    "candidate_id": ("livelihood_candidates", "id"),
    "team_id": ("vol_teams", "id"),
    "activity_id": ("vol_activities", "id"),
    "shift_id": ("vol_shifts", "id"),
    "request_id": ("vol_backfills", "id"),
    "notice_id": ("notices", "id"),
    "number": ("vol_certificates", "number"),
}
#: Routes that change who is signed in: fuzzed anonymously only.
ANONYMOUS_ONLY = {"/login", "/signup", "/logout"}
#: Refusals that must record themselves (they feed the sign-in rate limits).
MAY_RECORD_REFUSAL = {
    "/login": {"sign_in_failures"},
    "/verify": {"sign_in_failures"},
    # A tracking lookup that matches nothing counts against the guessing limits.
    "/requests/track": {"sign_in_failures"},
    "/requests/track/answer": {"sign_in_failures"},
    "/requests/track/visit": {"sign_in_failures"},
    # A wrong reset code or link counts against the address (and the code's tries).
    "/account/reset/code": {"sign_in_failures"},
    "/account/reset/email/{token}": {"sign_in_failures"},
}

HUGE = str(2**63)
BAD_VALUES = [
    HUGE,
    "-1",
    "9" * 40,
    "１８０００",
    "²",
    "",
    "1.5e400",
    "é中👍\x00\x1b",
    "a" * 5000,
]


def field_names() -> list[str]:
    """Every form field named in the templates (not the generated ones)."""
    names: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        names |= set(re.findall(r'name="([A-Za-z_][A-Za-z0-9_-]*)"', template.read_text()))
    return sorted(names - {"csrf_token"})


def form(names: list[str], value: str) -> dict[str, str]:
    """Every field set to ``value``, except that dates and times stay readable, so
    handlers that check those first get on to the numbers."""
    out = {}
    for name in names:
        if name.endswith(("_on", "_date")) or name in {"born", "birth_date"}:
            out[name] = "2026-06-01"
        elif name.endswith("_at"):
            out[name] = "2026-06-01T10:00"
        else:
            out[name] = value
    return out


def login_for(path: str, rule: object) -> str | None:
    """A demo account allowed on the route (None: anonymous)."""
    from tests.web.kit.test_route_permissions import (
        EVERYONE,
        LEAD,
        ORGS,
        SIGNED_IN,
        SUPERVISORS,
    )

    if path in ANONYMOUS_ONLY:
        return None
    if rule in (EVERYONE, SIGNED_IN):
        return "volunteer" if path.startswith("/volunteers") else "resident"
    special: dict[object, str] = {LEAD: "leader", ORGS: "orguser", SUPERVISORS: "deputy"}
    return special.get(rule, "admin")


class Database:
    """Reads the demo database beside the app, on a connection of its own."""

    def __init__(self, url: str) -> None:
        self.conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        self.tables = [
            r[0]
            for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]

    def version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def counts(self) -> dict[str, int]:
        return {
            t: self.conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in self.tables
        }

    def open_request(self, requester: str | None = None) -> str:
        """A resident request still being handled (the demo ``requester``'s, if named),
        so that the handlers get past the request's state to the fields."""
        sql = (
            "SELECT r.id FROM resident_requests r LEFT JOIN accounts a ON a.id = r.requester_id"
            " WHERE r.status NOT IN ('closed') AND (? IS NULL OR a.username = ?)"
            " ORDER BY r.id DESC LIMIT 1"
        )
        row = self.conn.execute(sql, (requester, requester)).fetchone()
        return str(row[0]) if row else self.newest("resident_requests", "id")

    def newest(self, table: str, column: str) -> str:
        row = self.conn.execute(
            f'SELECT "{column}" FROM "{table}" ORDER BY id DESC LIMIT 1'
        ).fetchone()
        return str(row[0]) if row else "1"


def concrete(path: str, db: Database) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "item_id" and "/rectifications/" in path:
            return db.newest("eval_rectifications", "id")
        if name == "request_id" and path.startswith("/requests/mine/"):
            return db.open_request("resident")
        if name == "request_id" and "requests/" in path:
            return db.open_request()
        if name == "rule_id":
            return db.newest("request_routing_rules", "id")
        if name in PLACES:
            return db.newest(*PLACES[name])
        return "none"

    return re.sub(r"{(\w+)(?::\w+)?}", value, path)


def post_routes(app: Any) -> list[str]:
    return [
        route.path
        for route in app.routes
        if isinstance(route, Route) and "POST" in (route.methods or set())
    ]


def test_form_fuzzer_finds_no_5xx_and_refusals_store_nothing(
    demo_app: Starlette, demo_url: str
) -> None:
    from tests.web.kit.test_route_permissions import EXPECTED, normalized

    db = Database(demo_url)
    names = field_names()
    clients: dict[str | None, FormClient] = {}
    problems: list[str] = []
    commits_seen: list[str] = []  # the detector's own check: accepted posts do commit
    sent = 0

    def client_for(login: str | None) -> FormClient:
        if login not in clients:
            c = FormClient(demo_app, base_url="http://testserver", raise_server_exceptions=False)
            c.__enter__()
            if login is not None:
                c.sign_in(login, DEMO_PASSWORD)
            clients[login] = c
        return clients[login]

    def attempt(c: FormClient, template: str, path: str, what: str, **kwargs: Any) -> int:
        nonlocal sent
        before, counts = db.version(), db.counts()
        response = c.post(path, follow_redirects=False, **kwargs)
        sent += 1
        status = response.status_code
        if status < 400 and db.version() != before:
            commits_seen.append(path)
        if status >= 500:
            problems.append(f"{status} POST {path} ({what})")
        elif status >= 400 and db.version() != before:
            after = db.counts()
            # The table counters move with whatever was written (bookkeeping, not a record).
            changed = {t for t in after if after[t] != counts[t]} - {"table_versions"}
            if changed - MAY_RECORD_REFUSAL.get(template, set()) or not changed:
                problems.append(
                    f"{status} POST {path} ({what}) stored: {sorted(changed) or 'updates'}"
                )
        return status

    try:
        for template in post_routes(demo_app):
            rule = EXPECTED[("POST", normalized(template))]
            path = concrete(template, db)
            c = client_for(login_for(template, rule))
            token = c.csrf("/")
            if attempt(c, template, path, "no fields", data={"csrf_token": token}) == 403:
                # Not this demo account's team, community or organization: the
                # administrator may act everywhere, so the fields get read.
                c = client_for("admin")
                token = c.csrf("/")
            for value in BAD_VALUES:
                attempt(
                    c,
                    template,
                    path,
                    f"all fields {value[:12]!r}",
                    data=form(names, value) | {"csrf_token": token},
                )
            attempt(
                c,
                template,
                path,
                "files for text",
                data={"csrf_token": token},
                files={
                    name: (f"{name}.txt", b"\xff\xfe\x00 not text", "application/octet-stream")
                    for name in names
                },
            )
            attempt(
                c,
                template,
                path,
                "a field over 1 MB",
                data={"csrf_token": token, "title": "x" * (1024 * 1024 + 1)},
                files={"none": ("", b"")},
            )
            anonymous = client_for(None)
            anonymous.csrf("/login")
            attempt(anonymous, template, path, "non-ASCII CSRF token", data={"csrf_token": "令牌"})
    finally:
        for c in clients.values():
            c.__exit__(None, None, None)
        db.conn.close()
    assert sent > 10 * len(post_routes(demo_app))
    assert len(commits_seen) > 10  # data_version does see other connections' commits
    assert not problems, "\n".join(problems)
