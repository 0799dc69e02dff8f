"""The evaluation's back-office page shows how many have responded from the count
the responding service keeps (a city evaluation has 200,000 participations): it
never counts the participations, and a refused response adds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from consultations.evaluations.builder import get_evaluation
from consultations.evaluations.responding import resident_respondent, submit_response
from participation.errors import DomainError
from tests.support.client import FormClient
from tests.support.evaluation_setup import NOW, build
from tests.support.queries import reading, statements_of_page


def test_the_builder_shows_the_kept_count_without_counting_participations(
    client: FormClient, engine: Engine, app: Starlette
) -> None:
    """Fails on the old code: the page counted eval_participations on every request."""
    app.state.fixed_now = NOW
    ew = build(engine, residents=8)
    with Session(engine) as s, s.begin():
        evaluation = get_evaluation(s, ew.evaluation_id)
        for n, account in enumerate(ew.residents[:6]):
            who = resident_respondent(s, evaluation, account, NOW.date())
            answers = {"q1": str(1 + n % 5), "q2": "4", "q3": "5"}
            submit_response(s, evaluation, who, answers, now=NOW, started_at=None)
    with Session(engine) as s, s.begin():
        evaluation = get_evaluation(s, ew.evaluation_id)
        again = resident_respondent(s, evaluation, ew.residents[0], NOW.date())
        with pytest.raises(DomainError):  # one response a person: refused, not counted
            submit_response(
                s, evaluation, again, {"q1": "1", "q2": "1", "q3": "1"}, now=NOW, started_at=None
            )
    client.sign_in("orgadmin", "evaluation-pass")
    url = f"/evaluations/manage/{ew.evaluation_id}"
    seen = statements_of_page(client, url)
    assert reading("eval_participations", seen) == 0
    assert "已收到 6 份答卷" in client.get(url).text
    with Session(engine) as s:
        assert get_evaluation(s, ew.evaluation_id).response_count == 6
