"""What the planner's view lists as needing a decision, item by item."""

from __future__ import annotations

from datetime import date

import pytest

from participation.areas import Area
from participation.plan.board import ItemView
from participation.plan.models import Plan, PlanItem
from web.plan.office import decisions


def view(
    *, weight: int = 100, spend: int = 0, outcome: str | None = None, **item: object
) -> ItemView:
    values: dict[str, object] = {
        "title": "事项",
        "owner_department": "住建局",
        "owner_account_id": None,
        "budget_yuan": 1000,
        "due_on": date(2027, 9, 1),
    } | item
    return ItemView(
        PlanItem(**values),
        Plan(year=2027),
        Area(name="望江社区", path="/1/"),
        spend_yuan=spend,
        milestone_weight=weight,
        outcome=outcome,
    )


@pytest.mark.parametrize(
    ("made", "needs"),
    [
        (view(), []),
        (view(owner_department=""), ["No owner"]),
        (view(owner_department="", owner_account_id=7), []),
        (view(due_on=None), ["No end date"]),
        (view(weight=0), ["No milestones"]),
        (view(weight=70), ["Milestone weights do not add up to 100"]),
        (view(spend=1001), ["Spending is over budget"]),
        (view(due_on=None, weight=0, outcome="delayed"), []),  # rolled up: decided already
    ],
)
def test_decisions(made: ItemView, needs: list[str]) -> None:
    assert decisions(made) == needs
