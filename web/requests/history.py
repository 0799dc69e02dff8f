"""A request's history as its pages show it: the office's, the requester's (signed in
or by number) and the deputy's. Each shows the newest STEPS_SHOWN steps, with a way
to see every one (``history=all``), so that no page grows with a long history: a
request reminded or supervised every day for a year has hundreds of steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from participation.requests import tracking
from participation.requests.models import ResidentRequest
from web.kit.dbsession import db

#: Steps of a request's history shown on its pages, newest (``history=all``: every one).
STEPS_SHOWN = 30


def wants_all(asked: Mapping[str, str]) -> bool:
    """Whether ``asked`` (a page's query, or a posted form) asks for every step."""
    return asked.get("history") == "all"


def timeline(
    request: Request, found: ResidentRequest, *, page: str | None, everything: bool
) -> dict[str, Any]:
    """The context of a request's timeline (requests/_timeline.html): ``f``, what
    tracking.followed sees (only the newest STEPS_SHOWN steps unless ``everything``),
    in as many statements however long the history; ``all_history``; and
    ``history_url``, the address of the page with every step (``page``: the page's
    own path; None for a follower by number, whose secret goes in no link: the
    timeline posts the credentials again instead)."""
    followed = tracking.followed(db(request), found, last=None if everything else STEPS_SHOWN)
    return {
        "f": followed,
        "all_history": everything,
        "history_url": f"{page}?history=all" if page else None,
    }
