"""Panel review (大众评审) services: set up, draw the order, recuse, score, tally.

Invariants: the order is drawn once, from a random seed that is stored and shown
with the order (reproducible, see :mod:`.rules.panel`); only members score, once
per project, never a project they recused from, and only while scoring is open;
a recusal cannot follow a score of the same project.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultations.evaluations.models import (
    Panel,
    PanelMember,
    PanelProject,
    PanelRecusal,
    PanelScoreRow,
)
from consultations.evaluations.rules.panel import (
    PanelScore,
    ProjectResult,
    Track,
    draw_order,
    tally,
)
from consultations.evaluations.rules.weights import parse_permille
from participation import audit
from participation.accounts import Account, find_by_login
from participation.areas import get_area
from participation.errors import N_, DomainError
from participation.organizations.models import Organization
from participation.organizations.registry import require_member
from participation.plan.judgements import JudgementKind, JudgementOf, attach_judgement
from participation.plan.models import PlanItem


def create_panel(
    session: Session,
    org: Organization,
    *,
    title: str,
    area_id: int,
    expert_weight: str,
    description: str,
    actor_id: int,
) -> Panel:
    require_member(session, org, actor_id)
    fields: dict[str, str] = {}
    if not title.strip() or len(title) > 200:
        fields["panel_title"] = N_("Enter a title of at most 200 characters.")
    weight = parse_permille(expert_weight)
    if weight is None or not 0 <= weight <= 1000:
        fields["expert_weight"] = N_("Give the expert track's weight between 0 and 1, e.g. 0.6.")
    try:
        get_area(session, area_id)
    except DomainError:
        fields["panel_area_id"] = N_("Choose an area.")
    if fields:
        raise DomainError("panel.invalid", N_("Please correct the marked fields."), fields=fields)
    assert weight is not None
    panel = Panel(
        org_id=org.id,
        area_id=area_id,
        title=title.strip(),
        description=description.strip(),
        expert_weight=weight,
        created_by=actor_id,
    )
    session.add(panel)
    session.flush()
    audit.record(session, actor_id=actor_id, action="panel.created", target=f"panel:{panel.id}")
    return panel


def get_panel(session: Session, panel_id: int) -> Panel:
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise DomainError("panel.not_found", N_("No such panel review."), status=404)
    return panel


def projects_of(session: Session, panel_id: int) -> Sequence[PanelProject]:
    return session.scalars(
        select(PanelProject)
        .where(PanelProject.panel_id == panel_id)
        .order_by(PanelProject.place, PanelProject.id)
    ).all()


def members_of(session: Session, panel_id: int) -> Sequence[PanelMember]:
    return session.scalars(
        select(PanelMember).where(PanelMember.panel_id == panel_id).order_by(PanelMember.id)
    ).all()


def _require_status(panel: Panel, status: str, message: str) -> None:
    if panel.status != status:
        raise DomainError(f"panel.not_{status}", message, status=409)


def add_project(
    session: Session,
    panel: Panel,
    title: str,
    owner: str,
    actor_id: int,
    *,
    plan_item_id: int | None = None,
) -> PanelProject:
    """Add a project to review; ``plan_item_id`` names the plan item it delivered, which
    the panel's result then judges."""
    _require_status(panel, "draft", N_("Projects can only be added before the order is drawn."))
    if panel.draw_seed is not None:
        raise DomainError(
            "panel.drawn", N_("Projects can only be added before the order is drawn."), status=409
        )
    if not title.strip() or len(title) > 200:
        raise DomainError(
            "panel.project_title",
            N_("Enter a title of at most 200 characters."),
            fields={"project_title": N_("Enter a title of at most 200 characters.")},
        )
    if plan_item_id is not None and session.get(PlanItem, plan_item_id) is None:
        raise DomainError(
            "panel.plan_item",
            N_("No such governance plan item."),
            fields={"plan_item_id": N_("No such governance plan item.")},
        )
    project = PanelProject(
        panel_id=panel.id, title=title.strip(), owner=owner.strip(), plan_item_id=plan_item_id
    )
    session.add(project)
    session.flush()
    audit.record(session, actor_id=actor_id, action="panel.project", target=f"panel:{panel.id}")
    return project


def add_panel_member(
    session: Session, panel: Panel, login: str, track: str, actor_id: int
) -> PanelMember:
    _require_status(panel, "draft", N_("Members can only be added before scoring opens."))
    account = find_by_login(session, login)
    if account is None:
        raise DomainError(
            "panel.no_account",
            N_("No account has this login."),
            fields={"login": N_("No account has this login.")},
        )
    if track not in (Track.EXPERT, Track.PUBLIC):
        raise DomainError(
            "panel.track", N_("Choose a track."), fields={"track": N_("Choose a track.")}
        )
    member = PanelMember(panel_id=panel.id, account_id=account.id, track=track)
    try:
        with session.begin_nested():
            session.add(member)
            session.flush()
    except IntegrityError:
        raise DomainError(
            "panel.member_twice",
            N_("This person is already on the panel."),
            fields={"login": N_("This person is already on the panel.")},
        ) from None
    audit.record(
        session,
        actor_id=actor_id,
        action="panel.member",
        target=f"panel:{panel.id}",
        member=account.id,
    )
    return member


def draw(session: Session, panel: Panel, actor_id: int, now: datetime) -> list[int]:
    """Draw the presentation order once, from a fresh random seed, and record both."""
    _require_status(panel, "draft", N_("The order has already been drawn."))
    if panel.draw_seed is not None:
        raise DomainError("panel.drawn", N_("The order has already been drawn."), status=409)
    projects = projects_of(session, panel.id)
    if len(projects) < 2:
        raise DomainError("panel.few_projects", N_("Add at least two projects before the draw."))
    seed = secrets.token_hex(16)
    order = draw_order([p.id for p in projects], seed)
    place = {pid: n for n, pid in enumerate(order, start=1)}
    for project in projects:
        project.place = place[project.id]
    panel.draw_seed, panel.drawn_at = seed, now
    audit.record(
        session,
        actor_id=actor_id,
        action="panel.drawn",
        target=f"panel:{panel.id}",
        seed=seed,
        order=order,
    )
    return order


def open_scoring(session: Session, panel: Panel, actor_id: int) -> None:
    _require_status(panel, "draft", N_("Scoring has already opened."))
    if panel.draw_seed is None:
        raise DomainError("panel.not_drawn", N_("Draw the presentation order first."))
    tracks = {m.track for m in members_of(session, panel.id)}
    needed = {
        t.value
        for t in Track
        if (panel.expert_weight if t is Track.EXPERT else 1000 - panel.expert_weight) > 0
    }
    if not needed <= tracks:
        raise DomainError("panel.no_members", N_("Each weighted track needs at least one member."))
    panel.status = "scoring"
    audit.record(session, actor_id=actor_id, action="panel.opened", target=f"panel:{panel.id}")


def close_scoring(session: Session, panel: Panel, actor_id: int, now: datetime) -> None:
    """Close scoring; each project that delivered a plan item judges that item."""
    _require_status(panel, "scoring", N_("Scoring is not open."))
    panel.status = "closed"
    audit.record(session, actor_id=actor_id, action="panel.closed", target=f"panel:{panel.id}")
    result = panel_tally(session, panel)
    for row in result.results:
        project = result.projects[row.project_id]
        if project.plan_item_id is None:
            continue
        attach_judgement(
            session,
            JudgementOf(
                item_id=project.plan_item_id,
                kind=JudgementKind.EVALUATION,
                source_ref=f"panel:{panel.id}:{project.id}",
                source_record="panel",
                source_id=panel.id,
                verdict=panel_verdict(row, len(result.projects)),
            ),
            now=now,
        )


def panel_verdict(row: ProjectResult, projects: int) -> str:
    """ "大众评审综合得分 85.3 分，第 1 名（共 4 个项目；专家 88.0，群众 81.2）"."""

    def one(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}"

    if row.combined is None:
        return "大众评审：评分不足，未能计算综合得分"
    return (
        f"大众评审综合得分 {one(row.combined)} 分，第 {row.rank} 名"
        f"（共 {projects} 个项目；专家 {one(row.expert)}，群众 {one(row.public)}）"
    )


def member_of(session: Session, panel: Panel, account_id: int) -> PanelMember:
    member = session.scalar(
        select(PanelMember).where(
            PanelMember.panel_id == panel.id, PanelMember.account_id == account_id
        )
    )
    if member is None:
        raise DomainError("panel.not_member", N_("Only the panel's members may score."), status=403)
    return member


def _project(session: Session, panel: Panel, project_id: int) -> PanelProject:
    project = session.get(PanelProject, project_id)
    if project is None or project.panel_id != panel.id:
        raise DomainError("panel.no_project", N_("No such project."), status=404)
    return project


def recuse(
    session: Session, panel: Panel, member: PanelMember, project_id: int, reason: str
) -> None:
    project = _project(session, panel, project_id)
    if panel.status == "closed":
        raise DomainError("panel.closed", N_("Scoring is closed."), status=409)
    if len(reason.strip()) < 2:
        raise DomainError(
            "panel.reason",
            N_("State the conflict of interest."),
            fields={"reason": N_("State the conflict of interest.")},
        )
    if session.scalar(
        select(PanelScoreRow.id).where(
            PanelScoreRow.member_id == member.id, PanelScoreRow.project_id == project.id
        )
    ):
        raise DomainError("panel.scored", N_("You have already scored this project."), status=409)
    try:
        with session.begin_nested():
            session.add(
                PanelRecusal(
                    member_id=member.id, project_id=project.id, reason=reason.strip()[:300]
                )
            )
            session.flush()
    except IntegrityError:
        raise DomainError(
            "panel.recused", N_("You have recused yourself from this project."), status=409
        ) from None


def score_project(
    session: Session, panel: Panel, member: PanelMember, project_id: int, score: int | None
) -> None:
    """Record the member's score of a project; ``score`` is the whole number given,
    None when none could be read (refused with the same message as one out of range)."""
    _require_status(panel, "scoring", N_("Scoring is not open."))
    project = _project(session, panel, project_id)
    if score is None or not 0 <= score <= 100:
        raise DomainError(
            "panel.score_range",
            N_("Give a whole-number score from 0 to 100."),
            fields={f"score_{project.id}": N_("Give a whole-number score from 0 to 100.")},
        )
    if session.scalar(
        select(PanelRecusal.id).where(
            PanelRecusal.member_id == member.id, PanelRecusal.project_id == project.id
        )
    ):
        raise DomainError(
            "panel.recused", N_("You have recused yourself from this project."), status=409
        )
    try:
        with session.begin_nested():
            session.add(PanelScoreRow(member_id=member.id, project_id=project.id, score=score))
            session.flush()
    except IntegrityError:
        raise DomainError(
            "panel.scored", N_("You have already scored this project."), status=409
        ) from None


@dataclass(frozen=True)
class PanelTally:
    results: list[ProjectResult]
    projects: dict[int, PanelProject]
    recusals: int


def panel_tally(session: Session, panel: Panel) -> PanelTally:
    projects = {p.id: p for p in projects_of(session, panel.id)}
    rows = session.execute(
        select(PanelScoreRow.project_id, PanelMember.track, PanelScoreRow.score)
        .join(PanelMember, PanelMember.id == PanelScoreRow.member_id)
        .where(PanelMember.panel_id == panel.id)
    ).all()
    order = sorted(projects, key=lambda pid: (projects[pid].place or 0, pid))
    results = tally(
        [PanelScore(pid, Track(track), score) for pid, track, score in rows],
        order,
        {Track.EXPERT: panel.expert_weight, Track.PUBLIC: 1000 - panel.expert_weight},
    )
    recusals = len(
        session.scalars(
            select(PanelRecusal.id)
            .join(PanelMember, PanelMember.id == PanelRecusal.member_id)
            .where(PanelMember.panel_id == panel.id)
        ).all()
    )
    return PanelTally(results, projects, recusals)


def my_marks(session: Session, member: PanelMember) -> tuple[dict[int, int], set[int]]:
    """A member's own scores and recusals (project id -> score; recused project ids)."""
    scores = dict(
        session.execute(
            select(PanelScoreRow.project_id, PanelScoreRow.score).where(
                PanelScoreRow.member_id == member.id
            )
        ).all()
    )
    recused = set(
        session.scalars(select(PanelRecusal.project_id).where(PanelRecusal.member_id == member.id))
    )
    return {int(k): int(v) for k, v in scores.items()}, recused


def member_names(session: Session, panel_id: int) -> list[tuple[str, str]]:
    """Each member's display name and track, in the order they were added."""
    rows = session.execute(
        select(Account.display_name, PanelMember.track)
        .join(PanelMember, PanelMember.account_id == Account.id)
        .where(PanelMember.panel_id == panel_id)
        .order_by(PanelMember.id)
    ).all()
    return [(name, track) for name, track in rows]


def is_member(session: Session, panel_id: int, account_id: int) -> bool:
    """Whether the account sits on the panel."""
    return (
        session.scalar(
            select(PanelMember.id).where(
                PanelMember.panel_id == panel_id, PanelMember.account_id == account_id
            )
        )
        is not None
    )
