"""Every route × every role: allowed, refused with 403, or sent to sign in.

The expectations are written out here, independently of the code's permission
table; a route missing from EXPECTED fails the coverage test, so every new route
must state who may use it.
"""

from __future__ import annotations

import pytest
from starlette.routing import Route

from participation.rules.permissions import Role
from tests.conftest import PASSWORD

EVERYONE = "everyone"
SIGNED_IN = "signed_in"
BACKOFFICE = frozenset({"staff", "community_worker", "admin"})
ROLLS = frozenset({"community_worker", "admin"})
ADMIN = frozenset({"admin"})
BUDGETS = frozenset({"staff", "community_worker", "admin"})
LIVELIHOOD = frozenset({"staff", "admin"})

# (method, path template) -> who may use it
EXPECTED: dict[tuple[str, str], object] = {
    ("GET", "/"): EVERYONE,
    ("POST", "/lang"): EVERYONE,
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/signup"): EVERYONE,
    ("POST", "/signup"): EVERYONE,
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("POST", "/logout"): EVERYONE,
    ("GET", "/account"): SIGNED_IN,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/areas"): EVERYONE,
    ("GET", "/areas/{area}"): EVERYONE,
    ("GET", "/api/v1/areas"): EVERYONE,
    ("GET", "/api/v1/areas/{area}"): EVERYONE,
    ("GET", "/api/openapi.json"): EVERYONE,
    ("GET", "/admin"): BACKOFFICE,
    ("GET", "/admin/areas"): ADMIN,
    ("POST", "/admin/areas"): ADMIN,
    ("POST", "/admin/areas/import"): ADMIN,
    ("POST", "/admin/areas/{area}/rename"): ADMIN,
    ("GET", "/admin/accounts"): ADMIN,
    ("GET", "/admin/accounts/{account}"): ADMIN,
    ("POST", "/admin/accounts/{account}/grant"): ADMIN,
    ("POST", "/admin/accounts/{account}/revoke"): ADMIN,
    ("POST", "/admin/accounts/{account}/active"): ADMIN,
    ("GET", "/admin/audit"): ADMIN,
    ("GET", "/auth/oidc/{provider}/login"): EVERYONE,
    ("POST", "/auth/oidc/{provider}/link"): SIGNED_IN,
    ("GET", "/auth/oidc/{provider}/callback"): EVERYONE,
    ("GET", "/verify"): SIGNED_IN,
    ("POST", "/verify"): SIGNED_IN,
    ("GET", "/admin/verify"): ROLLS,
    ("POST", "/admin/verify"): ROLLS,
    ("GET", "/admin/rolls"): ROLLS,
    ("POST", "/admin/rolls/import"): ROLLS,
    ("GET", "/admin/rolls/jobs/{job}"): ROLLS,
    ("GET", "/admin/congresses"): ROLLS,
    ("POST", "/admin/congresses"): ROLLS,
    ("GET", "/admin/congresses/{congress}"): ROLLS,
    ("POST", "/admin/congresses/{congress}/import"): ROLLS,
    ("POST", "/admin/congresses/{congress}/link"): ROLLS,
    ("GET", "/ballots"): EVERYONE,
    ("GET", "/ballots/{box}"): EVERYONE,
    ("POST", "/ballots/{box}/cast"): SIGNED_IN,
    ("GET", "/ballots/{box}/receipt"): EVERYONE,
    ("GET", "/ballots/{box}/bulletin.json"): EVERYONE,
    ("GET", "/api/v1/ballots"): EVERYONE,
    ("GET", "/api/v1/ballots/{box}/bulletin"): EVERYONE,
    ("GET", "/admin/ballots"): BACKOFFICE,
    ("POST", "/admin/ballots"): BACKOFFICE,
    ("GET", "/admin/ballots/{box}"): BACKOFFICE,
    ("POST", "/admin/ballots/{box}/paper"): BACKOFFICE,
    ("POST", "/admin/ballots/{box}/paper-counts"): BACKOFFICE,
    ("POST", "/admin/ballots/{box}/recount"): BACKOFFICE,
    ("POST", "/admin/ballots/{box}/publish"): BACKOFFICE,
    ("GET", "/budgets"): EVERYONE,
    ("GET", "/budgets/notices"): SIGNED_IN,
    ("GET", "/budgets/{round}"): EVERYONE,
    ("GET", "/budgets/{round}/propose"): SIGNED_IN,
    ("POST", "/budgets/{round}/propose"): SIGNED_IN,
    ("GET", "/budgets/{round}/results"): EVERYONE,
    ("GET", "/budgets/proposals/{proposal}"): EVERYONE,
    ("POST", "/budgets/proposals/{proposal}/support"): SIGNED_IN,
    ("POST", "/budgets/proposals/{proposal}/comment"): SIGNED_IN,
    ("GET", "/budgets/proposals/{proposal}/photo"): EVERYONE,
    ("GET", "/admin/budgets"): BUDGETS,
    ("POST", "/admin/budgets"): BUDGETS,
    ("GET", "/admin/budgets/{round}"): BUDGETS,
    ("POST", "/admin/budgets/{round}/advance"): BUDGETS,
    ("POST", "/admin/budgets/proposals/{proposal}/screen"): BUDGETS,
    ("GET", "/api/v1/budget-rounds"): EVERYONE,
    ("GET", "/api/v1/budget-rounds.csv"): EVERYONE,
    ("GET", "/api/v1/budget-rounds.xlsx"): EVERYONE,
    ("GET", "/api/v1/budget-rounds/{round}"): EVERYONE,
    ("GET", "/api/v1/budget-rounds/{round}/projects.csv"): EVERYONE,
    ("GET", "/api/v1/budget-rounds/{round}/projects.xlsx"): EVERYONE,
    ("GET", "/livelihood"): EVERYONE,
    ("GET", "/livelihood/{cycle}"): EVERYONE,
    ("GET", "/livelihood/{cycle}/submit"): EVERYONE,
    ("POST", "/livelihood/{cycle}/submit"): SIGNED_IN,
    ("GET", "/livelihood/{cycle}/qr.svg"): EVERYONE,
    ("POST", "/livelihood/{cycle}/attend"): SIGNED_IN,
    ("GET", "/livelihood/{cycle}/result"): EVERYONE,
    ("GET", "/livelihood/{cycle}/result.pdf"): EVERYONE,
    ("GET", "/admin/livelihood"): LIVELIHOOD,
    ("POST", "/admin/livelihood"): LIVELIHOOD,
    ("GET", "/admin/livelihood/{cycle}"): LIVELIHOOD,
    ("POST", "/admin/livelihood/{cycle}/advance"): LIVELIHOOD,
    ("POST", "/admin/livelihood/{cycle}/ballot"): LIVELIHOOD,
    ("POST", "/admin/livelihood/{cycle}/attendance"): LIVELIHOOD,
    ("POST", "/admin/livelihood/candidates/{candidate}/screen"): LIVELIHOOD,
    ("GET", "/api/v1/livelihood/cycles"): EVERYONE,
    ("GET", "/api/v1/livelihood/cycles/{cycle}"): EVERYONE,
    ("GET", "/api/v1/livelihood/cycles/{cycle}/candidates.csv"): EVERYONE,
    ("GET", "/api/v1/livelihood/cycles/{cycle}/candidates.xlsx"): EVERYONE,
}

# Routes whose access is decided elsewhere (not by role): static files, error pages.
NOT_ROLE_ROUTES = {"/static/vendor/htmx.min.js", "/_error/{status:int}"}

PEOPLE = ["anonymous", "nobody", *[r.value for r in Role]]


def concrete(template: str, world) -> str:  # type: ignore[no-untyped-def]
    values = {
        "area": world["community"].id,
        "account": world["people"]["nobody"].id,
        "box": 1,
        "job": 1,
        "congress": 1,
        "provider": "none",
        "round": 1,
        "proposal": 1,
        "cycle": 1,
        "candidate": 1,
    }
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def normalized(path: str) -> str:
    for name in (
        "area_id",
        "account_id",
        "box_id",
        "job_id",
        "congress_id",
        "round_id",
        "proposal_id",
        "cycle_id",
        "candidate_id",
    ):
        path = path.replace(f"{{{name}:int}}", "{" + name.removesuffix("_id") + "}")
    return path


def test_every_route_has_an_expectation(app) -> None:  # type: ignore[no-untyped-def]
    missing = []
    for route in app.routes:
        if not isinstance(route, Route) or route.path in NOT_ROLE_ROUTES:
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if (method, normalized(route.path)) not in EXPECTED:
                missing.append(f"{method} {route.path}")
    assert not missing, f"routes without an access expectation: {missing}"


def allowed(who: str, rule: object) -> bool:
    if rule == EVERYONE:
        return True
    if who == "anonymous":
        return False
    if rule == SIGNED_IN:
        return True
    assert isinstance(rule, frozenset)
    return who in rule


@pytest.mark.parametrize("who", PEOPLE)
def test_access_table(who: str, client, world) -> None:  # type: ignore[no-untyped-def]
    if who != "anonymous":
        login = "nobody" if who == "nobody" else who.replace("_", "")
        client.sign_in(login, PASSWORD)
    problems = []
    for (method, template), rule in EXPECTED.items():
        if template in {"/logout", "/lang", "/login", "/signup"} and method == "POST":
            continue  # they change who is signed in; covered in test_accounts
        path = concrete(template, world)
        if method == "GET":
            response = client.get(path, follow_redirects=False)
        else:
            response = client.post(
                path, data={"csrf_token": client.csrf("/")}, follow_redirects=False
            )
        status = response.status_code
        if allowed(who, rule):
            ok = status not in (401, 403) and not (
                status == 303 and response.headers["location"].startswith("/login")
            )
        elif who == "anonymous":
            ok = status == 303 and response.headers["location"].startswith("/login?next=")
        else:
            ok = status == 403
        if not ok:
            problems.append(f"{who} {method} {path} -> {status}")
    assert not problems
