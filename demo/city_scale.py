"""A city's worth of data on top of the demo (``gongzhi demo --scale city``).

Issue 17's sizes, multiplied by ``fraction`` (1.0 = the whole city):
1,000,000 people on the roll across 5 districts, 50 streets, 500 communities and
5,000 grids; 20,000 volunteers in 200 teams with 10,000 shifts and 1,000,000 hours
ledger entries; 100,000 plan items over five years; a consultation with 10,000
participants and 600,000 statement votes; 200 community budget rounds with
300,000 ballots; an evaluation with 200,000 responses.

What is structure (areas, teams, activities, budget rounds and their boxes, the
consultation, the evaluation) goes through the domain's services, as the demo does;
the bulk rows are Core ``INSERT``s in batches of :data:`BATCH` into the migrated
schema (its indexes in place), built by the same functions the services use:
identity hashes (``id_hash``), ballot contents (``check_ballot``), receipts,
sealing (``mixing.seal``, the evaluation's sealed responses), and the boxes and the
evaluation are closed by the services that open what was sealed and publish.
ANALYZE at the end. Loads nothing twice: refuses when the city is already there.
"""

from __future__ import annotations

import json
import math
import random
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select, text
from sqlalchemy.orm import Session

from consultations import deliberation
from consultations.evaluations import sealed as eval_sealed
from consultations.evaluations.builder import (
    NewEvaluation,
    close_evaluation,
    create_evaluation,
    open_evaluation,
)
from consultations.evaluations.models import EvaluationParticipation, SealedResponse
from consultations.evaluations.questionnaire import (
    NewQuestion,
    add_question,
    questions_of,
    set_indicators,
)
from consultations.evaluations.reports import publish_report
from consultations.evaluations.responding import check_answers
from consultations.evaluations.sampling_plan import PlanInput, set_plan
from consultations.models import OpinionVote
from demo.city import GIVEN, SURNAMES, fake_id_number
from demo.consultations import _accepted, _announce
from demo.evaluations import ELDER_CARE_INDICATORS, ELDER_CARE_QUESTIONS, _answers
from participation import portal_counts
from participation.accounts import Account, find_by_login
from participation.areas import Area, create_area
from participation.ballots import mixing
from participation.ballots.boxes import get_box
from participation.ballots.casting import cast_target
from participation.ballots.models import Participation, SealedBallot
from participation.ballots.rules.ballot_forms import check_ballot
from participation.ballots.rules.bulletin import receipt_hash
from participation.budgets import services as budgets
from participation.budgets.rules import ProposalDraft
from participation.db import utcnow
from participation.departments import Department
from participation.organizations.models import Organization
from participation.plan import board_counts as plan_board_counts
from participation.plan import delivery
from participation.plan.models import PlanItem
from participation.requests.rules.calendar import local_day
from participation.rolls import RollEntry, rebuild_counts
from participation.rules.areas import AreaKind
from participation.rules.identity import id_hash
from volunteers import reports as hours_totals
from volunteers.activities import create_activity
from volunteers.models import HoursEntry, Membership, Shift, SignUp, VolunteerProfile
from volunteers.teams import create_team

#: Rows per INSERT statement (executemany batch).
BATCH = 10_000
CITY_MARK = "Z"  # area codes of the city-scale districts start with it


@dataclass(frozen=True)
class Sizes:
    """How much of everything; :func:`sizes` scales the whole city down."""

    districts: int = 5
    streets: int = 50
    communities: int = 500
    grids: int = 5000
    people: int = 1_000_000
    volunteers: int = 20_000
    teams: int = 200
    shifts: int = 10_000
    hours: int = 1_000_000
    plan_items: int = 100_000
    plan_years: int = 5
    participants: int = 10_000
    statements: int = 500
    statement_votes: int = 600_000
    rounds: int = 200
    ballots: int = 300_000
    responses: int = 200_000


def sizes(fraction: float = 1.0) -> Sizes:
    """The city times ``fraction`` (at least one of each; five years of plans and
    five proposals per round whatever the fraction)."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    full = Sizes()
    scaled = {
        f.name: max(1, round(getattr(full, f.name) * fraction))
        for f in fields(Sizes)
        if f.name != "plan_years"
    }
    s = replace(full, **scaled)
    # A tree needs its levels to nest; a consultation needs a few statements.
    streets = max(s.streets, s.districts)
    communities = max(s.communities, streets, s.rounds + 1)  # rounds: one per community
    return replace(
        s,
        streets=streets,
        communities=communities,
        grids=max(s.grids, communities),
        statements=max(s.statements, 5),
    )


class Progress:
    """One line per step and per batch of a long step, with the time since start."""

    def __init__(self, out: Callable[[str], None] | None) -> None:
        self.out = out
        self.started = time.perf_counter()

    def __call__(self, what: str, done: int | None = None, total: int | None = None) -> None:
        if self.out is None:
            return
        elapsed = time.perf_counter() - self.started
        if done is None:
            self.out(f"[{elapsed:7.1f} s] {what}")
        else:
            self.out(f"[{elapsed:7.1f} s] {what}: {done:,} / {total:,}")


def say(line: str) -> None:
    """Progress to standard output, at once (also when it is a file)."""
    print(line, flush=True)


def _batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk(
    session: Session,
    model: Any,
    rows: Iterable[dict[str, Any]],
    total: int,
    progress: Progress,
    what: str,
) -> int:
    """Core INSERT of ``rows`` in batches; returns how many."""
    table = cast(Table, model.__table__)
    done = 0
    for batch in _batches(rows):
        session.execute(insert(table), batch)
        done += len(batch)
        if done % (BATCH * 10) == 0 or done == total:
            progress(what, done, total)
    return done


def _returning_ids(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert accounts, returning their ids in the order given."""
    table = cast(Table, Account.__table__)
    ids: list[int] = []
    for batch in _batches(rows):
        result = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), batch
        )
        ids.extend(result.scalars())
    return ids


@dataclass(frozen=True)
class CityCounts:
    """What was loaded (the rows the sizes asked for)."""

    districts: int
    streets: int
    communities: int
    grids: int
    people: int
    volunteers: int
    teams: int
    shifts: int
    hours: int
    plan_items: int
    statement_votes: int
    participants: int
    rounds: int
    ballots: int
    responses: int
    seconds: float


def seed_city(
    session: Session,
    *,
    id_hash_key: str,
    fraction: float = 1.0,
    out: Callable[[str], None] | None = say,
    commit: Callable[[], None] | None = None,
) -> CityCounts:
    """Load the city on top of the demo (which must be loaded: its city, accounts
    and organizations are used). ``commit``, when given, is called after each
    step so that a long load does not hold one transaction for minutes."""
    progress = Progress(out)
    size = sizes(fraction)
    rng = random.Random(20261204)
    if session.scalar(select(Area.id).where(Area.code == f"{CITY_MARK}1")) is not None:
        raise SystemExit("gongzhi: the city-scale data is already loaded")
    city = session.scalar(select(Area).where(Area.kind == AreaKind.CITY.value).order_by(Area.id))
    if city is None:
        raise SystemExit("gongzhi: load the demo first (gongzhi demo)")
    now = utcnow()

    def step_done(what: str) -> None:
        if commit is not None:
            commit()
        progress(what)

    communities, grids = _areas(session, city, size)
    step_done(
        f"areas: {size.districts} districts, {size.streets} streets, "
        f"{len(communities)} communities, {len(grids)} grids"
    )
    people = _roll(session, id_hash_key, size, communities, rng, progress, now)
    step_done(f"roll: {size.people:,} people")
    hours = _volunteers(session, size, communities, people, rng, progress, now)
    step_done(f"volunteers: {size.volunteers:,} in {size.teams} teams, {hours:,} hours entries")
    # The ledger went in past the ORM: its summary (hours reports, rosters) is rebuilt.
    totals = hours_totals.rebuild_totals(session)
    step_done(f"hours summary: {totals:,} rows")
    items = _plan(session, city, communities, size, rng, progress, now.date())
    step_done(f"plan: {items:,} items")
    votes = _consultation(session, communities[0], people.crowd, size, rng, progress, now)
    step_done(f"consultation: {len(people.crowd):,} participants, {votes:,} votes")
    ballots = _budgets(session, communities[1:], people.voters, size, rng, progress, now)
    step_done(f"budgets: {size.rounds} rounds, {ballots:,} ballots")
    responses = _evaluation(session, city, people.first_roll_id, size, rng, progress, now)
    step_done(f"evaluation: {responses:,} responses")
    # As the worker's hourly plan-figures job would: the board reads its summary.
    rows = plan_board_counts.refresh(session, local_day(now), now)
    step_done(f"plan board summary: {rows:,} rows")
    # As the worker's home-counts job would: the front page reads this one row.
    portal_counts.refresh(session, now)
    step_done("front page counts")
    session.execute(text("ANALYZE"))
    step_done("ANALYZE")
    return CityCounts(
        size.districts,
        size.streets,
        len(communities),
        len(grids),
        size.people,
        size.volunteers,
        size.teams,
        size.shifts,
        hours,
        items,
        votes,
        len(people.crowd),
        size.rounds,
        ballots,
        responses,
        time.perf_counter() - progress.started,
    )


def _spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` nearly equal whole numbers."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _areas(session: Session, city: Area, size: Sizes) -> tuple[list[Area], list[int]]:
    communities: list[Area] = []
    grids: list[int] = []
    street_split = _spread(size.streets, size.districts)
    community_split = iter(_spread(size.communities, size.streets))
    grid_split = iter(_spread(size.grids, size.communities))
    for d in range(size.districts):
        district = create_area(
            session,
            code=f"{CITY_MARK}{d + 1}",
            name=f"城{d + 1}区",
            kind=AreaKind.DISTRICT,
            parent=city,
        )
        for s in range(street_split[d]):
            street = create_area(
                session,
                code=f"{district.code}.{s + 1}",
                name=f"城{d + 1}区第{s + 1}街道",
                kind=AreaKind.STREET,
                parent=district,
            )
            for c in range(next(community_split)):
                community = create_area(
                    session,
                    code=f"{street.code}.{c + 1}",
                    name=f"城{d + 1}区{s + 1}街{c + 1}社区",
                    kind=AreaKind.COMMUNITY,
                    parent=street,
                )
                communities.append(community)
                for g in range(next(grid_split)):
                    grid = create_area(
                        session,
                        code=f"{community.code}.{g + 1}",
                        name=f"{community.name}第{g + 1}网格",
                        kind=AreaKind.GRID,
                        parent=community,
                    )
                    grids.append(grid.id)
    return communities, grids


@dataclass
class People:
    """Accounts made for people of the roll: volunteers, the consultation's crowd
    (residents of the first community) and budget voters by community id."""

    volunteers: list[int]
    crowd: list[int]
    voters: dict[int, list[int]]
    first_roll_id: int


def _roll(
    session: Session,
    id_hash_key: str,
    size: Sizes,
    communities: list[Area],
    rng: random.Random,
    progress: Progress,
    now: datetime,
) -> People:
    """The roll: the consultation's crowd all live in the first community, the rest
    spread evenly; accounts (verified, without password) for the crowd, the budget
    voters of the next ``rounds`` communities and the volunteers."""
    secret = id_hash_key.encode()
    crowd_n = min(size.participants, size.people)
    rest = size.people - crowd_n
    per_community = _spread(rest, len(communities))
    per_community[0] += crowd_n
    voters_per_round = _spread(size.ballots, size.rounds)
    voter_communities = communities[1 : 1 + size.rounds]
    volunteers_n = size.volunteers
    # Who gets an account: (community index, how many of its people).
    want = {0: crowd_n}
    for i, n in enumerate(voters_per_round):
        if 1 + i < len(communities):
            want[1 + i] = min(n, per_community[1 + i])
    account_rows = []
    owners: list[tuple[int, int]] = []  # (community index, n-th person there)
    for index, n in want.items():
        for k in range(n):
            account_rows.append({"display_name": f"居民{index}-{k}", "created_at": now})
            owners.append((index, k))
    for k in range(volunteers_n):
        account_rows.append(
            {"phone": f"17{k:09d}", "display_name": f"志愿者{k:05d}", "created_at": now}
        )
    ids = _returning_ids(session, account_rows)
    progress("accounts", len(ids), len(ids))
    account_of = dict(zip(owners, ids, strict=False))
    volunteer_ids = ids[len(owners) :]
    voters: dict[int, list[int]] = {c.id: [] for c in voter_communities}
    crowd: list[int] = []
    first_roll_id = (
        int(
            session.scalar(
                select(text("coalesce(max(id), 0)")).select_from(cast(Table, RollEntry.__table__))
            )
            or 0
        )
        + 1
    )

    def rows() -> Iterator[dict[str, Any]]:
        n = 0
        for index, community in enumerate(communities):
            for k in range(per_community[index]):
                born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 66))
                account_id = account_of.get((index, k))
                if account_id is not None:
                    (crowd if index == 0 else voters[community.id]).append(account_id)
                yield {
                    "community_id": community.id,
                    "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                    # The roll's id hash, unique: the demo's made-up ID numbers, with the
                    # running number in the sequence digits' place so none repeats.
                    "id_hash": id_hash(secret, _unique_id_number(rng, born, n)),
                    "birth_date": born,
                    "household_code": f"{community.code}-{k // 3:05d}",
                    "account_id": account_id,
                    "verified_at": now if account_id is not None else None,
                }
                n += 1

    _bulk(session, RollEntry, rows(), size.people, progress, "roll")
    # The roll went in past the ORM: its communities' counts are counted afresh.
    rebuild_counts(session)
    return People(volunteer_ids, crowd, voters, first_roll_id)


def _unique_id_number(rng: random.Random, born: date, n: int) -> str:
    """A made-up ID number, unique by ``n``: the demo's (an impossible region 99x) with
    its first nine characters replaced by "Z" and ``n``, so it can never be real."""
    number = fake_id_number(rng, born)
    return f"Z{n:08d}{number[9:]}"


def _volunteers(
    session: Session,
    size: Sizes,
    communities: list[Area],
    people: People,
    rng: random.Random,
    progress: Progress,
    now: datetime,
) -> int:
    """Teams (one activity each) of even size, all volunteers members of one team;
    shifts spread over the last year (a tenth in the coming weeks), each past shift
    attended by volunteers of its district, every attendance a confirmed, credited
    sign-up with its ``system`` hours entry, until the ledger has ``hours`` lines."""
    volunteers = people.volunteers
    _bulk(
        session,
        VolunteerProfile,
        (
            {
                "account_id": a,
                "volunteer_number": f"V{a:08d}",
                "calendar_token": secrets.token_urlsafe(32),
                "created_at": now,
            }
            for a in volunteers
        ),
        len(volunteers),
        progress,
        "volunteer profiles",
    )
    teams = []
    for t in range(size.teams):
        area = communities[(t * len(communities)) // size.teams]
        team = create_team(
            session,
            area=area,
            name=f"城区第{t + 1}志愿服务队",
            kind="featured",
            join_mode="open",
            description="城市规模数据的志愿服务队。",
        )
        activity = create_activity(session, team, title="社区服务", service_content="社区服务")
        teams.append((team, activity, area))
    members = _spread(len(volunteers), size.teams)
    start = 0
    roster: list[list[int]] = []
    for n in members:
        roster.append(volunteers[start : start + n])
        start += n
    leader = find_by_login(session, "leader")
    membership_rows = []
    for (team, _, _), ids in zip(teams, roster, strict=True):
        for k, account_id in enumerate(ids):
            role = "leader" if k == 0 else ("core" if k < 5 else "member")
            membership_rows.append(
                {
                    "team_id": team.id,
                    "account_id": account_id,
                    "role": role,
                    "status": "active",
                    "since": now - timedelta(days=400),
                }
            )
    if leader is not None:  # the demo's leader also leads the first city team (bench: roster)
        membership_rows.append(
            {
                "team_id": teams[0][0].id,
                "account_id": leader.id,
                "role": "leader",
                "status": "active",
                "since": now - timedelta(days=400),
            }
        )
    _bulk(session, Membership, membership_rows, len(membership_rows), progress, "memberships")
    upcoming = max(1, size.shifts // 10)
    past = max(1, size.shifts - upcoming)
    per_shift = _spread(size.hours, past)
    shift_rows: list[dict[str, Any]] = []
    shift_plan: list[tuple[int, int, bool]] = []  # (team index, attendees, past)
    for n in range(size.shifts):
        t = n % size.teams
        is_past = n < past
        if is_past:
            starts = now - timedelta(days=1 + (n * 364) // past, hours=n % 7)
        else:
            starts = now + timedelta(days=1 + (n - past) % 60, hours=n % 7)
        starts = starts.replace(minute=0, second=0, microsecond=0)
        attendees = per_shift[n] if is_past else 0
        team, activity, area = teams[t]
        shift_rows.append(
            {
                "activity_id": activity.id,
                "area_id": area.id,
                "place": "社区党群服务中心",
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=3),
                "capacity": max(attendees, 20) + 10,
                "qualifications": "",
                "members_only": False,
                "arrivals": attendees,
                "confirmed": attendees,
            }
        )
        shift_plan.append((t, attendees, is_past))
    table = cast(Table, Shift.__table__)
    shift_ids: list[int] = []
    for batch in _batches(shift_rows):
        shift_ids.extend(
            session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), batch
            ).scalars()
        )
    progress("shifts", len(shift_ids), size.shifts)
    # Attendees: volunteers of the shift's own district first, in a rotating window.
    district_of_team = [
        teams[t][2].path.split("/")[2] if teams[t][2].path else "" for t in range(size.teams)
    ]
    pool_of: dict[str, list[int]] = {}
    for t, ids in enumerate(roster):
        pool_of.setdefault(district_of_team[t], []).extend(ids)

    def attendance() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        offset: dict[str, int] = {}
        for shift_id, row, (t, attendees, _) in zip(shift_ids, shift_rows, shift_plan, strict=True):
            if not attendees:
                continue
            key = district_of_team[t]
            pool = pool_of[key] if len(pool_of[key]) >= attendees else volunteers
            at = offset.get(key, 0)
            chosen = [pool[(at + i) % len(pool)] for i in range(min(attendees, len(pool)))]
            offset[key] = (at + len(chosen)) % len(pool)
            team, _, area = teams[t]
            for arrival, account_id in enumerate(chosen, 1):
                yield (
                    {
                        "shift_id": shift_id,
                        "account_id": account_id,
                        "arrival": arrival,
                        "status": "confirmed",
                        "created_at": row["starts_at"] - timedelta(days=3),
                        "checked_in_at": row["starts_at"],
                        "checked_out_at": row["ends_at"],
                        "credited": True,
                    },
                    {
                        "account_id": account_id,
                        "team_id": team.id,
                        "area_id": area.id,
                        "shift_id": shift_id,
                        "served_on": row["starts_at"].date(),
                        "minutes": 180,
                        "kind": "system",
                        "reason": "attendance",
                        "recorded_at": row["ends_at"],
                    },
                )

    signups = cast(Table, SignUp.__table__)
    hours = cast(Table, HoursEntry.__table__)
    done = 0
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for pair in attendance():
        pairs.append(pair)
        if len(pairs) == BATCH:
            session.execute(insert(signups), [p[0] for p in pairs])
            session.execute(insert(hours), [p[1] for p in pairs])
            done += len(pairs)
            pairs = []
            if done % (BATCH * 10) == 0:
                progress("sign-ups and hours", done, size.hours)
    if pairs:
        session.execute(insert(signups), [p[0] for p in pairs])
        session.execute(insert(hours), [p[1] for p in pairs])
        done += len(pairs)
    progress("sign-ups and hours", done, size.hours)
    return done


PLAN_STATUSES = ["planned", "in_progress", "in_progress", "done", "done", "delayed"]


def _plan(
    session: Session,
    city: Area,
    communities: list[Area],
    size: Sizes,
    rng: random.Random,
    progress: Progress,
    today: date,
) -> int:
    """Plans of the city and of every city-scale district for five years: the first
    item of each plan through the service (it makes the plan), the rest as rows of
    the same shape (direct entries)."""
    districts = session.scalars(
        select(Area).where(Area.code.like(f"{CITY_MARK}%"), Area.kind == "district")
    ).all()
    areas = [city, *districts]
    owners = session.execute(select(Department.id, Department.name).order_by(Department.id)).all()
    assert owners, "the demo's departments are needed"
    years = [today.year - k for k in range(size.plan_years)]
    plans: list[tuple[int, int]] = []  # (plan id, year)
    made = 0
    for year in years:
        for area in areas:
            item = delivery.enter_item(
                session,
                delivery.DirectItem(
                    area_id=area.id,
                    year=year,
                    title=f"{area.name}{year}年治理事项",
                    owner_department=owners[0].name,
                    budget_yuan=100_000,
                    starts_on=date(year, 1, 1),
                    due_on=date(year, 12, 31),
                ),
                actor_id=None,
            )
            plans.append((item.plan_id, year))
            made += 1
    template = session.get(PlanItem, item.id)
    assert template is not None
    source_kind = template.source_kind
    total = max(size.plan_items, made)

    def rows() -> Iterator[dict[str, Any]]:
        for n in range(total - made):
            plan_id, year = plans[n % len(plans)]
            starts = date(year, 1, 1) + timedelta(days=rng.randint(0, 200))
            yield {
                "plan_id": plan_id,
                "title": f"治理事项{n}",
                "description": "",
                "source_kind": source_kind,
                "source_ref": f"city-{n}",
                "source_url": "",
                "owner_department": owners[n % len(owners)].name,
                "owner_department_id": owners[n % len(owners)].id,
                "budget_yuan": 10_000 + (n % 500) * 1_000,
                "starts_on": starts,
                "due_on": starts + timedelta(days=rng.randint(30, 160)),
                "status": rng.choice(PLAN_STATUSES),
                "weight": 1,
                "created_at": datetime.combine(date(year, 1, 1), datetime.min.time(), UTC),
            }

    return made + _bulk(session, PlanItem, rows(), total - made, progress, "plan items")


STATEMENT_STEMS = ["增设", "改造", "延长", "取消", "规范", "公开", "整治", "补贴", "共建", "开放"]


def _consultation(
    session: Session,
    community: Area,
    crowd: list[int],
    size: Sizes,
    rng: random.Random,
    progress: Progress,
    now: datetime,
) -> int:
    """A consultation of the first community in deliberation: ``statements``
    statements (through the service), the crowd voting on them in three camps."""
    worker = find_by_login(session, "worker")
    assert worker is not None and len(crowd) >= 6
    people = [session.get(Account, a) for a in crowd[:6]]
    topic = _accepted(
        session,
        community,
        [p for p in people if p is not None],
        "城区公共空间治理",
        "公共空间的使用和管理需要全体居民共同商议。",
        now - timedelta(days=10),
        worker.id,
    )
    consultation = _announce(
        session,
        topic,
        "城区公共空间治理协商",
        "听取居民意见，商定公共空间使用规则。",
        now + timedelta(days=5),
        now - timedelta(days=3),
        now + timedelta(days=30),
        worker.id,
    )
    ids = [
        deliberation.add_statement(
            session,
            consultation,
            crowd[n % len(crowd)],
            f"建议{STATEMENT_STEMS[n % 10]}公共空间第{n + 1}项设施",
            now - timedelta(days=2),
        ).id
        for n in range(size.statements)
    ]
    per_person = min(len(ids), max(1, math.ceil(size.statement_votes / len(crowd))))
    total = min(size.statement_votes, per_person * len(crowd))
    at = now - timedelta(days=1)

    def rows() -> Iterator[dict[str, Any]]:
        left = total
        for n, person in enumerate(crowd):
            camp = n % 3
            for sid in rng.sample(ids, min(per_person, left)):
                leans = (sid + camp) % 3
                choice = 1 if leans == 0 else (-1 if leans == 1 else 0)
                if rng.random() < 0.15:
                    choice = rng.choice((-1, 0, 1))
                yield {
                    "consultation_id": consultation.id,
                    "statement_id": sid,
                    "account_id": person,
                    "choice": choice,
                    "voted_at": at,
                }
            left -= per_person
            if left <= 0:
                return

    done = _bulk(session, OpinionVote, rows(), total, progress, "statement votes")
    deliberation.recount_statement_votes(session, consultation.id)
    return done


BUDGET_PROJECTS = [
    ("楼道照明改造", 60_000),
    ("长者饭堂扩容", 90_000),
    ("儿童游乐角", 80_000),
    ("口袋公园座椅", 40_000),
    ("电动车充电棚", 70_000),
]


def _budgets(
    session: Session,
    communities: Sequence[Area],
    voters: dict[int, list[int]],
    size: Sizes,
    rng: random.Random,
    progress: Progress,
    now: datetime,
) -> int:
    """Finished rounds, as the demo's 春晖社区 round: proposals screened, voting
    opened (the box), ballots checked and sealed as casting seals them with their
    participations, then the results phase, which opens the sealed ballots and
    publishes the bulletin."""
    start = now - timedelta(days=40)
    total = 0
    sealed_table = cast(Table, SealedBallot.__table__)
    for r, community in enumerate(communities[: size.rounds]):
        people = voters[community.id]
        if len(people) < 3:
            continue
        budget_round = budgets.create_round(
            session,
            budgets.NewRound(
                area_id=community.id,
                year=start.year,
                title=f"{community.name}{start.year}年微实事",
                budget_yuan=200_000,
                rule="mes" if r % 2 == 0 else "greedy",
                roll="residents",
            ),
            None,
        )
        proposals = [
            budgets.submit_proposal(
                session,
                budget_round,
                people[k % len(people)],
                ProposalDraft(title, f"{title}：居民提出。", community.name, cost, "全体居民"),
            )
            for k, (title, cost) in enumerate(BUDGET_PROJECTS)
        ]
        budgets.advance(session, budget_round, people[0], start + timedelta(days=10))
        for proposal in proposals:
            budgets.screen(
                session,
                proposal,
                budgets.Screening(True, "可行。", "合规。", None, ""),
                people[0],
                start + timedelta(days=12),
            )
        opened = start + timedelta(days=15)
        budgets.advance(session, budget_round, people[0], opened, opened + timedelta(days=10))
        assert budget_round.box_id is not None
        box = get_box(session, budget_round.box_id)
        target = cast_target(session, box)
        keys = list(target.costs)
        participations = []
        sealed = []
        for n, account_id in enumerate(people):
            liked = [k for i, k in enumerate(keys) if (i + n) % 3 != 0 or rng.random() < 0.2]
            approved, spent = [], 0
            for key in liked:  # what a voter can afford under the cap
                if spent + target.costs[key] <= 200_000:
                    approved.append(key)
                    spent += target.costs[key]
            checked = check_ballot(target.form, target.costs, {"approved": approved})
            assert checked.ok and checked.content is not None, checked.reason
            code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
            participations.append({"box_id": box.id, "voter_key": f"account:{account_id}"})
            sealed.append(
                {
                    "id": secrets.token_hex(16),
                    "box_id": box.id,
                    "sealed": mixing.seal(
                        box.id,
                        receipt_hash(code),
                        json.dumps(checked.content, ensure_ascii=False, sort_keys=True),
                        None,
                        target.sealed_size,
                    ),
                }
            )
        session.execute(insert(cast(Table, Participation.__table__)), participations)
        session.execute(insert(sealed_table), sealed)
        budgets.advance(session, budget_round, people[0], opened + timedelta(days=11))  # results
        total += len(people)
        if (r + 1) % 20 == 0 or r + 1 == size.rounds:
            progress("budget rounds", r + 1, size.rounds)
    return total


def _evaluation(
    session: Session,
    city: Area,
    first_roll_id: int,
    size: Sizes,
    rng: random.Random,
    progress: Progress,
    now: datetime,
) -> int:
    """A city-wide evaluation open to verified residents: responses checked and
    sealed as submission seals them, with their participations, then closed (the
    service opens them) and its report published."""
    org = session.scalar(select(Organization).order_by(Organization.id))
    actor = find_by_login(session, "orguser")
    assert org is not None and actor is not None
    evaluation = create_evaluation(
        session,
        org,
        NewEvaluation(
            title="城区居家养老服务满意度测评",
            subject_kind="policy",
            subject="居家养老服务补贴政策",
            department="海澄市民政局",
            area_id=city.id,
            conflict_declaration="本中心与政策执行机构无利益关系。",
        ),
        actor.id,
    )
    set_indicators(session, evaluation, ELDER_CARE_INDICATORS, actor.id)
    for question, kind, indicator, options in ELDER_CARE_QUESTIONS:
        low, high = ("60", "7") if kind == "number" else ("", "")
        add_question(
            session,
            evaluation,
            NewQuestion(
                question,
                kind,
                indicator,
                options,
                low,
                high,
                required=kind not in ("text", "multi"),
            ),
            actor.id,
        )
    opened = now - timedelta(days=60)
    set_plan(
        session,
        evaluation,
        PlanInput("residents", "0.95", "2", "80", (), "none"),
        actor.id,
        opened.date(),
    )
    open_evaluation(session, evaluation, actor.id, opened)
    questions = questions_of(session, evaluation.id)
    purpose = eval_sealed._response_purpose(evaluation.id)
    padded = eval_sealed.sealed_size(session, evaluation.id)
    from participation import sealing

    def rows() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        for n in range(size.responses):
            answers, seconds = _answers(rng, "", "")
            clean = check_answers(questions, answers)
            payload = eval_sealed._encode({"cell": "", "answers": clean, "seconds": seconds})
            yield (
                {"evaluation_id": evaluation.id, "respondent_key": f"resident:{first_roll_id + n}"},
                {
                    "id": secrets.token_hex(16),
                    "evaluation_id": evaluation.id,
                    "sealed": sealing.seal(purpose, payload, padded),
                },
            )

    done = 0
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    parts = cast(Table, EvaluationParticipation.__table__)
    seals = cast(Table, SealedResponse.__table__)
    for pair in rows():
        pairs.append(pair)
        if len(pairs) == BATCH:
            session.execute(insert(parts), [p[0] for p in pairs])
            session.execute(insert(seals), [p[1] for p in pairs])
            done += len(pairs)
            pairs = []
            progress("evaluation responses", done, size.responses)
    if pairs:
        session.execute(insert(parts), [p[0] for p in pairs])
        session.execute(insert(seals), [p[1] for p in pairs])
        done += len(pairs)
    evaluation.response_count += done  # what the responding service keeps, one at a time
    closed = now - timedelta(days=20)
    close_evaluation(session, evaluation, actor.id, closed)
    progress("evaluation closed (responses opened)")
    publish_report(session, evaluation, "城市规模数据的测评报告。", actor.id, closed)
    return done


def main_pages(session: Session) -> dict[str, str]:
    """The main pages to time (bench/bench_city.py) and to check (the tests), each on
    the largest record of its kind, so that the same names point at the demo's
    records on the demo and at the city's on a city-scale load. ``office`` pages
    need the demo's ``leader`` signed in."""
    from sqlalchemy import func

    from consultations.evaluations.models import Evaluation, EvaluationResponse
    from participation.budgets.models import BudgetRound

    leader = find_by_login(session, "leader")
    team = session.scalar(
        select(Membership.team_id)
        .where(
            Membership.team_id.in_(
                select(Membership.team_id).where(
                    Membership.account_id == (leader.id if leader else -1),
                    Membership.role == "leader",
                )
            )
        )
        .group_by(Membership.team_id)
        .order_by(func.count().desc(), Membership.team_id)
        .limit(1)
    )
    shift = session.scalar(
        select(Shift.id).where(Shift.starts_at > utcnow()).order_by(Shift.starts_at).limit(1)
    )
    budget = session.scalar(
        select(BudgetRound.id)
        .join(Participation, Participation.box_id == BudgetRound.box_id)
        .where(BudgetRound.phase != "voting")
        .group_by(BudgetRound.id)
        .order_by(func.count().desc(), BudgetRound.id)
        .limit(1)
    )
    consultation = session.scalar(
        select(OpinionVote.consultation_id)
        .group_by(OpinionVote.consultation_id)
        .order_by(func.count().desc(), OpinionVote.consultation_id)
        .limit(1)
    )
    evaluation = session.scalar(
        select(Evaluation.id)
        .join(EvaluationResponse, EvaluationResponse.evaluation_id == Evaluation.id)
        .group_by(Evaluation.id)
        .order_by(func.count().desc(), Evaluation.id)
        .limit(1)
    )
    return {
        "/": "/",
        "/areas": "/areas",
        "/volunteers": "/volunteers",
        "a shift page": f"/volunteers/shifts/{shift}",
        "a team's roster (office)": f"/lead/teams/{team}",
        "budget results": f"/budgets/{budget}/results",
        "/livelihood/1": "/livelihood/1",
        "/plan": "/plan",
        "consultation": f"/consultations/{consultation}",
        "evaluation": f"/evaluations/{evaluation}",
        "requests board": "/requests/board",
        # Back-office lists of the whole city, signed in as the demo's admin.
        "accounts list (admin)": "/admin/accounts",
        "audit log (admin)": "/admin/audit",
        # Every community's roll figures, read from roll_counts (kept by each write,
        # rebuilt by the loaders).
        "roll's communities (admin)": "/admin/rolls",
    }
