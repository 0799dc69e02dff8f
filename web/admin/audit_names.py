"""What the audit log shows: each action as words, and the actor and target by name
("计划事项 老旧小区加装电梯", not ``plan_item:12``), resolved for a whole page in one
query (a UNION of one small select per kind of record on the page)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, Select, String, bindparam, literal_column, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import BindParameter, ColumnClause

from consultations.evaluations.models import Evaluation, Panel, Rectification
from consultations.models import Consultation, RepresentativeTerm, Topic
from participation.accounts import Account
from participation.areas import Area
from participation.audit import AuditEntry
from participation.ballots.models import BallotBox
from participation.budgets.models import BudgetRound
from participation.budgets.models import Proposal as BudgetProposal
from participation.departments import Department
from participation.errors import N_
from participation.livelihood.models import LivelihoodCandidate, LivelihoodCycle
from participation.organizations.models import Organization
from participation.plan.models import Plan, PlanItem
from participation.rolls import Congress, ImportJob
from volunteers.models import Activity, Shift
from web.kit.forms import record_id

ACTION_LABELS: dict[str, str] = {
    "account.active": N_("Account activated or deactivated"),
    "account.close": N_("Account closed by its owner"),
    "account.create_admin": N_("Administrator account created"),
    "area.create": N_("Area added"),
    "privacy.export": N_("Personal data downloaded"),
    "area.import": N_("Areas imported"),
    "area.rename": N_("Area renamed"),
    "ballot.create": N_("Ballot created"),
    "ballot.paper_counts": N_("Paper ballot counts entered"),
    "ballot.paper_entry": N_("Paper ballot entered"),
    "ballot.paper_recount": N_("Paper ballots recounted"),
    "ballot.publish": N_("Ballot result published"),
    "budget.phase": N_("Budget round moved to the next phase"),
    "budget.proposal_screened": N_("Budget proposal screened"),
    "budget.round_created": N_("Budget round created"),
    "budget.round_phase": N_("Budget round phase changed"),
    "congress.create": N_("Congress session created"),
    "consultation.announce": N_("Consultation announced"),
    "consultation.final": N_("Consultation resolution made final"),
    "consultation.result": N_("Consultation vote counted"),
    "consultation.vote": N_("Consultation vote opened"),
    "deliberation.hide": N_("Deliberation post hidden"),
    "demo.seed": N_("Demo data loaded"),
    "department.adopt": N_("Unmatched department name assigned"),
    "department.create": N_("Department added"),
    "department.edit": N_("Department edited"),
    "department.merge": N_("Departments merged"),
    "deputies.import": N_("Deputy roll imported"),
    "deputies.link": N_("Deputy linked to an account"),
    "evaluation.closed": N_("Evaluation closed"),
    "evaluation.created": N_("Evaluation created"),
    "evaluation.department_response": N_("Department responded to an evaluation"),
    "evaluation.indicators": N_("Evaluation indicators set"),
    "evaluation.invitations": N_("Evaluation invitations issued"),
    "evaluation.opened": N_("Evaluation opened"),
    "evaluation.plan": N_("Evaluation sampling plan set"),
    "evaluation.published": N_("Evaluation report published"),
    "evaluation.question_added": N_("Evaluation question added"),
    "evaluation.question_removed": N_("Evaluation question removed"),
    "evaluation.rectification": N_("Rectification item marked done"),
    "identity.link": N_("Sign-in identity linked"),
    "livelihood.attendance": N_("Deputy attendance recorded"),
    "livelihood.ballot": N_("Livelihood ballot action"),
    "livelihood.ballot_opened": N_("Livelihood ballot opened"),
    "livelihood.candidate_screened": N_("Livelihood project screened"),
    "livelihood.cycle_created": N_("Livelihood cycle created"),
    "livelihood.phase": N_("Livelihood cycle moved to the next phase"),
    "notice.answer": N_("Objection answered"),
    "opinion.hide": N_("Opinion statement hidden"),
    "org.member_added": N_("Organization member added"),
    "org.registered": N_("Organization registered"),
    "org.verified": N_("Organization verified"),
    "org.rejected": N_("Organization rejected"),
    "panel.closed": N_("Evaluation panel closed"),
    "panel.created": N_("Evaluation panel created"),
    "panel.drawn": N_("Evaluation panel drawn"),
    "panel.member": N_("Evaluation panel member changed"),
    "panel.opened": N_("Evaluation panel opened"),
    "panel.project": N_("Project added to an evaluation panel"),
    "plan.item_edit": N_("Plan item edited"),
    "plan.item_received": N_("Plan item received"),
    "plan.milestone_add": N_("Milestone added"),
    "plan.milestone_done": N_("Milestone marked done"),
    "plan.visit": N_("Supervision visit recorded"),
    "plan.year_end": N_("Plan year rolled up"),
    "role.grant": N_("Role granted"),
    "role.revoke": N_("Role revoked"),
    "roll.assisted_verify": N_("Resident verified at the desk"),
    "roll.import": N_("Resident roll imported"),
    "term.replace": N_("Representative replaced"),
    "term.seat": N_("Representative seated"),
    "topic.accept": N_("Topic accepted"),
    "topic.decline": N_("Topic declined"),
    "topic.merge": N_("Topic merged"),
    "volunteer.attendance": N_("Volunteer attendance recorded"),
    "volunteer.certificate": N_("Volunteer certificate issued"),
    "volunteer.certificate_revoke": N_("Volunteer certificate revoked"),
    "volunteer.guardian_consent": N_("Guardian consent recorded"),
    "volunteer.shift_cancel": N_("Shift cancelled"),
    "volunteer.shift_move": N_("Shift moved"),
    "volunteer.star_scheme": N_("Star-level scheme changed"),
    "volunteer.unlock": N_("Volunteer unlocked"),
    "volunteer.team_rules": N_("Team sign-up rules changed"),
    "volunteer.activity_rules": N_("Activity sign-up rules changed"),
}

#: The select of one kind's names: (kind, id, name) of the ids the parameter holds.
Names = Callable[[BindParameter[Any]], Select[str, int, str]]


def _kind(kind: str) -> ColumnClause[str]:
    # A constant of ours (never user input), inlined so that PostgreSQL knows its type.
    return literal_column(f"'{kind}'", String)


def _by(kind: str, model: Any, column: InstrumentedAttribute[str]) -> Names:
    def query(ids: BindParameter[Any]) -> Select[str, int, str]:
        return select(_kind(kind), model.id, column).where(model.id.in_(ids))

    return query


def _shifts(ids: BindParameter[Any]) -> Select[str, int, str]:
    return (
        select(_kind("shift"), Shift.id, Activity.title)
        .join(Activity, Activity.id == Shift.activity_id)
        .where(Shift.id.in_(ids))
    )


# kind in the target ("kind:id") -> what the kind is called, and where its name is.
TARGET_KINDS: dict[str, tuple[str, Names]] = {
    "account": (N_("Account"), _by("account", Account, Account.display_name)),
    "area": (N_("Area"), _by("area", Area, Area.name)),
    "ballot": (N_("Ballot"), _by("ballot", BallotBox, BallotBox.title)),
    "budget_round": (N_("Budget round"), _by("budget_round", BudgetRound, BudgetRound.title)),
    "budget_proposal": (
        N_("Budget proposal"),
        _by("budget_proposal", BudgetProposal, BudgetProposal.title),
    ),
    "congress": (N_("Congress session"), _by("congress", Congress, Congress.name)),
    "consultation": (N_("Consultation"), _by("consultation", Consultation, Consultation.title)),
    "department": (N_("Department"), _by("department", Department, Department.name)),
    "evaluation": (N_("Evaluation"), _by("evaluation", Evaluation, Evaluation.title)),
    "job": (N_("Import"), _by("job", ImportJob, ImportJob.filename)),
    "livelihood_cycle": (
        N_("Livelihood cycle"),
        _by("livelihood_cycle", LivelihoodCycle, LivelihoodCycle.title),
    ),
    "livelihood_candidate": (
        N_("Livelihood project"),
        _by("livelihood_candidate", LivelihoodCandidate, LivelihoodCandidate.name),
    ),
    "org": (N_("Organization"), _by("org", Organization, Organization.name)),
    "panel": (N_("Evaluation panel"), _by("panel", Panel, Panel.title)),
    "plan": (N_("Plan"), _by("plan", Plan, Plan.title)),
    "plan_item": (N_("Plan item"), _by("plan_item", PlanItem, PlanItem.title)),
    "rectification": (
        N_("Rectification item"),
        _by("rectification", Rectification, Rectification.title),
    ),
    "shift": (N_("Shift"), _shifts),
    "term": (
        N_("Representative term"),
        _by("term", RepresentativeTerm, RepresentativeTerm.title),
    ),
    "topic": (N_("Topic"), _by("topic", Topic, Topic.title)),
}


@dataclass(frozen=True)
class Target:
    kind: str  # what the kind is called (an msgid), or "" when unknown
    name: str  # the record's name, or "" when unknown (deleted, or not a record)
    raw: str  # the target as stored


@dataclass(frozen=True)
class Named:
    actors: dict[int, str]
    targets: dict[str, Target]


def _parse(target: str) -> tuple[str, int] | None:
    kind, colon, number = target.partition(":")
    row_id = record_id(number) if colon and kind in TARGET_KINDS else 0
    return (kind, row_id) if row_id else None


# kinds on a page -> the statement naming them, built once: a page's names are
# read by the same few statements, each of which SQLAlchemy would otherwise
# build and key anew on every view.
_statements: dict[tuple[str, ...], Executable] = {}
_STATEMENTS_KEPT = 512


def _names_of(kinds: tuple[str, ...]) -> Executable:
    statement = _statements.get(kinds)
    if statement is None:
        queries = [TARGET_KINDS[kind][1](bindparam(kind, expanding=True)) for kind in kinds]
        statement = queries[0] if len(queries) == 1 else union_all(*queries)
        if len(_statements) < _STATEMENTS_KEPT:
            _statements[kinds] = statement
    return statement


def name_entries(session: Session, rows: Sequence[AuditEntry]) -> Named:
    """The actors' and targets' names of ``rows``, in one query whatever their number.

    Each row's attributes are read once, and each target parsed once however
    many rows name it (a page's rows often share their actor and target)."""
    pairs = [(row.actor_id, row.target) for row in rows]
    parsed = {target: _parse(target) for target in {target for _, target in pairs}}
    wanted: dict[str, set[int]] = {}
    for actor_id, _ in pairs:
        if actor_id is not None:
            wanted.setdefault("account", set()).add(actor_id)
    for kind_id in parsed.values():
        if kind_id:
            wanted.setdefault(kind_id[0], set()).add(kind_id[1])
    found: dict[tuple[str, int], str] = {}
    if wanted:
        statement = _names_of(tuple(sorted(wanted)))
        ids = {kind: sorted(ids) for kind, ids in wanted.items()}
        for kind, row_id, name in session.execute(statement, ids):
            found[(str(kind), int(row_id))] = str(name or "")
    targets = {
        target: Target(TARGET_KINDS[kind_id[0]][0], found.get(kind_id, ""), target)
        if kind_id
        else Target("", "", target)
        for target, kind_id in parsed.items()
    }
    actors = {
        actor_id: found.get(("account", actor_id), "")
        for actor_id, _ in pairs
        if actor_id is not None
    }
    return Named(actors, targets)
