"""Following plan items, consultations, budget rounds and teams; the list of what
one follows; how one wants to be told (per kind: inbox only or e-mail; a daily digest).

The follow button is a plain form (POST, then back to the page: works without
JavaScript); with htmx it swaps itself in place. Areas show it with
``web.kit.follow.follow_button`` and ``{% include "accounts/_follow.html" %}``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import N_, DomainError
from participation.notifying import follows, preferences
from participation.notifying.kinds import CHOOSABLE, LABELS
from participation.rules.permissions import Permission
from web.kit import htmx
from web.kit.auth import requires, user
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.follow import FollowButton
from web.kit.forms import FormReader, form_fields, safe_next
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash, render


async def _toggle(request: Request, on: bool) -> Response:
    kind = request.path_params["kind"]
    target_id = request.path_params["target_id"]
    session, account_id = db(request), user(request).id
    if on:
        follows.follow(session, account_id, kind, target_id, now(request))
    else:
        follows.unfollow(session, account_id, kind, target_id)
    if htmx.is_htmx(request):
        button = FollowButton(kind, target_id, on, True)
        return render(request, "accounts/_follow.html", {"follow": button})
    fields = await form_fields(request)
    return htmx.redirect(request, safe_next(fields.get("next"), follows.link_of(kind, target_id)))


@requires(Permission.USE_ACCOUNT)
async def follow(request: Request) -> Response:
    return await _toggle(request, True)


@requires(Permission.USE_ACCOUNT)
async def unfollow(request: Request) -> Response:
    return await _toggle(request, False)


@requires(Permission.USE_ACCOUNT)
async def following(request: Request) -> Response:
    followed = follows.following(db(request), user(request).id)
    return render(request, "accounts/following.html", {"followed": followed})


def _preferences_page(
    request: Request, prefs: preferences.Preferences, *, status: int = 200, **extra: object
) -> Response:
    kinds = [(kind, LABELS[kind], prefs.emails(kind)) for kind in CHOOSABLE]
    context = {"kinds": kinds, "digest": prefs.digest, **extra}
    return render(request, "accounts/notice_preferences.html", context, status=status)


@requires(Permission.USE_ACCOUNT)
async def preferences_page(request: Request) -> Response:
    return _preferences_page(request, preferences.preferences_of(db(request), user(request).id))


@requires(Permission.USE_ACCOUNT)
async def save_preferences(request: Request) -> Response:
    fields = await form_fields(request)
    reader = FormReader(fields)
    # A kind left out of the form keeps e-mail; a value that is not offered is refused.
    email = {
        k: reader.choice(f"mail-{k}", ("inbox", "email"), required=False) != "inbox"
        for k in CHOOSABLE
    }
    delivery = reader.choice("delivery", ("each", "digest"), required=False)

    def act() -> Response:
        reader.check()
        preferences.save_preferences(
            db(request), user(request).id, email, digest=delivery == "digest"
        )
        flash(request, N_("Your notice settings are saved."), "ok")
        return htmx.redirect(request, "/account/notices/preferences")

    async def page(error: DomainError) -> Response:
        prefs = preferences.Preferences(
            frozenset(k for k, wanted in email.items() if not wanted), delivery == "digest"
        )
        return _preferences_page(request, prefs, errors=error.fields, error=error.message)

    return await act_or_rerender(request, act, page)


routes = [
    Route("/account/following", following),
    Route("/account/following/{kind}/{target_id:int}", follow, methods=["POST"]),
    Route("/account/following/{kind}/{target_id:int}/remove", unfollow, methods=["POST"]),
    Route("/account/notices/preferences", preferences_page),
    Route("/account/notices/preferences", save_preferences, methods=["POST"]),
]
