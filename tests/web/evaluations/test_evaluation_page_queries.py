"""A published evaluation's page reads its figures from the frozen report and
runs as many SQL statements for many responses and rectification items as for
a few."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from consultations.evaluations.builder import close_evaluation, get_evaluation
from consultations.evaluations.models import Rectification
from consultations.evaluations.reports import publish_report
from consultations.evaluations.responding import resident_respondent, submit_response
from tests.support.client import FormClient
from tests.support.evaluation_setup import NOW, EvaluationWorld, build
from tests.support.queries import reading, statements_of_page


def _published(engine: Engine, app: Starlette) -> EvaluationWorld:
    app.state.fixed_now = NOW
    ew = build(engine, residents=8)
    with Session(engine) as s, s.begin():
        evaluation = get_evaluation(s, ew.evaluation_id)
        for n, account in enumerate(ew.residents):
            who = resident_respondent(s, evaluation, account, NOW.date())
            answers = {"q1": str(1 + n % 5), "q2": str(1 + n % 3), "q3": "5"}
            submit_response(s, evaluation, who, answers, now=NOW, started_at=None)
        close_evaluation(s, evaluation, ew.org_admin, NOW)
        publish_report(s, evaluation, "窗口等待时间偏长。", ew.org_admin, NOW)
    return ew


def _rectifications(engine: Engine, evaluation_id: int, n: int, tag: str) -> None:
    with Session(engine) as s, s.begin():
        s.add_all(
            Rectification(
                evaluation_id=evaluation_id,
                title=f"整改{tag}{k}",
                owner_department="街道办事处",
                due_on=date(2027, 1, 1) + timedelta(days=k),
            )
            for k in range(n)
        )


def test_the_published_page_runs_as_many_statements_for_many_rows(
    client: FormClient, engine: Engine, app: Starlette
) -> None:
    ew = _published(engine, app)
    url = f"/evaluations/{ew.evaluation_id}"
    _rectifications(engine, ew.evaluation_id, 1, "甲")
    first = statements_of_page(client, url)  # renders the frozen report and questionnaire
    few = statements_of_page(client, url)  # ... which the next requests reuse
    assert reading("eval_questions", first) == reading("eval_indicators", first) == 1
    assert reading("eval_questions", few) == reading("eval_indicators", few) == 0
    _rectifications(engine, ew.evaluation_id, 30, "乙")
    page = client.get(url).text
    assert "整改乙29" in page and 'id="overall-index"' in page
    assert len(statements_of_page(client, url)) == len(few)


def test_the_frozen_parts_are_rendered_per_language_and_publication(
    client: FormClient, engine: Engine, app: Starlette
) -> None:
    """The reused report and questionnaire follow the reader's language, and an
    evaluation's questionnaire shown while collecting gains the figures once published."""
    app.state.fixed_now = NOW
    ew = build(engine, residents=8)
    url = f"/evaluations/{ew.evaluation_id}"
    collecting = client.get(url).text
    assert "办理是否及时" in collecting and 'id="overall-index"' not in collecting
    assert "平均得分" not in collecting
    with Session(engine) as s, s.begin():
        evaluation = get_evaluation(s, ew.evaluation_id)
        for n, account in enumerate(ew.residents):
            who = resident_respondent(s, evaluation, account, NOW.date())
            answers = {"q1": str(1 + n % 5), "q2": "4", "q3": "5"}
            submit_response(s, evaluation, who, answers, now=NOW, started_at=None)
        close_evaluation(s, evaluation, ew.org_admin, NOW)
        publish_report(s, evaluation, "窗口等待时间偏长。", ew.org_admin, NOW)
    published = client.get(url).text
    assert 'id="overall-index"' in published and "平均得分 40.6（8 份答卷，未加权）" in published
    client.cookies.set("lang", "en")
    english = client.get(url).text
    assert "Mean score 40.6 (8 answers, unweighted)" in english and "平均得分" not in english
    client.cookies.set("lang", "zh_CN")
    assert "平均得分 40.6" in client.get(url).text
