"""What verifying oneself and verifying at the desk share: the form, the attempt and the wait."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from participation.rolls import RollEntry
from participation.rules.ratelimit import RateDecision
from participation.verification import (
    Attempt,
    find_entry,
)
from web.kit import i18n
from web.kit.client_ip import client_ip
from web.kit.dbsession import db
from web.kit.forms import FormReader


def secret(request: Request) -> bytes:
    return str(request.app.state.settings.id_hash_key).encode()


@dataclass(frozen=True)
class Details:
    """What a person types to be found on the roll."""

    name: str
    id_number: str
    birth_date: date


def read_details(fields: dict[str, str]) -> Details:
    """The three details of the form; a DomainError marks each missing or unreadable
    one (an unreadable birth date is the person's typo, not a miss against the roll)."""
    reader = FormReader(fields)
    name = reader.text("name", required=True, max_length=60)
    id_number = reader.text("id_number", required=True, max_length=40)
    birth_date = reader.day("birth_date", required=True)
    reader.check("verify.form")
    assert birth_date is not None
    return Details(name, id_number, birth_date)


def entry_from_form(request: Request, details: Details) -> RollEntry | None:
    """The roll entry matching name, ID number and birth date typed into a form."""
    return find_entry(
        db(request), secret(request), details.name, details.id_number, details.birth_date
    )


def verification_attempt(request: Request, details: Details, **who: int) -> Attempt:
    return Attempt(
        secret=secret(request),
        name=details.name,
        birth_date=details.birth_date,
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
