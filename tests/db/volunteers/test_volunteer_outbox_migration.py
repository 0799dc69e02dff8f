"""Migration 0010 moves volunteer mail from ``vol_outbox`` into the shared outbox
(unsent mail stays unsent, sent mail stays sent) and downgrade moves it back, on
SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from alembic import command
from web.migrate import alembic_config, upgrade


def test_volunteer_mail_moves_to_the_shared_outbox_and_back(any_db_url: str) -> None:
    command.downgrade(alembic_config(any_db_url), "0008")
    engine = create_engine(any_db_url)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO vol_outbox (dedupe_key, to_address, subject, body, created_at,"
                " sent_at, attempts, last_error) VALUES"
                " ('reminder:1:202612010800', 'a@example.cn', '提醒', '正文',"
                "  :created, NULL, 2, 'connection refused'),"
                " ('cancel:2', 'b@example.cn', '取消', '正文', :created, :created, 1, NULL)"
            ),
            {"created": "2026-11-30 00:00:00.000000"},
        )
    upgrade(any_db_url, "0010")
    assert "vol_outbox" not in inspect(engine).get_table_names()
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT key, to_address, sent_at IS NULL, attempts, last_error FROM outbox")
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        ("volunteers:cancel:2", "b@example.cn", False, 1, ""),
        ("volunteers:reminder:1:202612010800", "a@example.cn", True, 2, "connection refused"),
    ]

    command.downgrade(alembic_config(any_db_url), "0008")
    with engine.connect() as c:
        back = c.execute(text("SELECT dedupe_key, sent_at IS NULL FROM vol_outbox")).all()
        left = c.execute(text("SELECT count(*) FROM outbox")).scalar()
    assert sorted(tuple(r) for r in back) == [
        ("cancel:2", False),
        ("reminder:1:202612010800", True),
    ]
    assert left == 0
    engine.dispose()
