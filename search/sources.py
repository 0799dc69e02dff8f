"""What each kind of record puts in the index, and when it is public.

Only what the area itself shows to anyone is indexed, never more:

- consultations and topics: title and public text (agenda, summary, resolution;
  a topic's body) -- never a proposer's name;
- budget proposals: title and description; livelihood projects (proposals while
  submitted, rejected or merged; projects once candidates): name, background, content;
- plan items: title and description; evaluations while public
  (``listing.PUBLIC_STATUSES``): title, subject, department;
- teams: name and description; shifts of public activities that are not
  cancelled: the activity's title and service, the place, the team's name;
- resident requests that were not merged: only what the public feed shows (number,
  category, the place's name) -- never the requester's name, phone, address,
  description, reply or result.

A record that is not public (any more) has no row: reindexing it deletes the row.

Each family declares what its rows read (``Source.fields`` of the record,
``Source.reaches`` into other tables: a plan item's plan's area and year, every
record's area path...): ``search.changes`` watches exactly those, and a test holds
each loader to the columns its family declares.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from consultations.evaluations.listing import PUBLIC_STATUSES
from consultations.evaluations.models import Evaluation
from consultations.models import Consultation, Topic
from participation.areas import Area
from participation.budgets.models import BudgetRound, Proposal
from participation.errors import N_
from participation.livelihood.models import LivelihoodCandidate, LivelihoodCycle
from participation.plan.models import Plan, PlanItem
from participation.requests.models import ResidentRequest
from participation.requests.rules.catalog import CATEGORIES
from volunteers.models import Activity, Shift, Team

#: Kinds, in the order the filter lists them, with their English labels (msgids).
KINDS: dict[str, str] = {
    "consultation": N_("Consultation"),
    "topic": N_("Topic"),
    "budget_proposal": N_("Budget proposal"),
    "livelihood_proposal": N_("Livelihood proposal"),
    "livelihood_project": N_("Livelihood project"),
    "plan_item": N_("Plan item"),
    "evaluation": N_("Evaluation"),
    "team": N_("Volunteer team"),
    "shift": N_("Volunteer shift"),
    "request": N_("Resident request"),
}

LIVELIHOOD_PROPOSAL_STATUSES = ("submitted", "rejected", "merged")


@dataclass(frozen=True)
class Doc:
    """One public record, as the index holds it (``texts`` are segmented later)."""

    kind: str
    ref_id: int
    area_id: int | None
    area_path: str
    day: date
    title: str
    texts: tuple[str, ...]
    parent_id: int | None = None
    #: The year the filter files it under (the plan's or cycle's year), else the day's.
    of_year: int | None = None

    @property
    def year(self) -> int:
        return self.of_year or self.day.year


def _day(moment: datetime | date | None) -> date:
    if isinstance(moment, datetime):
        return moment.date()
    return moment or date(1970, 1, 1)


def _plan_items(session: Session, ids: Sequence[int]) -> list[Doc]:
    rows = session.execute(
        select(PlanItem.id, PlanItem.title, PlanItem.description, PlanItem.created_at)
        .add_columns(Plan.area_id, Plan.year, Area.path)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Area, Area.id == Plan.area_id)
        .where(PlanItem.id.in_(ids))
    ).all()
    return [
        Doc("plan_item", i, a, p, _day(c), t, (t, d), of_year=y) for i, t, d, c, a, y, p in rows
    ]


def _consultations(session: Session, ids: Sequence[int]) -> list[Doc]:
    rows = session.execute(
        select(Consultation.id, Consultation.title, Consultation.agenda, Consultation.summary)
        .add_columns(
            Consultation.resolution, Consultation.meets_at, Consultation.area_id, Area.path
        )
        .join(Area, Area.id == Consultation.area_id)
        .where(Consultation.id.in_(ids))
    ).all()
    return [
        Doc("consultation", i, a, p, _day(m), t, (t, g, s, r)) for i, t, g, s, r, m, a, p in rows
    ]


def _topics(session: Session, ids: Sequence[int]) -> list[Doc]:
    rows = session.execute(
        select(Topic.id, Topic.title, Topic.body, Topic.created_at, Topic.area_id, Area.path)
        .join(Area, Area.id == Topic.area_id)
        .where(Topic.id.in_(ids))
    ).all()
    return [Doc("topic", i, a, p, _day(c), t, (t, b)) for i, t, b, c, a, p in rows]


def _budget_proposals(session: Session, ids: Sequence[int]) -> list[Doc]:
    rows = session.execute(
        select(Proposal.id, Proposal.title, Proposal.description, Proposal.created_at)
        .add_columns(BudgetRound.area_id, Area.path)
        .join(BudgetRound, BudgetRound.id == Proposal.round_id)
        .join(Area, Area.id == BudgetRound.area_id)
        .where(Proposal.id.in_(ids))
    ).all()
    return [Doc("budget_proposal", i, a, p, _day(c), t, (t, d)) for i, t, d, c, a, p in rows]


def _livelihood(session: Session, ids: Sequence[int]) -> list[Doc]:
    rows = session.execute(
        select(LivelihoodCandidate.id, LivelihoodCandidate.name, LivelihoodCandidate.background)
        .add_columns(
            LivelihoodCandidate.content,
            LivelihoodCandidate.status,
            LivelihoodCandidate.created_at,
            LivelihoodCandidate.cycle_id,
            LivelihoodCycle.area_id,
            LivelihoodCycle.year,
            Area.path,
        )
        .join(LivelihoodCycle, LivelihoodCycle.id == LivelihoodCandidate.cycle_id)
        .join(Area, Area.id == LivelihoodCycle.area_id)
        .where(LivelihoodCandidate.id.in_(ids))
    ).all()
    return [
        Doc(
            "livelihood_proposal" if s in LIVELIHOOD_PROPOSAL_STATUSES else "livelihood_project",
            i,
            a,
            p,
            _day(c),
            n,
            (n, b, t),
            parent_id=cycle,
            of_year=y,
        )
        for i, n, b, t, s, c, cycle, a, y, p in rows
    ]


def _evaluations(session: Session, ids: Sequence[int]) -> list[Doc]:
    rows = session.execute(
        select(Evaluation.id, Evaluation.title, Evaluation.subject, Evaluation.department)
        .add_columns(Evaluation.opened_at, Evaluation.created_at, Evaluation.area_id, Area.path)
        .join(Area, Area.id == Evaluation.area_id)
        .where(Evaluation.id.in_(ids), Evaluation.status.in_(PUBLIC_STATUSES))
    ).all()
    return [
        Doc("evaluation", i, a, p, _day(o or c), t, (t, s, d)) for i, t, s, d, o, c, a, p in rows
    ]


def _teams(session: Session, ids: Sequence[int]) -> list[Doc]:
    rows = session.execute(
        select(Team.id, Team.name, Team.description, Team.created_at, Team.area_id, Area.path)
        .join(Area, Area.id == Team.area_id)
        .where(Team.id.in_(ids))
    ).all()
    return [Doc("team", i, a, p, _day(c), n, (n, d)) for i, n, d, c, a, p in rows]


def _shifts(session: Session, ids: Sequence[int]) -> list[Doc]:
    rows = session.execute(
        select(Shift.id, Shift.place, Shift.starts_at, Shift.area_id, Area.path)
        .add_columns(Activity.title, Activity.service_content, Team.name)
        .join(Activity, Activity.id == Shift.activity_id)
        .join(Team, Team.id == Activity.team_id)
        .join(Area, Area.id == Shift.area_id)
        .where(Shift.id.in_(ids), Shift.cancelled_at.is_(None), Activity.is_public.is_(True))
    ).all()
    return [Doc("shift", i, a, p, _day(s), t, (t, c, pl, n)) for i, pl, s, a, p, t, c, n in rows]


def _requests(session: Session, ids: Sequence[int]) -> list[Doc]:
    rows = session.execute(
        select(ResidentRequest.id, ResidentRequest.number, ResidentRequest.category)
        .add_columns(ResidentRequest.filed_at, ResidentRequest.area_id, Area.path, Area.name)
        .join(Area, Area.id == ResidentRequest.area_id)
        .where(ResidentRequest.id.in_(ids), ResidentRequest.merged_into_id.is_(None))
    ).all()
    return [
        # The title is the number and the category's key; the page translates it.
        Doc("request", i, a, p, _day(f), f"{n} {c}", (n, CATEGORIES.get(c, c), name))
        for i, n, c, f, a, p, name in rows
    ]


def _fields(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


@dataclass(frozen=True)
class Reach:
    """Fields of another table that a family's docs read (a plan's area and year, an
    area's path...), and the family's records that read given rows of that table."""

    model: type
    fields: frozenset[str]
    records: Callable[[Collection[int]], Select[Any]]


@dataclass(frozen=True)
class Source:
    """Where a kind's records live: the table's id column, how to load docs, and what
    the docs read: ``fields`` of the record itself, and ``reaches`` into other tables
    (``search.changes`` notes a record when any of them changes)."""

    table: type
    load: Callable[[Session, Sequence[int]], list[Doc]]
    fields: frozenset[str]
    reaches: tuple[Reach, ...] = ()


def _whose(
    key: Any, record_id: Any, *joins: tuple[type, Any]
) -> Callable[[Collection[int]], Select[Any]]:
    """The ids (``record_id``) of the records whose ``key`` is one of given ids, ``key``
    being a column of the record or of a table joined to it through ``joins``."""

    def records(ids: Collection[int]) -> Select[Any]:
        query = select(record_id)
        for model, on in joins:
            query = query.join(model, on)
        return query.where(key.in_(ids))

    return records


#: Every doc is filed under its area's path (``area_path``, the area filter).
PATH = _fields("path")

#: Record families, by the change log's name for them. Livelihood candidates are one
#: family whose docs are of two kinds (proposal or project, by status).
SOURCES: dict[str, Source] = {
    "consultation": Source(
        Consultation,
        _consultations,
        _fields("title agenda summary resolution meets_at area_id"),
        (Reach(Area, PATH, _whose(Consultation.area_id, Consultation.id)),),
    ),
    "topic": Source(
        Topic,
        _topics,
        _fields("title body created_at area_id"),
        (Reach(Area, PATH, _whose(Topic.area_id, Topic.id)),),
    ),
    "budget_proposal": Source(
        Proposal,
        _budget_proposals,
        _fields("title description created_at round_id"),
        (
            Reach(BudgetRound, _fields("area_id"), _whose(Proposal.round_id, Proposal.id)),
            Reach(
                Area,
                PATH,
                _whose(
                    BudgetRound.area_id,
                    Proposal.id,
                    (BudgetRound, BudgetRound.id == Proposal.round_id),
                ),
            ),
        ),
    ),
    "livelihood": Source(
        LivelihoodCandidate,
        _livelihood,
        _fields("name background content status created_at cycle_id"),
        (
            Reach(
                LivelihoodCycle,
                _fields("area_id year"),
                _whose(LivelihoodCandidate.cycle_id, LivelihoodCandidate.id),
            ),
            Reach(
                Area,
                PATH,
                _whose(
                    LivelihoodCycle.area_id,
                    LivelihoodCandidate.id,
                    (LivelihoodCycle, LivelihoodCycle.id == LivelihoodCandidate.cycle_id),
                ),
            ),
        ),
    ),
    "plan_item": Source(
        PlanItem,
        _plan_items,
        _fields("title description created_at plan_id"),
        (
            Reach(Plan, _fields("area_id year"), _whose(PlanItem.plan_id, PlanItem.id)),
            Reach(
                Area, PATH, _whose(Plan.area_id, PlanItem.id, (Plan, Plan.id == PlanItem.plan_id))
            ),
        ),
    ),
    "evaluation": Source(
        Evaluation,
        _evaluations,
        _fields("title subject department status area_id opened_at created_at"),
        (Reach(Area, PATH, _whose(Evaluation.area_id, Evaluation.id)),),
    ),
    "team": Source(
        Team,
        _teams,
        _fields("name description created_at area_id"),
        (Reach(Area, PATH, _whose(Team.area_id, Team.id)),),
    ),
    "shift": Source(
        Shift,
        _shifts,
        _fields("place starts_at cancelled_at area_id activity_id"),
        (
            Reach(
                Activity,
                _fields("title service_content is_public team_id"),
                _whose(Shift.activity_id, Shift.id),
            ),
            Reach(
                Team,
                _fields("name"),
                _whose(Activity.team_id, Shift.id, (Activity, Activity.id == Shift.activity_id)),
            ),
            Reach(Area, PATH, _whose(Shift.area_id, Shift.id)),
        ),
    ),
    "request": Source(
        ResidentRequest,
        _requests,
        _fields("number category filed_at area_id merged_into_id"),
        # The place's name is one of the words a request is found by.
        (Reach(Area, _fields("path name"), _whose(ResidentRequest.area_id, ResidentRequest.id)),),
    ),
}

#: The doc kinds of each family.
FAMILY_KINDS: dict[str, tuple[str, ...]] = {
    family: (("livelihood_proposal", "livelihood_project") if family == "livelihood" else (family,))
    for family in SOURCES
}
