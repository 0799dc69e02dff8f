"""What plan forms may hold beyond the kit's reader: bounds of the plan's columns and
the backward-scheduling steps. Fields are read with ``web.kit.forms.FormReader``."""

from __future__ import annotations

from participation.errors import N_, DomainError
from participation.plan.rules import Step
from web.kit.forms import whole_number

#: The plan's amounts, years, weights and ids are 32-bit integer columns: a larger
#: number is refused as unreadable, never sent to the database (a 500 on PostgreSQL).
#: Signed, so that a negative budget, spend or weight meets the domain's own message.
PLAN_MAX = 2**31 - 1
PLAN_MIN = -PLAN_MAX


def read_steps(text: str) -> list[tuple[Step, int]]:
    """Lines of ``title | days | weight %``."""
    steps = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        numbers = [whole_number(p, high=100_000) for p in parts[1:]]
        if len(parts) != 3 or not parts[0] or None in numbers:
            raise DomainError(
                "plan.steps",
                N_("Write each step as: title | days | weight"),
                fields={"steps": N_("Write each step as: title | days | weight")},
            )
        steps.append((Step(parts[0], numbers[0] or 0), numbers[1] or 0))
    return steps
