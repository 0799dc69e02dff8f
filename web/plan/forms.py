"""Reading plan forms into plain values; unreadable fields become field messages."""

from __future__ import annotations

from datetime import date

from participation.errors import N_, DomainError
from web.kit.forms import MAX_YUAN, normalised, yuan


class Reader:
    """Collects a message per unreadable field; :meth:`check` raises them all at once."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        self.problems: dict[str, str] = {}

    def text(self, name: str) -> str:
        return self.fields.get(name, "")

    def whole(self, name: str, default: int | None = 0) -> int | None:
        """A whole number (digits only; thousands separators and 元 are tolerated)."""
        raw = self.fields.get(name, "")
        if not normalised(raw):
            return default
        value = yuan(raw, low=-MAX_YUAN, high=MAX_YUAN)
        if value is None:
            self.problems[name] = N_("Enter a whole number.")
            return default
        return value

    def day(self, name: str, *, required: bool = False) -> date | None:
        raw = self.fields.get(name, "").strip()
        if not raw:
            if required:
                self.problems[name] = N_("Enter a date.")
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.problems[name] = N_("Enter a date as YYYY-MM-DD.")
            return None

    def check(self) -> None:
        if self.problems:
            raise DomainError(
                "plan.form", N_("Please correct the marked fields."), fields=self.problems
            )
