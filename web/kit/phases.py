"""The back office's "move on to the next phase" form, the same for every process
that runs in phases (community budget rounds, livelihood cycles)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from participation.errors import DomainError
from web.kit import htmx
from web.kit.auth import user
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db
from web.kit.forms import FormReader, form_fields
from web.kit.refusals import act_or_rerender
from web.kit.templating import flash

Record = TypeVar("Record", contravariant=True)


class PhaseMove(Protocol[Record]):
    """A service that moves ``record`` on and audits the move once (``advance``)."""

    def __call__(
        self,
        session: Session,
        record: Record,
        actor_id: int,
        now: datetime,
        closes_at: datetime | None = None,
        expected: str | None = None,
        /,
        *,
        ip: str = "",
    ) -> str: ...


RefusedPage = Callable[[dict[str, str], DomainError], Awaitable[Response]]


async def next_phase_form(
    request: Request,
    move: PhaseMove[Record],
    record: Record,
    *,
    refusal: str,
    moved: str,
    back: str,
    page: RefusedPage,
) -> Response:
    """Move ``record`` on with ``move``: the form's ``closes_at`` (optional, local
    time; unreadable is refused as ``refusal``) and ``from`` (the phase the person
    saw, so that a second click is refused instead of skipping a phase). On success
    flash ``moved`` and go to ``back``; a refusal rolls back and shows
    ``page(fields, error)``, with what was typed."""
    fields = await form_fields(request)
    reader = FormReader(fields)
    closes_at = reader.moment("closes_at")

    def act() -> Response:
        reader.check(refusal)
        move(
            db(request),
            record,
            user(request).id,
            now(request),
            closes_at,
            fields.get("from") or None,
            ip=client_ip(request),
        )
        flash(request, moved, "success")
        return htmx.redirect(request, back)

    async def refused(error: DomainError) -> Response:
        return await page(fields, error)

    return await act_or_rerender(request, act, refused)
