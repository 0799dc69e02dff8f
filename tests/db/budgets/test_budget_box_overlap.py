"""An area runs at most one community-budget vote at a time (issue 13, item 6:
the demo had two open budget ballots for one community's round)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.areas import Area
from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.models import BallotBox
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from participation.errors import DomainError
from tests.support.areas import one_community

T0 = datetime(2026, 12, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _box(area: Area, opens: datetime, closes: datetime, kind: FormKind) -> NewBox:
    budget = kind is FormKind.BUDGET
    return NewBox(
        title="微实事投票" if budget else "意见征询",
        area=area,
        roll=Roll.RESIDENTS,
        opens_at=opens,
        closes_at=closes,
        form=BallotForm(kind, min_choices=1, budget=100_000 if budget else None),
        rule={"rule": "greedy", "budget": 100_000} if budget else {"rule": "threshold"},
        items=[NewItem("路灯", 60_000), NewItem("座椅", 50_000)],
    )


@pytest.mark.parametrize(
    ("opens", "closes", "kind", "refused"),
    [
        (T0 + 5 * DAY, T0 + 20 * DAY, FormKind.BUDGET, True),  # overlaps
        (T0 - 5 * DAY, T0 + DAY, FormKind.BUDGET, True),  # overlaps the start
        (T0 + 10 * DAY, T0 + 20 * DAY, FormKind.BUDGET, False),  # after it closes
        (T0 + 5 * DAY, T0 + 20 * DAY, FormKind.YES_NO, False),  # another kind of vote
    ],
)
def test_second_budget_vote_in_one_area_is_refused(
    session: Session, opens: datetime, closes: datetime, kind: FormKind, refused: bool
) -> None:
    area = one_community(session)
    create_box(session, _box(area, T0, T0 + 10 * DAY, FormKind.BUDGET), None)
    if refused:
        with pytest.raises(DomainError) as error:
            create_box(session, _box(area, opens, closes, kind), None)
        assert error.value.code == "box.budget_overlap"
        assert session.scalar(select(func.count()).select_from(BallotBox)) == 1
    else:
        create_box(session, _box(area, opens, closes, kind), None)
