"""Migration 0010 moves volunteer mail from ``vol_outbox`` into the shared outbox
(unsent mail stays unsent, sent mail stays sent) and downgrade moves it back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from alembic import command
from web.migrate import alembic_config, upgrade


def test_volunteer_mail_moves_to_the_shared_outbox_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    upgrade(url, "0008")
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO vol_outbox (dedupe_key, to_address, subject, body, created_at,"
                " sent_at, attempts, last_error) VALUES"
                " ('reminder:1:202612010800', 'a@example.cn', '提醒', '正文',"
                "  '2026-11-30 00:00:00.000000', NULL, 2, 'connection refused'),"
                " ('cancel:2', 'b@example.cn', '取消', '正文',"
                "  '2026-11-30 00:00:00.000000', '2026-11-30 01:00:00.000000', 1, NULL)"
            )
        )
    upgrade(url, "0010")
    assert "vol_outbox" not in inspect(engine).get_table_names()
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT key, to_address, sent_at IS NULL, attempts, last_error FROM outbox")
        ).all()
    assert sorted(rows) == [
        ("volunteers:cancel:2", "b@example.cn", 0, 1, ""),
        ("volunteers:reminder:1:202612010800", "a@example.cn", 1, 2, "connection refused"),
    ]

    command.downgrade(alembic_config(url), "0008")
    with engine.connect() as c:
        back = c.execute(text("SELECT dedupe_key, sent_at IS NULL FROM vol_outbox")).all()
        left = c.execute(text("SELECT count(*) FROM outbox")).scalar()
    assert sorted(back) == [("cancel:2", 0), ("reminder:1:202612010800", 1)]
    assert left == 0
    engine.dispose()
