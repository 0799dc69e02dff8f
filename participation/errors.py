"""Domain errors carry a stable code and an English message (a translation msgid)."""

from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:
    """Mark a string for translation without translating it here (gettext's N_).

    Domain code states its messages in English; the web layer translates them
    when it shows them, in the reader's language.
    """
    return message


class DomainError(Exception):
    """A refused request: nothing was changed, and the message says why.

    ``message`` is English and doubles as the gettext msgid, so the web layer
    can show it in the user's language. ``fields`` maps form fields to messages.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 422,
        fields: Mapping[str, str] | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = dict(fields or {})
        self.params = dict(params or {})
