"""Migration 0044: accounts verified before it take their roll entry's name (as
verification now gives it); unverified accounts keep theirs; on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from alembic import command
from web.migrate import alembic_config, upgrade


def test_verified_accounts_take_the_roll_name(any_db_url: str) -> None:
    command.downgrade(alembic_config(any_db_url), "0038")
    engine = create_engine(any_db_url)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO areas (id, parent_id, kind, code, name, path)"
                " VALUES (1, NULL, 'community', 'M', '望江社区', '/1/')"
            )
        )
        for n, name in ((1, "自称甲"), (2, "自称乙")):
            c.execute(
                text(
                    "INSERT INTO accounts (id, username, display_name, is_active, created_at,"
                    " session_epoch) VALUES (:id, :login, :name, true, '2026-01-01 00:00:00', 0)"
                ),
                {"id": n, "login": f"user{n}", "name": name},
            )
        c.execute(
            text(
                "INSERT INTO roll_entries (id, community_id, name, id_hash, birth_date,"
                " household_code, account_id) VALUES (1, 1, '王秀英', :hash, '1950-01-01',"
                " 'H1', 1)"
            ),
            {"hash": "0" * 64},
        )
    upgrade(any_db_url)
    assert "reset_codes" in inspect(engine).get_table_names()
    with engine.connect() as c:
        names: dict[int, str] = dict(
            c.execute(text("SELECT id, display_name FROM accounts ORDER BY id")).all()
        )
    assert names == {1: "王秀英", 2: "自称乙"}
    engine.dispose()
