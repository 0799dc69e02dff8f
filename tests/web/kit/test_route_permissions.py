"""Every route × every role: allowed, refused with 403, or sent to sign in.

The expectations are written out here, independently of the code's permission
table; a route missing from EXPECTED fails the coverage test, so every new route
must state who may use it.
"""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from participation.rules.permissions import Role
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.world import World

EVERYONE = "everyone"
SIGNED_IN = "signed_in"
BACKOFFICE = frozenset({"staff", "community_worker", "admin"})
ROLLS = frozenset({"community_worker", "admin"})
ADMIN = frozenset({"admin"})
CONSULTATIONS = frozenset({"staff", "community_worker", "admin"})
ORGS = frozenset({"org_member", "admin"})
DEPARTMENTS = frozenset({"staff", "admin"})
SUPERVISORS = frozenset({"deputy", "representative", "admin"})
BUDGETS = frozenset({"staff", "community_worker", "admin"})
LIVELIHOOD = frozenset({"staff", "admin"})
LEAD = frozenset({"team_leader", "community_worker", "admin"})
MANAGE_VOLUNTEERS = frozenset({"community_worker", "admin"})
FILE_REQUESTS = frozenset({"grid_worker", "staff", "community_worker", "admin"})
HANDLE_REQUESTS = frozenset({"unit_staff", "staff", "community_worker", "admin"})
ROUTE_REQUESTS = frozenset({"staff", "community_worker", "admin"})
ON_A_DEPUTY_ROLL: frozenset[str] = frozenset()  # no role opens it: the deputy roll does

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
    ("GET", "/account/notices"): SIGNED_IN,
    ("POST", "/account/notices/read"): SIGNED_IN,
    ("POST", "/account/notices/{notice}/read"): SIGNED_IN,
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
    ("GET", "/consultations"): EVERYONE,
    ("GET", "/consultations/topics/new"): SIGNED_IN,
    ("POST", "/consultations/topics/new"): SIGNED_IN,
    ("GET", "/consultations/topics/{topic}"): EVERYONE,
    ("POST", "/consultations/topics/{topic}/cosign"): SIGNED_IN,
    ("GET", "/consultations/terms/{term}"): EVERYONE,
    ("POST", "/consultations/terms/{term}/stand"): SIGNED_IN,
    ("GET", "/consultations/{consultation}"): EVERYONE,
    ("POST", "/consultations/{consultation}/posts"): SIGNED_IN,
    ("POST", "/consultations/{consultation}/posts/{post}/report"): SIGNED_IN,
    ("POST", "/consultations/{consultation}/statements"): SIGNED_IN,
    ("POST", "/consultations/{consultation}/statements/{statement}/vote"): SIGNED_IN,
    ("POST", "/consultations/{consultation}/objections"): SIGNED_IN,
    ("POST", "/consultations/{consultation}/minutes/sign"): SIGNED_IN,
    ("GET", "/consultations/{consultation}/minutes.pdf"): EVERYONE,
    ("GET", "/admin/consultations"): CONSULTATIONS,
    ("POST", "/admin/consultations/topics/{topic}/triage"): CONSULTATIONS,
    ("GET", "/admin/consultations/topics/{topic}/merge"): CONSULTATIONS,
    ("POST", "/admin/consultations/topics/{topic}/merge"): CONSULTATIONS,
    ("POST", "/admin/consultations/topics/{topic}/announce"): CONSULTATIONS,
    ("POST", "/admin/consultations/terms"): CONSULTATIONS,
    ("POST", "/admin/consultations/rules"): CONSULTATIONS,
    ("POST", "/admin/consultations/terms/{term}"): CONSULTATIONS,
    ("GET", "/admin/consultations/{consultation}"): CONSULTATIONS,
    ("POST", "/admin/consultations/{consultation}/attendance"): CONSULTATIONS,
    ("POST", "/admin/consultations/{consultation}/record"): CONSULTATIONS,
    ("POST", "/admin/consultations/{consultation}/posts/{post}/hide"): CONSULTATIONS,
    ("POST", "/admin/consultations/{consultation}/statements/{statement}/hide"): CONSULTATIONS,
    ("POST", "/admin/consultations/{consultation}/vote"): CONSULTATIONS,
    ("POST", "/admin/consultations/{consultation}/result"): CONSULTATIONS,
    ("POST", "/admin/consultations/{consultation}/objections/{objection}/answer"): CONSULTATIONS,
    ("POST", "/admin/consultations/{consultation}/finalize"): CONSULTATIONS,
    ("GET", "/api/v1/consultations"): EVERYONE,
    ("GET", "/api/v1/consultations.csv"): EVERYONE,
    ("GET", "/api/v1/consultations/{consultation}"): EVERYONE,
    ("GET", "/evaluations"): EVERYONE,
    ("GET", "/evaluations/{evaluation}"): EVERYONE,
    ("GET", "/evaluations/{evaluation}/respond"): EVERYONE,
    ("POST", "/evaluations/{evaluation}/respond"): EVERYONE,
    ("GET", "/evaluations/{evaluation}/report.pdf"): EVERYONE,
    ("GET", "/evaluations/{evaluation}/report.csv"): EVERYONE,
    ("GET", "/evaluations/{evaluation}/report.xlsx"): EVERYONE,
    ("GET", "/evaluations/{evaluation}/microdata.csv"): EVERYONE,
    ("GET", "/api/v1/evaluations"): EVERYONE,
    ("GET", "/api/v1/evaluations.csv"): EVERYONE,
    ("GET", "/api/v1/evaluations/{evaluation}"): EVERYONE,
    ("GET", "/organizations/new"): SIGNED_IN,
    ("POST", "/organizations/new"): SIGNED_IN,
    ("GET", "/evaluations/manage"): SIGNED_IN,
    ("POST", "/evaluations/manage"): ORGS,
    ("POST", "/organizations/{org}/members"): ORGS,
    ("GET", "/evaluations/manage/{evaluation}"): ORGS,
    ("POST", "/evaluations/manage/{evaluation}/indicators"): ORGS,
    ("POST", "/evaluations/manage/{evaluation}/questions"): ORGS,
    ("POST", "/evaluations/manage/{evaluation}/questions/{question}/delete"): ORGS,
    ("POST", "/evaluations/manage/{evaluation}/plan"): ORGS,
    ("POST", "/evaluations/manage/{evaluation}/invitations"): ORGS,
    ("POST", "/evaluations/manage/{evaluation}/open"): ORGS,
    ("POST", "/evaluations/manage/{evaluation}/close"): ORGS,
    ("POST", "/evaluations/manage/{evaluation}/publish"): ORGS,
    ("POST", "/panels"): ORGS,
    ("GET", "/panels/{panel}"): EVERYONE,
    ("GET", "/panels/{panel}/manage"): ORGS,
    ("POST", "/panels/{panel}/manage"): ORGS,
    ("GET", "/panels/{panel}/score"): SIGNED_IN,
    ("POST", "/panels/{panel}/score"): SIGNED_IN,
    ("GET", "/admin/organizations"): DEPARTMENTS,
    ("POST", "/admin/organizations/{org}/decide"): DEPARTMENTS,
    ("GET", "/evaluations/{evaluation}/department-response"): DEPARTMENTS,
    ("POST", "/evaluations/{evaluation}/department-response"): DEPARTMENTS,
    ("POST", "/evaluations/{evaluation}/rectifications/{item}"): DEPARTMENTS,
    ("GET", "/plan"): EVERYONE,
    ("GET", "/plan/feed.atom"): EVERYONE,
    ("GET", "/plan/items/{item}"): EVERYONE,
    ("POST", "/plan/items/{item}/updates"): SIGNED_IN,
    ("POST", "/plan/items/{item}/milestones/{milestone}/done"): SIGNED_IN,
    ("POST", "/plan/items/{item}/visits"): SUPERVISORS,
    ("GET", "/admin/plan"): BACKOFFICE,
    ("POST", "/admin/plan/items"): BACKOFFICE,
    ("GET", "/admin/plan/items/{item}"): BACKOFFICE,
    ("POST", "/admin/plan/items/{item}"): BACKOFFICE,
    ("POST", "/admin/plan/items/{item}/milestones"): BACKOFFICE,
    ("POST", "/admin/plan/items/{item}/schedule"): BACKOFFICE,
    ("POST", "/admin/plan/remind"): BACKOFFICE,
    ("GET", "/admin/plan/rollup"): BACKOFFICE,
    ("POST", "/admin/plan/rollup"): BACKOFFICE,
    ("GET", "/api/v1/plans"): EVERYONE,
    ("GET", "/api/v1/plan-items"): EVERYONE,
    ("GET", "/api/v1/plan-items.csv"): EVERYONE,
    ("GET", "/api/v1/plan-items.xlsx"): EVERYONE,
    ("GET", "/budgets"): EVERYONE,
    ("GET", "/budgets/notices"): EVERYONE,  # a redirect to /account/notices
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
    ("GET", "/volunteers"): EVERYONE,
    ("GET", "/volunteers/me"): SIGNED_IN,
    ("POST", "/volunteers/me/backfill"): SIGNED_IN,
    ("GET", "/volunteers/teams/{team}"): EVERYONE,
    ("POST", "/volunteers/teams/{team}/join"): SIGNED_IN,
    ("POST", "/volunteers/teams/{team}/leave"): SIGNED_IN,
    ("GET", "/volunteers/shifts/{shift}"): EVERYONE,
    ("POST", "/volunteers/shifts/{shift}/signup"): SIGNED_IN,
    ("POST", "/volunteers/shifts/{shift}/cancel"): SIGNED_IN,
    ("POST", "/volunteers/shifts/{shift}/accept"): SIGNED_IN,
    ("GET", "/volunteers/shifts/{shift}.ics"): EVERYONE,
    ("GET", "/volunteers/checkin/{shift}"): SIGNED_IN,
    ("POST", "/volunteers/checkin/{shift}"): SIGNED_IN,
    ("GET", "/volunteers/verify"): EVERYONE,
    ("GET", "/volunteers/verify/{number}"): EVERYONE,
    ("GET", "/volunteers/certificates/{number}.pdf"): SIGNED_IN,
    ("GET", "/volunteers/calendar/{token}.ics"): EVERYONE,
    ("GET", "/lead/teams/{team}"): LEAD,
    ("POST", "/lead/teams/{team}/members/{account}"): LEAD,
    ("POST", "/lead/teams/{team}/invite"): LEAD,
    ("POST", "/lead/teams/{team}/shifts"): LEAD,
    ("GET", "/lead/shifts/{shift}"): LEAD,
    ("POST", "/lead/shifts/{shift}/attendance"): LEAD,
    ("GET", "/lead/shifts/{shift}/checkin-code"): LEAD,
    ("POST", "/lead/shifts/{shift}/move"): LEAD,
    ("POST", "/lead/shifts/{shift}/cancel"): LEAD,
    ("POST", "/volunteers/me/settings"): SIGNED_IN,
    ("POST", "/lead/backfills/{request}"): LEAD,
    ("GET", "/admin/volunteers"): MANAGE_VOLUNTEERS,
    ("POST", "/admin/volunteers/teams"): MANAGE_VOLUNTEERS,
    ("GET", "/admin/volunteers/certificates"): MANAGE_VOLUNTEERS,
    ("POST", "/admin/volunteers/certificates"): MANAGE_VOLUNTEERS,
    ("POST", "/admin/volunteers/certificates/{number}/revoke"): MANAGE_VOLUNTEERS,
    ("GET", "/admin/volunteers/hours.csv"): MANAGE_VOLUNTEERS,
    ("GET", "/admin/volunteers/hours.xlsx"): MANAGE_VOLUNTEERS,
    ("GET", "/api/v1/volunteer/teams"): EVERYONE,
    ("GET", "/api/v1/volunteer/shifts"): EVERYONE,
    ("GET", "/api/v1/volunteer/hours"): EVERYONE,
    ("GET", "/lead/teams/{team}/rules"): LEAD,
    ("POST", "/lead/teams/{team}/rules"): LEAD,
    ("GET", "/lead/activities/{activity}"): LEAD,
    ("POST", "/lead/activities/{activity}"): LEAD,
    ("GET", "/admin/volunteers/stars"): MANAGE_VOLUNTEERS,
    ("POST", "/admin/volunteers/stars"): MANAGE_VOLUNTEERS,
    ("GET", "/api/v1/volunteer/star-levels"): EVERYONE,
    # Departments: plan staff manage those of their area; the world's departments (and a
    # new one posted without an area) are not placed, so only grants everywhere may.
    ("GET", "/admin/departments"): BACKOFFICE,
    ("POST", "/admin/departments"): ADMIN,
    ("POST", "/admin/departments/merge"): BACKOFFICE,
    ("POST", "/admin/departments/adopt"): BACKOFFICE,
    ("POST", "/admin/departments/{department}"): ADMIN,
    ("GET", "/readyz"): EVERYONE,
    ("GET", "/metrics"): EVERYONE,  # by address, not role: 404 unless GONGZHI_METRICS_ALLOW
    # Resident requests: anyone follows by number and secret; residents file signed in;
    # grid and desk workers file for residents; units handle; routing staff route.
    ("GET", "/requests"): EVERYONE,
    ("GET", "/requests/new"): SIGNED_IN,
    ("POST", "/requests/new"): SIGNED_IN,
    ("GET", "/requests/assist"): FILE_REQUESTS,
    ("POST", "/requests/assist"): FILE_REQUESTS,
    ("GET", "/requests/filed"): EVERYONE,
    ("GET", "/requests/track"): EVERYONE,
    ("POST", "/requests/track/answer"): EVERYONE,
    ("POST", "/requests/track/visit"): EVERYONE,
    ("GET", "/requests/mine"): SIGNED_IN,
    ("GET", "/requests/mine/{request}"): SIGNED_IN,
    ("POST", "/requests/mine/{request}/answer"): SIGNED_IN,
    ("POST", "/requests/mine/{request}/visit"): SIGNED_IN,
    ("GET", "/requests/{request}/files/{file}"): EVERYONE,
    ("GET", "/admin/requests"): HANDLE_REQUESTS,
    ("GET", "/admin/requests.csv"): HANDLE_REQUESTS,
    ("GET", "/admin/requests.xlsx"): HANDLE_REQUESTS,
    ("GET", "/admin/requests/{request}"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/accept"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/return"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/transfer"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/join"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/record"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/propose"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/visit"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/redirect"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/{request}/merge"): ROUTE_REQUESTS,
    ("GET", "/admin/requests/routing"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/routing"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/routing/{rule}/delete"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/units"): ROUTE_REQUESTS,
    # Grid work: a grid worker's own page; assignments and cadres' visits in the back office.
    ("GET", "/requests/grid"): FILE_REQUESTS,
    ("GET", "/admin/requests/grids"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/grids"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/grids/{assignment}/end"): ROUTE_REQUESTS,
    ("GET", "/admin/requests/visits"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/visits"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/visits/rules"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/visits/{visit}/file"): ROUTE_REQUESTS,
    # Following a request posts its number and secret (requests-trust).
    ("POST", "/requests/track"): EVERYONE,
    # Mediation: the back office handles cases; a party confirms signed in.
    ("GET", "/admin/requests/mediation"): HANDLE_REQUESTS,
    ("GET", "/admin/requests/{request}/mediation"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/mediation/open"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/mediation/mediator"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/mediation/sessions"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/mediation/agreement"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/mediation/confirm"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/mediation/refer"): HANDLE_REQUESTS,
    ("GET", "/requests/mediation"): SIGNED_IN,
    ("GET", "/requests/mediation/{case}"): SIGNED_IN,
    ("POST", "/requests/mediation/{case}/confirm"): SIGNED_IN,
    # Supervision (督办): notices and extensions for who handles requests; the deputies'
    # liaison station opens from the deputy roll, not from a role (nobody in this world
    # is on a roll: tests/web/requests/test_supervision.py signs in a deputy who is).
    ("GET", "/admin/requests/supervision"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/extension"): HANDLE_REQUESTS,
    ("POST", "/admin/requests/{request}/extension/decide"): HANDLE_REQUESTS,
    ("GET", "/requests/deputy"): ON_A_DEPUTY_ROLL,
    ("GET", "/requests/deputy/{request}"): ON_A_DEPUTY_ROLL,
    ("POST", "/requests/deputy/{request}/note"): ON_A_DEPUTY_ROLL,
    # The public board of requests, hotspots and ranking, open data: counts only.
    ("GET", "/requests/board"): EVERYONE,
    ("GET", "/requests/hotspots"): EVERYONE,
    ("GET", "/requests/board/{area}/feed.atom"): EVERYONE,
    ("GET", "/api/v1/requests"): EVERYONE,
    ("GET", "/api/v1/requests.csv"): EVERYONE,
    ("GET", "/requests/hotspots/{action}"): EVERYONE,
    ("POST", "/admin/requests/hotspots/plan"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/hotspots/topic"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/{request}/matter/plan"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/{request}/matter/topic"): ROUTE_REQUESTS,
    # Members of handling units (req-gaps).
    ("GET", "/admin/requests/members"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/members"): ROUTE_REQUESTS,
    ("POST", "/admin/requests/members/remove"): ROUTE_REQUESTS,
    # accounts-desk: password reset and the desk
    ("GET", "/account/reset"): EVERYONE,
    ("POST", "/account/reset/sms"): EVERYONE,
    ("POST", "/account/reset/email"): EVERYONE,
    ("GET", "/account/reset/code"): EVERYONE,
    ("POST", "/account/reset/code"): EVERYONE,
    ("GET", "/account/reset/email/{token}"): EVERYONE,
    ("POST", "/account/reset/email/{token}"): EVERYONE,
    ("GET", "/admin/desk"): ROLLS,
    ("POST", "/admin/desk"): ROLLS,
    ("POST", "/admin/desk/slip"): ROLLS,
    ("POST", "/admin/desk/assist"): ROLLS,
    ("POST", "/admin/desk/end"): EVERYONE,
    # Following and notice settings (issue 18): each person's own.
    ("GET", "/account/following"): SIGNED_IN,
    ("POST", "/account/following/{kind}/{target}"): SIGNED_IN,
    ("POST", "/account/following/{kind}/{target}/remove"): SIGNED_IN,
    ("GET", "/account/notices/preferences"): SIGNED_IN,
    ("POST", "/account/notices/preferences"): SIGNED_IN,
    ("GET", "/me/activity"): SIGNED_IN,
    # The age-friendly display switch (elder-mode).
    ("POST", "/display"): EVERYONE,
    # search (issue 18): public records only, for everyone
    ("GET", "/search"): EVERYONE,
    # personal-information rights (privacy)
    ("GET", "/account/privacy"): EVERYONE,
    ("POST", "/account/privacy/agree"): SIGNED_IN,
    ("GET", "/account/data"): SIGNED_IN,
    ("POST", "/account/data"): SIGNED_IN,
    ("GET", "/account/close"): SIGNED_IN,
    ("POST", "/account/close"): SIGNED_IN,
    ("POST", "/auth/oidc/{provider}/close"): SIGNED_IN,
    ("GET", "/plan/departments"): EVERYONE,
    ("GET", "/lead/teams/{team}/shifts/new"): LEAD,
    ("GET", "/lead/teams/{team}/members/{account}"): LEAD,
}

# Routes whose access is decided elsewhere (not by role): static files, error pages.
NOT_ROLE_ROUTES = {"/static/vendor/htmx.min.js", "/favicon.ico", "/_error/{status:int}"}

PEOPLE = ["anonymous", "nobody", *[r.value for r in Role]]


def concrete(template: str, world: World) -> str:
    values = {
        "area": world["community"].id,
        "account": world["people"]["nobody"].id,
        "box": 1,
        "job": 1,
        "congress": 1,
        "provider": "none",
        "topic": 1,
        "term": 1,
        "consultation": 1,
        "post": 1,
        "statement": 1,
        "objection": 1,
        "evaluation": 1,
        "org": 1,
        "question": 1,
        "item": 1,
        "panel": 1,
        "milestone": 1,
        "round": 1,
        "proposal": 1,
        "cycle": 1,
        "candidate": 1,
        "team": 1,
        "activity": 1,
        "shift": 1,
        "request": 1,
        "case": 1,
        "notice": 1,
        "department": 1,
        "file": 1,
        "rule": 1,
        "assignment": 1,
        "visit": 1,
        "action": 1,
        "number": "NONE",
        "token": "none",
        "kind": "team",
        "target": 1,
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
        "topic_id",
        "term_id",
        "consultation_id",
        "post_id",
        "statement_id",
        "objection_id",
        "evaluation_id",
        "org_id",
        "question_id",
        "item_id",
        "panel_id",
        "milestone_id",
        "round_id",
        "proposal_id",
        "cycle_id",
        "candidate_id",
        "team_id",
        "activity_id",
        "shift_id",
        "request_id",
        "notice_id",
        "department_id",
        "file_id",
        "rule_id",
        "assignment_id",
        "visit_id",
        "case_id",
        "action_id",
        "target_id",
    ):
        path = path.replace(f"{{{name}:int}}", "{" + name.removesuffix("_id") + "}")
    return path


def test_every_route_has_an_expectation(app: Starlette) -> None:
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
def test_access_table(who: str, client: FormClient, world: World) -> None:
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


def test_every_route_is_stated_once() -> None:
    """A dict literal keeps the last of two equal keys silently; merges have done that."""
    import ast
    import inspect
    import sys

    tree = ast.parse(inspect.getsource(sys.modules[__name__]))
    table = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "EXPECTED"
    )
    assert isinstance(table, ast.Dict)
    keys = [ast.unparse(key) for key in table.keys if key is not None]
    assert len(keys) == len(set(keys)) == len(EXPECTED)
