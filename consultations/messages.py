"""English messages (translation msgids) for the reason codes of the journey rules."""

from __future__ import annotations

from consultations.rules.journey import text_problem
from participation.errors import N_, DomainError

EMPTY = N_("Please write something.")
TOO_LONG = {
    100: N_("This is too long (at most 100 characters)."),
    140: N_("This is too long (at most 140 characters)."),
    500: N_("This is too long (at most 500 characters)."),
    2000: N_("This is too long (at most 2,000 characters)."),
}
WINDOW = {
    "not_open": N_("Online deliberation has not opened yet."),
    "closed": N_("Online deliberation has closed."),
}
NOTICE = {
    "not_on_notice": N_("The resolution is not on public notice."),
    "notice_over": N_("The public notice period is over; objections are no longer accepted."),
    "notice_running": N_("The public notice period has not ended yet."),
    "unanswered_objections": N_("Every objection must be answered publicly first."),
}


def check_text(field: str, text: str, maximum: int, minimum: int = 1) -> str:
    """The stripped text, or a DomainError naming the field (nothing is stored)."""
    reason = text_problem(text, maximum, minimum)
    if reason is not None:
        message = EMPTY if reason == "empty" else TOO_LONG[maximum]
        raise DomainError(f"consultation.{reason}", message, fields={field: message})
    return text.strip()
