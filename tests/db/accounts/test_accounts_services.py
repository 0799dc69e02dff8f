"""Account and audit services, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from participation import accounts, audit
from participation.accounts import Account
from participation.areas import create_area
from participation.db import make_engine
from participation.errors import DomainError
from participation.rules.areas import AreaKind
from participation.rules.permissions import Grant, Role


def test_sign_up_and_authenticate(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine) as s, s.begin():
        accounts.sign_up(s, login="13800001111", password="evaluation-pass", display_name="甲")
    with Session(engine) as s:
        assert accounts.authenticate(s, "13800001111", "evaluation-pass") is not None
        assert accounts.authenticate(s, "13800001111", "password2") is None
        assert accounts.authenticate(s, "13800009999", "evaluation-pass") is None
    engine.dispose()


def test_concurrent_sign_ups_with_one_login_make_one_account(any_db_url: str) -> None:
    engine = (
        make_engine(any_db_url, pool_size=20, max_overflow=0)
        if "postgresql" in any_db_url
        else make_engine(any_db_url)
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            with Session(engine) as s, s.begin():
                accounts.sign_up(s, login="racer", password="evaluation-pass", display_name=f"{n}")
            outcomes.append("created")
        except (DomainError, IntegrityError):
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as s:
        count = s.scalar(
            select(func.count()).select_from(Account).where(Account.username == "racer")
        )
    assert count == 1
    assert sorted(outcomes) == ["created"] + ["refused"] * 7
    engine.dispose()


def test_grants_cover_subtrees(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D", name="区", kind=AreaKind.DISTRICT, parent=city)
        account = accounts.sign_up(s, login="worker1", password="evaluation-pass", display_name="w")
        accounts.grant_role(s, account, Role.COMMUNITY_WORKER, district)
        accounts.grant_role(s, account, Role.COMMUNITY_WORKER, district)  # idempotent
    with Session(engine) as s:
        assert accounts.grants_of(s, account.id) == [Grant(Role.COMMUNITY_WORKER, district.path)]
    engine.dispose()


def test_audit_log_is_append_only(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine) as s, s.begin():
        audit.record(s, actor_id=None, action="test.action", target="x", ip="127.0.0.1", n=1)
    for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError), Session(engine) as s, s.begin():
            s.execute(text(statement))
    with Session(engine) as s:
        assert [e.action for e in audit.entries(s)] == ["test.action"]
    engine.dispose()
