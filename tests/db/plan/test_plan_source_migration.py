"""Migration 0022 turns the stored source pages of plan items and judgements into a
record kind and id (and back on downgrade), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from alembic import command
from web.migrate import alembic_config, upgrade

ITEMS = [
    # (id, source_kind, source_url) as the code before 0022 stored them
    (1, "community_budget", "/budgets/proposals/7"),
    (2, "livelihood_project", "/livelihood/3/result"),
    (3, "satisfaction", "/livelihood/3/result"),
    (4, "consultation", "/consultations/12"),
    (5, "rectification", "/evaluations/5"),
    (6, "carried_over", "/plan/items/1"),
    (7, "direct", ""),
    (8, "consultation", "/ballots/9"),  # a path of no known shape: no record
]
JUDGEMENTS = [
    # (id, item_id, kind, source_url)
    (1, 2, "satisfaction", "/livelihood/3/result#satisfaction"),
    (2, 4, "evaluation", "/evaluations/8"),
    (3, 4, "evaluation", "/panels/2"),
    (4, 1, "evaluation", ""),
]


def test_source_pages_become_record_ids_and_back(any_db_url: str) -> None:
    command.downgrade(alembic_config(any_db_url), "0015")
    engine = create_engine(any_db_url)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO areas (id, parent_id, kind, code, name, path)"
                " VALUES (1, NULL, 'city', 'C', '海澄市', '/1/')"
            )
        )
        c.execute(
            text(
                "INSERT INTO plans (id, area_id, year, title, created_at)"
                " VALUES (1, 1, 2027, '计划', '2027-01-01 00:00:00')"
            )
        )
        for n, kind, url in ITEMS:
            c.execute(
                text(
                    "INSERT INTO plan_items (id, plan_id, title, description, source_kind,"
                    " source_ref, source_url, owner_department, budget_yuan, status, weight,"
                    " created_at) VALUES (:id, 1, :title, '', :kind, :ref, :url, '', 0,"
                    " 'planned', 1, '2027-01-01 00:00:00')"
                ),
                {"id": n, "title": f"事项{n}", "kind": kind, "ref": f"ref:{n}", "url": url},
            )
        for n, item_id, kind, url in JUDGEMENTS:
            c.execute(
                text(
                    "INSERT INTO plan_judgements (id, item_id, kind, source_ref, source_url,"
                    " verdict, needs_rectification, judged_at) VALUES (:id, :item, :kind,"
                    " :ref, :url, '满意', false, '2027-12-01 00:00:00')"
                ),
                {"id": n, "item": item_id, "kind": kind, "ref": f"ref:{n}", "url": url},
            )

    upgrade(any_db_url, "0022")
    columns = inspect(engine)
    # Kept for the previous release during a rolling upgrade, unread by this one.
    assert "source_url" in {c["name"] for c in columns.get_columns("plan_items")}
    assert "source_url" in {c["name"] for c in columns.get_columns("plan_judgements")}
    with engine.connect() as c:
        items: dict[int, int | None] = dict(
            c.execute(text("SELECT id, source_id FROM plan_items")).all()
        )
        judged = {
            n: (record, source_id)
            for n, record, source_id in c.execute(
                text("SELECT id, source_record, source_id FROM plan_judgements")
            )
        }
    assert items == {1: 7, 2: 3, 3: 3, 4: 12, 5: 5, 6: 1, 7: None, 8: None}
    assert judged == {
        1: ("livelihood_cycle", 3),
        2: ("evaluation", 8),
        3: ("panel", 2),
        4: ("", None),
    }

    command.downgrade(alembic_config(any_db_url), "0015")
    with engine.connect() as c:
        back_items: dict[int, str] = dict(
            c.execute(text("SELECT id, source_url FROM plan_items")).all()
        )
        back_judged: dict[int, str] = dict(
            c.execute(text("SELECT id, source_url FROM plan_judgements")).all()
        )
    assert back_items == {n: url for n, _, url in ITEMS}  # kept, so even an odd path
    assert back_judged == {n: url for n, _, _, url in JUDGEMENTS}
    engine.dispose()
