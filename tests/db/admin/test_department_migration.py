"""Migration 0018 turns typed department names into records: names equal up to
whitespace become one record (keeping the old record's mailbox), different names stay
different, and every row gets the id of its record; on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from alembic import command
from web.migrate import alembic_config, upgrade


def test_typed_names_become_records(any_db_url: str) -> None:
    command.downgrade(alembic_config(any_db_url), "0014")
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
        c.execute(
            text(
                "INSERT INTO plan_departments (id, name, email)"
                " VALUES (1, '住建局', 'z@e.cn'), (2, '区住建局', '')"
            )
        )
        for n, owner in enumerate(
            [
                "住建局",
                " 住建局\u3000",
                "区住建局",
                "东湖区 住房和城乡建设局",
                "东湖区住房和城乡建设局",
                "",
            ],
            start=1,
        ):
            c.execute(
                text(
                    "INSERT INTO plan_items (id, plan_id, title, description, source_kind,"
                    " source_ref, source_url, owner_department, budget_yuan, status, weight,"
                    " created_at) VALUES (:id, 1, :title, '', 'direct', :ref, '', :owner, 0,"
                    " 'planned', 1, '2027-01-01 00:00:00')"
                ),
                {"id": n, "title": f"事项{n}", "ref": f"direct:{n}", "owner": owner},
            )
    upgrade(any_db_url, "0018")
    assert "plan_departments" not in inspect(engine).get_table_names()
    with engine.connect() as c:
        records = {
            name: (rid, email)
            for rid, name, email in c.execute(text("SELECT id, name, email FROM departments"))
        }
        items = dict(
            (n, (owner, did))
            for n, owner, did in c.execute(
                text("SELECT id, owner_department, owner_department_id FROM plan_items")
            )
        )
    assert sorted(records) == ["东湖区住房和城乡建设局", "住建局", "区住建局"]
    assert records["住建局"][1] == "z@e.cn"
    zjj, qzjj, full = (records[k][0] for k in ("住建局", "区住建局", "东湖区住房和城乡建设局"))
    assert items == {
        1: ("住建局", zjj),
        2: ("住建局", zjj),
        3: ("区住建局", qzjj),
        4: ("东湖区住房和城乡建设局", full),
        5: ("东湖区住房和城乡建设局", full),
        6: ("", None),
    }
    command.downgrade(alembic_config(any_db_url), "0014")
    with engine.connect() as c:
        back = sorted(c.execute(text("SELECT name, email FROM plan_departments")).all())
    assert [tuple(r) for r in back] == [
        ("东湖区住房和城乡建设局", ""),
        ("住建局", "z@e.cn"),
        ("区住建局", ""),
    ]
    engine.dispose()
