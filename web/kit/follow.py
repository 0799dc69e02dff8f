"""The follow button an area's page shows (plan items, consultations, budget rounds,
teams): the route puts ``follow=follow_button(request, kind, id)`` in its context and
the template includes ``accounts/_follow.html``. The routes it posts to are
``web/accounts/following.py``."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from participation.notifying import follows
from web.kit.auth import current_user_or_none
from web.kit.dbsession import db


@dataclass(frozen=True)
class FollowButton:
    kind: str
    target_id: int
    following: bool
    signed_in: bool

    @property
    def action(self) -> str:
        base = f"/account/following/{self.kind}/{self.target_id}"
        return f"{base}/remove" if self.following else base

    @property
    def page(self) -> str:
        return follows.link_of(self.kind, self.target_id)


def follow_button(request: Request, kind: str, target_id: int) -> FollowButton:
    """What the follow button shows to the person reading the page."""
    current = current_user_or_none(request)
    if current is None:
        return FollowButton(kind, target_id, False, False)
    return FollowButton(
        kind, target_id, follows.is_following(db(request), current.id, kind, target_id), True
    )
