"""Reading and checking the sign-up rules a team sets and an activity overrides.

Plain values in (form text, the team's rules), values and a reason per field out.
A team sets every rule; an activity may leave a rule empty (None), which means
"the team's setting". Checking an activity's overrides checks the rules that
would apply, so an override cannot combine with the team's other settings into
something senseless (e.g. a self-sign-up age above the consent age).

Invariants: every :class:`ShiftRules` field has bounds here; a value is accepted
only when it is a whole number within its bounds; whatever :func:`check_rules`
accepts, :func:`merge` turns into rules that :func:`check_rules` accepts again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from participation.errors import N_
from volunteers.rules.signup import ShiftRules

#: The rules' names, in the order forms show them.
RULE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ShiftRules))


@dataclass(frozen=True)
class Bounds:
    low: int
    high: int


#: The range that makes sense for each rule (inclusive).
BOUNDS: dict[str, Bounds] = {
    # Sign-up must open before the start; at most 90 days ahead.
    "opens_hours_before": Bounds(1, 90 * 24),
    # 0: people may cancel themselves until the start; at most a week before.
    "cancel_closes_hours_before": Bounds(0, 7 * 24),
    "overlap_grace_minutes": Bounds(0, 120),
    # 0: a freed place is always promoted at once, never offered.
    "promotion_cutoff_hours": Bounds(0, 7 * 24),
    "offer_minutes": Bounds(5, 24 * 60),
    "coverage_percent": Bounds(1, 100),
    "no_show_lock": Bounds(1, 20),
    "consent_age": Bounds(0, 18),
    "self_signup_age": Bounds(0, 18),
}

NOT_A_NUMBER = N_("Enter a whole number.")
OUT_OF_BOUNDS = N_("Enter a whole number from %(low)s to %(high)s.")
SELF_SIGNUP_ABOVE_CONSENT = N_(
    "This age cannot be above the age from which no guardian's consent is needed."
)
CONSENT_BELOW_SELF_SIGNUP = N_(
    "This age cannot be below the age from which people may sign up by themselves."
)


def read_rules(
    raw: Mapping[str, str], *, optional: bool
) -> tuple[dict[str, int | None], dict[str, str]]:
    """Form text to values: every rule, read from ``raw`` by its name.

    With ``optional`` (an activity's overrides) an empty field is None, "the
    team's setting"; without it (a team's rules) every field is needed.
    Returns the values read and a reason per field that could not be read.
    """
    values: dict[str, int | None] = {}
    problems: dict[str, str] = {}
    for name in RULE_NAMES:
        text = raw.get(name, "").strip()
        if not text and optional:
            values[name] = None
        elif text.isascii() and text.isdigit() and len(text) <= 6:
            values[name] = int(text)
        else:
            problems[name] = NOT_A_NUMBER
    return values, problems


def merge(base: ShiftRules, overrides: Mapping[str, int | None]) -> ShiftRules:
    """``base`` with every override that is not None."""
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def check_rules(values: Mapping[str, int | None], base: ShiftRules | None = None) -> dict[str, str]:
    """A reason per field whose value is out of bounds or senseless; empty when
    all is well. ``values`` maps rule names to numbers; None (only allowed with
    ``base``, the team's rules) keeps the base's setting. Unknown names are a
    programming error (KeyError)."""
    problems: dict[str, str] = {}
    for name, value in values.items():
        bounds = BOUNDS[name]
        if value is None:
            if base is None:
                problems[name] = NOT_A_NUMBER
        elif not bounds.low <= value <= bounds.high:
            problems[name] = OUT_OF_BOUNDS
    if problems:
        return problems
    effective = merge(base or ShiftRules(), values)
    if effective.self_signup_age > effective.consent_age:
        # Blame the field the person changed (the activity's override, if any).
        if values.get("self_signup_age") is None:
            problems["consent_age"] = CONSENT_BELOW_SELF_SIGNUP
        else:
            problems["self_signup_age"] = SELF_SIGNUP_ABOVE_CONSENT
    return problems
