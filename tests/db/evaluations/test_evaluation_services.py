"""Evaluation services: building, responding (one per person, quotas, tokens), publishing,
rectification into the governance plan; races on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from consultations.evaluations.builder import close_evaluation, get_evaluation
from consultations.evaluations.models import (
    EvaluationParticipation,
    EvaluationResponse,
    Indicator,
    Invitation,
    Question,
    QuotaCell,
    SealedResponse,
)
from consultations.evaluations.questionnaire import NewQuestion, add_question, set_indicators
from consultations.evaluations.rectification import (
    NewRectification,
    post_response,
    update_rectification,
)
from consultations.evaluations.reports import publish_report
from consultations.evaluations.responding import (
    resident_respondent,
    save_draft,
    submit_response,
    token_respondent,
)
from consultations.evaluations.sampling_plan import issue_invitations
from participation.db import make_engine
from participation.errors import DomainError
from participation.plan.models import Plan, PlanItem
from participation.plan.records import Update
from participation.plan.yearend import roll_up_year
from tests.support.evaluation_setup import NOW, EvaluationWorld, build

ANSWERS = {"q1": "4", "q2": "5", "q3": "3", "q4": "窗口可以再多开一个"}


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def stored_responses(session: Session) -> int:
    """Responses stored, sealed (while collecting) or opened (once closed)."""
    return count(session, EvaluationResponse) + count(session, SealedResponse)


def respond(
    session: Session, world: EvaluationWorld, n: int, answers: dict[str, str] = ANSWERS
) -> None:
    evaluation = get_evaluation(session, world.evaluation_id)
    who = resident_respondent(session, evaluation, world.residents[n], NOW.date())
    submit_response(
        session, evaluation, who, answers, now=NOW, started_at=NOW - timedelta(minutes=3)
    )


def test_weights_not_summing_to_one_store_nothing(engine: Engine) -> None:
    world = build(engine)
    with Session(engine) as s:
        evaluation = get_evaluation(s, world.evaluation_id)
        evaluation.status = "draft"
        before = [(i.key, i.weight) for i in s.scalars(select(Indicator))]
        with pytest.raises(DomainError) as refused:
            set_indicators(s, evaluation, "A | 甲 | 0.6\nB | 乙 | 0.3", world.org_admin)
        assert refused.value.code == "evaluation.weights_sum"
        assert refused.value.params["total"] == "0.9"
        assert [(i.key, i.weight) for i in s.scalars(select(Indicator))] == before
        with pytest.raises(DomainError) as orphan:
            add_question(
                s, evaluation, NewQuestion("没有指标的问题", "scale5", ""), world.org_admin
            )
        assert orphan.value.fields == {
            "indicator": "Every scored question must belong to an indicator."
        }
        assert count(s, Question) == 4


def test_one_response_per_person_stored_apart_from_identity(engine: Engine) -> None:
    world = build(engine)
    with Session(engine) as s, s.begin():
        evaluation = get_evaluation(s, world.evaluation_id)
        who = resident_respondent(s, evaluation, world.residents[0], NOW.date())
        save_draft(s, evaluation, who, {"q1": "4"}, NOW - timedelta(minutes=5))
        submit_response(s, evaluation, who, ANSWERS, now=NOW, started_at=None)
    with Session(engine) as s:
        with pytest.raises(DomainError) as again:
            respond(s, world, 0)
        assert again.value.code == "evaluation.already_responded"
        s.rollback()
        # Sealed while collecting: nothing of the answers is readable beside the person.
        assert count(s, EvaluationResponse) == 0 and count(s, SealedResponse) == 1
        sealed = s.scalars(select(SealedResponse.sealed)).one()
        assert "窗口".encode() not in sealed and b'"q1"' not in sealed
    with Session(engine) as s, s.begin():
        close_evaluation(s, get_evaluation(s, world.evaluation_id), world.org_admin, NOW)
    with Session(engine) as s:
        assert count(s, SealedResponse) == 0
        response = s.scalars(select(EvaluationResponse)).one()
        assert response.seconds == 300  # from the draft's start
        assert response.cell == "东社区"
        assert json.loads(response.answers_json)["q1"] == "4"
        columns = set(EvaluationResponse.__table__.columns.keys())
        assert columns == {"id", "evaluation_id", "cell", "answers_json", "seconds"}
        assert count(s, EvaluationParticipation) == 1
        if s.bind is not None and s.bind.dialect.name == "sqlite":
            # No rowid: the storage order says nothing about the order of responses.
            with pytest.raises(OperationalError):
                s.execute(text("SELECT rowid FROM eval_responses"))


def test_invalid_answers_store_nothing(engine: Engine) -> None:
    world = build(engine)
    with Session(engine) as s:
        with pytest.raises(DomainError) as refused:
            respond(s, world, 0, {"q1": "9", "q2": "", "q3": "3"})
        assert set(refused.value.fields) == {"q1", "q2"}
        s.rollback()
        assert count(s, EvaluationParticipation) == stored_responses(s) == 0


def test_full_quota_cell_refuses_and_stores_nothing(engine: Engine) -> None:
    world = build(engine, residents=6, caps="东社区 = 1\n西社区 = 5")
    with Session(engine) as s, s.begin():
        respond(s, world, 0)
    with Session(engine) as s:
        with pytest.raises(DomainError) as full:
            respond(s, world, 2)
        assert full.value.code == "evaluation.quota_full"
        s.rollback()
        assert stored_responses(s) == 1
        assert count(s, EvaluationParticipation) == 1
        assert s.scalars(select(QuotaCell.filled).where(QuotaCell.cell == "东社区")).one() == 1


def test_tokens_single_use_and_expiring(engine: Engine) -> None:
    world = build(engine, access="tokens")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        evaluation = get_evaluation(s, world.evaluation_id)
        fresh, stale = (
            issue_invitations(
                s, evaluation, count=1, days=days, cell="东社区", actor_id=world.org_admin, now=NOW
            )[0]
            for days in (7, 1)
        )
    with Session(engine) as s, s.begin():
        evaluation = get_evaluation(s, world.evaluation_id)
        who = token_respondent(s, evaluation, fresh, NOW)
        submit_response(s, evaluation, who, ANSWERS, now=NOW, started_at=None)
    with Session(engine) as s:
        evaluation = get_evaluation(s, world.evaluation_id)
        with pytest.raises(DomainError) as used:
            token_respondent(s, evaluation, fresh, NOW)
        assert used.value.code == "evaluation.token_used"
        with pytest.raises(DomainError) as expired:
            token_respondent(s, evaluation, stale, NOW + timedelta(days=2))
        assert expired.value.code == "evaluation.token_expired"
        with pytest.raises(DomainError):
            resident_respondent(s, evaluation, world.residents[0], NOW.date())
        assert s.scalar(select(func.count()).select_from(Invitation).where(Invitation.used)) == 1


def test_closing_rewrites_responses_in_key_order(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    world = build(engine, residents=6)
    with Session(engine) as s, s.begin():
        for n in range(6):
            respond(s, world, n)
        before = [json.dumps(ANSWERS, ensure_ascii=False, sort_keys=True)] * 6
        close_evaluation(s, get_evaluation(s, world.evaluation_id), world.org_admin, NOW)
    with Session(engine) as s:
        # Physical order (no ORDER BY) is key order now, and nothing was lost.
        ids = list(s.scalars(text("SELECT id FROM eval_responses")))
        keys = list(s.scalars(text("SELECT respondent_key FROM eval_participations")))
        assert ids == sorted(ids) and keys == sorted(keys)
        assert sorted(s.scalars(select(EvaluationResponse.answers_json))) == before
    engine.dispose()


def test_publish_and_rectification_become_plan_items(engine: Engine) -> None:
    world = build(engine, residents=6)
    with Session(engine) as s, s.begin():
        for n in range(6):
            respond(s, world, n, {"q1": str(1 + n % 5), "q2": "4", "q3": "5", "q4": ""})
        evaluation = get_evaluation(s, world.evaluation_id)
        close_evaluation(s, evaluation, world.org_admin, NOW)
        publish_report(s, evaluation, "窗口等待时间偏长。", world.org_admin, NOW)
        report = json.loads(evaluation.report_json or "{}")
        assert report["kept"] == 6
        # q1 scores 0,25,50,75,100,0 → A1 mean 41.67; A2 75; B 100
        assert report["figures"]["A1"]["mean"] == pytest.approx(250 / 6)
        overall = 0.3 * 250 / 6 + 0.3 * 75 + 0.4 * 100
        assert report["figures"]["_overall"]["mean"] == pytest.approx(overall)
        items = post_response(
            s,
            evaluation,
            "我们接受评估结论，将增开窗口。",
            [NewRectification("增开午间窗口", "街道便民服务中心", NOW.date() + timedelta(days=60))],
            actor_id=world.staff,
            now=NOW,
        )
        plan_item = s.get(PlanItem, items[0].plan_item_id)
        assert plan_item is not None
        assert (plan_item.source_kind, plan_item.source_ref) == (
            "rectification",
            f"evaluation:{world.evaluation_id}:1",
        )
        assert plan_item.due_on == NOW.date() + timedelta(days=60)
    with Session(engine) as s:
        with pytest.raises(DomainError) as twice:
            post_response(
                s,
                get_evaluation(s, world.evaluation_id),
                "再次回应的内容很长。",
                [],
                actor_id=world.staff,
                now=NOW,
            )
        assert twice.value.code == "evaluation.responded"


def _race(url: str, world: EvaluationWorld, jobs: list[int]) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(len(jobs))
    engine = make_engine(url)

    def run(n: int) -> None:
        barrier.wait()
        try:
            with Session(engine) as s, s.begin():
                respond(s, world, n)
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=run, args=(n,)) for n in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    return outcomes


def test_concurrent_duplicates_count_once(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    world = build(engine)
    outcomes = _race(any_db_url, world, [0] * 6)
    assert sorted(outcomes) == ["evaluation.already_responded"] * 5 + ["ok"]
    with Session(engine) as s:
        assert stored_responses(s) == 1
    engine.dispose()


def test_concurrent_submissions_never_overfill_a_cell(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    world = build(engine, residents=12, caps="东社区 = 2\n西社区 = 6")
    outcomes = _race(any_db_url, world, [0, 2, 4, 6, 8, 10])  # all in 东社区
    assert outcomes.count("ok") == 2
    assert outcomes.count("evaluation.quota_full") == 4
    with Session(engine) as s:
        assert stored_responses(s) == 2
        assert s.scalars(select(QuotaCell.filled).where(QuotaCell.cell == "东社区")).one() == 2
    engine.dispose()


def _responded(engine: Engine, residents: int = 6) -> tuple[EvaluationWorld, int, int | None]:
    """A published evaluation whose department answered with one rectification item."""
    world = build(engine, residents=residents)
    with Session(engine) as s, s.begin():
        for n in range(residents):
            respond(s, world, n)
        evaluation = get_evaluation(s, world.evaluation_id)
        close_evaluation(s, evaluation, world.org_admin, NOW)
        publish_report(s, evaluation, "窗口等待时间偏长。", world.org_admin, NOW)
        (row,) = post_response(
            s,
            evaluation,
            "我们接受评估结论，将增开窗口。",
            [NewRectification("增开午间窗口", "街道便民服务中心", NOW.date() + timedelta(days=60))],
            actor_id=world.staff,
            now=NOW,
        )
        ids = (row.id, row.plan_item_id)
    return world, *ids


def test_concurrent_done_marks_post_one_plan_update(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    world, rectification_id, item_id = _responded(engine)
    race_engine = make_engine(any_db_url)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def mark(n: int) -> None:
        barrier.wait()
        try:
            with Session(race_engine) as s, s.begin():
                update_rectification(
                    s,
                    get_evaluation(s, world.evaluation_id),
                    rectification_id,
                    evidence=f"已增开窗口，见排班表 {n}",
                    done=True,
                    actor_id=world.staff,
                    now=NOW + timedelta(days=10),
                )
            outcomes.append("ok")
        except OperationalError:  # SQLite: a writer that lost the race may be refused
            outcomes.append("busy")

    threads = [threading.Thread(target=mark, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    race_engine.dispose()
    assert "ok" in outcomes
    with Session(engine) as s:
        posted = s.scalars(select(Update).where(Update.item_id == item_id)).all()
        item = s.get(PlanItem, item_id)
        assert item is not None and item.status == "done"
    assert len(posted) == 1 and posted[0].progress == 100
    assert posted[0].text.startswith("整改完成：已增开窗口")
    engine.dispose()


def test_a_rectification_done_after_the_year_end_updates_the_carried_item(engine: Engine) -> None:
    world, rectification_id, item_id = _responded(engine)
    with Session(engine) as s, s.begin():
        item = s.get(PlanItem, item_id)
        assert item is not None
        rolled = roll_up_year(
            s,
            s.get(Plan, item.plan_id),  # type: ignore[arg-type]
            drop_reasons={},
            today=date(item.due_on.year + 1, 1, 5),  # type: ignore[union-attr]
            now=NOW + timedelta(days=80),
            actor_id=world.staff,
        )
        carried = s.scalars(select(PlanItem).where(PlanItem.source_kind == "carried_over")).one()
        assert rolled is not None
        carried_id = carried.id
    with Session(engine) as s, s.begin():
        update_rectification(
            s,
            get_evaluation(s, world.evaluation_id),
            rectification_id,
            evidence="已增开窗口\nhttps://example.org/roster.pdf",
            done=True,
            actor_id=world.staff,
            now=NOW + timedelta(days=90),
        )
    with Session(engine) as s:
        assert s.scalars(select(Update).where(Update.item_id == item_id)).all() == []
        timeline = s.scalars(
            select(Update).where(Update.item_id == carried_id).order_by(Update.id)
        ).all()
        posted = timeline[-1]  # after what the carrying-over wrote
        assert [u.text for u in timeline].count("整改完成：已增开窗口") == 1
        assert posted.evidence == "https://example.org/roster.pdf"
        assert posted.text == "整改完成：已增开窗口"
        assert s.get(PlanItem, carried_id).status == "done"  # type: ignore[union-attr]
