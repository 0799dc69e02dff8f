"""The change log: which indexed records changed, written where they change.

Why a log and a worker rather than writing the index in each area's services: the
index must follow every service of nine record families, written by other people
in other areas, and it needs jieba (about 0.4-3 s to load, and milliseconds per
text) which a request that files a request or signs up for a shift should not pay.
So one ORM hook (``after_flush`` on every ``Session``) notes the (family, id) of
every indexed record that was added, deleted, or changed in a field the index
reads, in the same transaction: a rolled-back change leaves no note, a committed
one always does. The worker's ``search-index`` job reindexes what the notes name
(``search.indexing.drain``), every minute; ``gongzhi search reindex`` rebuilds all
(after bulk loads that bypass the ORM, such as ``gongzhi demo --scale city``).

The hook writes one multi-row INSERT per flush that touched indexed records, and
nothing otherwise: a shift's sign-up counters, for one, are not indexed fields.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from consultations.evaluations.models import Evaluation
from consultations.models import Consultation, Topic
from participation.budgets.models import Proposal
from participation.livelihood.models import LivelihoodCandidate
from participation.plan.models import PlanItem
from participation.requests.models import ResidentRequest
from search.models import SearchChange
from volunteers.models import Activity, Shift, Team


def _fields(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


#: Indexed classes: their family in ``search.sources.SOURCES`` and the fields it reads.
WATCHED: dict[type, tuple[str, frozenset[str]]] = {
    Consultation: ("consultation", _fields("title agenda summary resolution meets_at area_id")),
    Topic: ("topic", _fields("title body area_id")),
    Proposal: ("budget_proposal", _fields("title description round_id")),
    LivelihoodCandidate: ("livelihood", _fields("name background content status cycle_id")),
    PlanItem: ("plan_item", _fields("title description plan_id")),
    Evaluation: ("evaluation", _fields("title subject department status area_id opened_at")),
    Team: ("team", _fields("name description area_id")),
    Shift: ("shift", _fields("place starts_at cancelled_at area_id activity_id")),
    ResidentRequest: ("request", _fields("number category area_id merged_into_id")),
}
#: Records whose change reaches the shifts of an activity or of a team (their text).
ACTIVITY_FIELDS = _fields("title service_content is_public")
TEAM_FIELDS = _fields("name")


def _changed(obj: Any, fields: frozenset[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in fields)


def record_changes(session: Session, flush_context: UOWTransaction) -> None:
    """Note every indexed record this flush added, deleted or changed (see above)."""
    notes: set[tuple[str, int]] = set()
    activities: set[int] = set()
    teams: set[int] = set()
    for obj in (*session.new, *session.deleted):
        watched = WATCHED.get(type(obj))
        if watched is not None and obj.id is not None:
            notes.add((watched[0], obj.id))
    for obj in session.dirty:
        watched = WATCHED.get(type(obj))
        if watched is not None and _changed(obj, watched[1]):
            notes.add((watched[0], obj.id))
        if isinstance(obj, Activity) and _changed(obj, ACTIVITY_FIELDS):
            activities.add(obj.id)
        if isinstance(obj, Team) and _changed(obj, TEAM_FIELDS):
            teams.add(obj.id)
    if not (notes or activities or teams):
        return
    connection = session.connection()
    if activities or teams:
        shifts = connection.execute(
            select(Shift.id)
            .join(Activity, Activity.id == Shift.activity_id)
            .where(Activity.id.in_(activities) | Activity.team_id.in_(teams))
        ).scalars()
        notes.update(("shift", shift_id) for shift_id in shifts)
    if notes:
        connection.execute(
            insert(SearchChange),
            [{"kind": kind, "ref_id": ref_id} for kind, ref_id in sorted(notes)],
        )


def install() -> None:
    """Hook ``record_changes`` into every session (idempotent)."""
    if not event.contains(Session, "after_flush", record_changes):
        event.listen(Session, "after_flush", record_changes)


install()
