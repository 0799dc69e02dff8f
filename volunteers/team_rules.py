"""Setting the sign-up rules: every rule per team, any of them overridden per
activity. Bad input changes nothing; every change is audited with old and new
values."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.errors import N_, DomainError
from volunteers.activities import update_details
from volunteers.models import Activity, Team
from volunteers.rules.settings import RULE_NAMES, check_rules, merge, read_rules
from volunteers.rules.signup import ShiftRules
from volunteers.teams import rules_of


def overrides_of(activity: Activity) -> dict[str, int | None]:
    """The activity's own settings (None: the team's)."""
    return {name: getattr(activity, name) for name in RULE_NAMES}


def check_overrides(team: Team, overrides: Mapping[str, int | None]) -> None:
    """Raise DomainError (422, a reason per field) unless the overrides, combined
    with the team's rules, make sense."""
    problems = check_rules(overrides, rules_of(team))
    if problems:
        raise DomainError("rules.invalid", N_("Please correct the marked fields."), fields=problems)


def _read(raw: Mapping[str, str], *, optional: bool) -> dict[str, int | None]:
    values, problems = read_rules(raw, optional=optional)
    if problems:
        raise DomainError("rules.invalid", N_("Please correct the marked fields."), fields=problems)
    return values


def _apply(
    session: Session,
    row: Team | Activity,
    values: Mapping[str, int | None],
    actor_id: int,
    ip: str,
) -> dict[str, list[int | None]]:
    """Set the values on the row; audit what changed ({name: [old, new]})."""
    changes: dict[str, list[int | None]] = {}
    for name, value in values.items():
        old = getattr(row, name)
        if old != value:
            changes[name] = [old, value]
            setattr(row, name, value)
    if changes:
        kind = "team" if isinstance(row, Team) else "activity"
        audit.record(
            session,
            actor_id=actor_id,
            action=f"volunteer.{kind}_rules",
            target=f"{kind}:{row.id}",
            ip=ip,
            changes=changes,
        )
    return changes


def set_team_rules(
    session: Session, team: Team, raw: Mapping[str, str], actor_id: int, ip: str = ""
) -> dict[str, list[int | None]]:
    """Set every rule of the team from form text. Returns the changes
    ({name: [old, new]}), which are also audited.

    Invariant: the team's rules stay within bounds, and every activity's
    overrides still make sense with them (else nothing changes).
    """
    values = _read(raw, optional=False)
    problems = check_rules(values)
    if problems:
        raise DomainError("rules.invalid", N_("Please correct the marked fields."), fields=problems)
    _refuse_clashing_activities(session, team, merge(ShiftRules(), values))
    return _apply(session, team, values, actor_id, ip)


def _refuse_clashing_activities(session: Session, team: Team, rules: ShiftRules) -> None:
    """Refuse team rules that an activity's own settings would no longer fit
    (e.g. a consent age below an activity's self-sign-up age), naming them."""
    clashing = [
        activity.title
        for activity in session.scalars(
            select(Activity).where(Activity.team_id == team.id).order_by(Activity.id)
        )
        if check_rules(overrides_of(activity), rules)
    ]
    if clashing:
        raise DomainError(
            "rules.activity_clash",
            N_(
                "These rules do not fit the own settings of these activities: %(titles)s. "
                "Change those activities first."
            ),
            params={"titles": "、".join(clashing)},
        )


def set_activity_rules(
    session: Session,
    activity: Activity,
    team: Team,
    raw: Mapping[str, str],
    actor_id: int,
    ip: str = "",
) -> dict[str, list[int | None]]:
    """Set the activity's overrides from form text (empty: the team's setting).
    Returns the changes, which are also audited."""
    values = _read(raw, optional=True)
    check_overrides(team, values)
    return _apply(session, activity, values, actor_id, ip)


def save_activity(
    session: Session,
    activity: Activity,
    team: Team,
    *,
    title: str,
    description: str,
    service_content: str,
    is_public: bool,
    raw: Mapping[str, str],
    actor_id: int,
    ip: str = "",
) -> None:
    """Save an activity's details and its overrides of the team's rules together.
    Both parts are checked, so that one refusal names every field to correct."""
    problems: dict[str, str] = {}
    try:
        update_details(
            session,
            activity,
            title=title,
            description=description,
            service_content=service_content,
            is_public=is_public,
        )
    except DomainError as error:
        problems |= error.fields
    try:
        set_activity_rules(session, activity, team, raw, actor_id, ip)
    except DomainError as error:
        problems |= error.fields
    if problems:
        raise DomainError(
            "activity.invalid", N_("Please correct the marked fields."), fields=problems
        )


def read_overrides(raw: Mapping[str, str]) -> dict[str, int | None]:
    """Overrides for a new activity from form text (create_activity checks them
    against the team's rules)."""
    return _read(raw, optional=True)
