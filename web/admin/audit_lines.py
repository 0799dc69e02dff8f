"""The audit log's page as lines ready to show: each entry's time, actor, action and
target in words (web.admin.audit_names), its detail and address, worked out once
in Python so that the template only prints them.

An auditor reads fifty entries a page; the template used to look each one's
names up in three dictionaries and translate its action and its target's kind
again for every entry (half the page's CPU). A label is translated once per
language here; the raw codes stay as tooltips.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from participation.audit import AuditEntry
from web.admin.audit_names import ACTION_LABELS, TARGET_KINDS, name_entries
from web.kit.i18n import current_locale, format_datetime, gettext

#: A detail that says nothing (no keyword given to audit.record).
_NO_DETAIL = "{}"


@lru_cache(maxsize=4096)  # a page's entries often say the same (status: accepted)
def _detail(stored: str) -> str:
    """The detail's keys and values as ``key: value``, one after another (``status:
    accepted；phase: voting``): what the JSON says without its quotes and braces
    (each a five-byte entity in HTML). A value that is not text keeps its JSON;
    a detail that is not a JSON object is shown as stored."""
    if stored == _NO_DETAIL:
        return ""
    try:
        detail = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(detail, dict):
        return stored
    return "；".join(
        f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in detail.items()
    )


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One entry as the log shows it: words, and the codes they stand for."""

    at: str
    who: str
    action: str  # the action in words (its code when it has none)
    code: str  # the action's code, shown as a tooltip
    target: str  # what it was done to, in words; "" when nothing
    raw_target: str  # the target as stored ("plan_item:12"), shown as a tooltip
    detail: str  # the detail as ``key: value``s (_detail); "" when empty
    ip: str


# language -> action code -> words; kind -> words. Few, and fixed by the code.
_actions: dict[str, dict[str, str]] = {}
_kinds: dict[str, dict[str, str]] = {}
_choices: dict[str, tuple[tuple[str, str], ...]] = {}


def _action_words() -> dict[str, str]:
    locale = current_locale.get()
    words = _actions.get(locale)
    if words is None:
        words = _actions[locale] = {code: gettext(label) for code, label in ACTION_LABELS.items()}
    return words


def _kind_words() -> dict[str, str]:
    locale = current_locale.get()
    words = _kinds.get(locale)
    if words is None:
        words = _kinds[locale] = {kind: gettext(label) for kind, (label, _) in TARGET_KINDS.items()}
    return words


def action_choices() -> tuple[tuple[str, str], ...]:
    """The actions the filter offers, (code, words) in code order (an area's
    actions together), in the request's language."""
    locale = current_locale.get()
    choices = _choices.get(locale)
    if choices is None:
        choices = _choices[locale] = tuple(sorted(_action_words().items()))
    return choices


def audit_lines(session: Session, entries: Sequence[AuditEntry]) -> list[AuditLine]:
    """``entries`` as lines, their actors' and targets' names read in one
    statement whatever their number (web.admin.audit_names.name_entries)."""
    named = name_entries(session, entries)
    actions = _action_words()
    kinds = _kind_words()
    lines = []
    for entry in entries:
        target = named.targets[entry.target]
        if target.kind:
            kind = kinds[target.raw.partition(":")[0]]
            number = target.raw.partition(":")[2]
            shown = f"{kind}：{target.name}" if target.name else f"{kind} #{number}"
        else:
            shown = entry.target
        lines.append(
            AuditLine(
                at=format_datetime(entry.at),
                who=named.actors.get(entry.actor_id, "") if entry.actor_id is not None else "",
                action=actions.get(entry.action, entry.action),
                code=entry.action,
                target=shown,
                raw_target=entry.target,
                detail=_detail(entry.detail),
                ip=entry.ip,
            )
        )
    return lines
