"""Paper batches: reading their states costs the same few queries however many there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.ballots.boxes import NewBox, NewItem, create_box
from participation.ballots.paper import batch_states, enter_batch
from participation.ballots.rules.ballot_forms import BallotForm, FormKind
from participation.ballots.rules.eligibility import Roll
from tests.support.areas import one_community
from tests.support.people import verified_voters

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _selects(engine: Engine, batches: int) -> tuple[int, int]:
    """How many SELECTs batch_states runs for a box with ``batches`` batches,
    each entered by two tellers (and how many agreed states it reports)."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        community = one_community(s)
        tellers = verified_voters(s, community, 2, per_household=1)
        box = create_box(
            s,
            NewBox(
                title="纸质投票",
                area=community,
                roll=Roll.RESIDENTS,
                opens_at=NOW - timedelta(hours=2),
                closes_at=NOW - timedelta(hours=1),
                form=BallotForm(FormKind.CHOOSE, 1, 2),
                rule={"rule": "approval"},
                items=[NewItem("甲", 0), NewItem("乙", 0)],
            ),
            None,
        )
        for n in range(batches):
            for teller in tellers:
                enter_batch(s, box, f"第{n}箱", teller, [{"approved": ["1"]}])
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(statement)

    with Session(engine) as s:
        box = s.merge(box)
        seen.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            states = batch_states(s, box)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(seen), sum(1 for state in states if state.agreed)


def test_batch_states_read_every_batch_in_a_fixed_number_of_queries(engine: Engine) -> None:
    """Fails on the old code: it read each batch's entries with a query of its own."""
    queries, agreed = _selects(engine, 6)
    assert agreed == 6
    assert queries <= 3  # the items' costs, the batches, their entries
