"""What verifying oneself and verifying at the desk share: the form, the attempt and the wait."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import Response

from participation.rolls import RollEntry
from participation.rules.ratelimit import RateDecision
from participation.rules.roll_rows import parse_date
from participation.verification import (
    Attempt,
    find_entry,
)
from web.kit import i18n
from web.kit.client_ip import client_ip
from web.kit.dbsession import db


def secret(request: Request) -> bytes:
    return str(request.app.state.settings.id_hash_key).encode()


def entry_from_form(request: Request, fields: dict[str, str]) -> RollEntry | None:
    """The roll entry matching name, ID number and birth date typed into a form."""
    return find_entry(
        db(request),
        secret(request),
        fields.get("name", ""),
        fields.get("id_number", ""),
        parse_date(fields.get("birth_date")),
    )


def verification_attempt(request: Request, fields: dict[str, str], **who: int) -> Attempt:
    return Attempt(
        secret=secret(request),
        name=fields.get("name", ""),
        birth_date=parse_date(fields.get("birth_date")),
        ip=client_ip(request),
        **who,
    )


def wait_message(decision: RateDecision, desk: bool = False) -> str:
    minutes = max(1, math.ceil(decision.retry_after.total_seconds() / 60))
    if desk:
        return i18n.ngettext(
            "Too many details that match nobody. Please try again in %(num)s minute.",
            "Too many details that match nobody. Please try again in %(num)s minutes.",
            minutes,
        )
    return i18n.ngettext(
        "Too many attempts. Please try again in %(num)s minute, or ask your community worker.",
        "Too many attempts. Please try again in %(num)s minutes, or ask your community worker.",
        minutes,
    )


def refused(response: Response, decision: RateDecision) -> Response:
    response.headers["Retry-After"] = str(int(decision.retry_after.total_seconds()) + 1)
    return response
