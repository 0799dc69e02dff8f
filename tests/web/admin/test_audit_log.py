"""The audit log reads as words: actions by their names, actors and targets by their
names, resolved for a page in one query (no query per row)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation import audit
from participation.plan.delivery import DirectItem, enter_item
from tests.support.client import FormClient
from tests.support.world import World


def _entries(engine: Engine, world: World, n: int) -> None:
    admin = world["people"]["admin"].id
    with Session(engine) as s, s.begin():
        for i in range(n):
            item = enter_item(
                s,
                DirectItem(area_id=world["community"].id, year=2027, title=f"路灯改造{i}"),
                actor_id=admin,
            )
            s.flush()
            audit.record(s, actor_id=admin, action="plan.item_edit", target=f"plan_item:{item.id}")
            audit.record(
                s,
                actor_id=world["people"]["staff"].id,
                action="area.rename",
                target=f"area:{world['community'].id}",
            )
        audit.record(s, actor_id=None, action="some.future_action", target="plan_item:99999")


def _selects(client: FormClient, url: str) -> int:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_audit_log_names_actions_actors_and_targets(
    client: FormClient, engine: Engine, world: World
) -> None:
    """Fails on the old code: it showed plan.item_edit, plan_item:3 and area:4."""
    _entries(engine, world, 2)
    client.sign_in("admin")
    page = client.get("/admin/audit").text
    assert "编辑计划事项" in page and "重命名区域" in page
    assert "计划事项：路灯改造1" in page and "区域：一社区" in page
    assert "测试staff" in page  # the actor by name
    # Raw codes appear only as tooltips; an unknown action or a deleted record stays readable.
    assert ">plan.item_edit<" not in page and ">plan_item:" not in page
    assert "some.future_action" in page and "计划事项 #99999" in page
    # Filtering by action offers the names, not codes to type.
    assert '<select id="f-action" name="action">' in page
    assert '<option value="plan.item_edit">编辑计划事项</option>' in page


def test_names_are_resolved_in_a_fixed_number_of_queries(
    client: FormClient, engine: Engine, world: World
) -> None:
    client.sign_in("admin")
    _entries(engine, world, 2)
    few = _selects(client, "/admin/audit")
    _entries(engine, world, 20)
    many = _selects(client, "/admin/audit")
    assert many == few
