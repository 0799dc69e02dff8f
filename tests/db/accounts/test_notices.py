"""The one notices inbox: notify, page, mark read, e-mail copy, and the migration
that moves livelihood's and consultations' old notices into it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from alembic import command
from participation import notices, outbox
from participation.accounts import Account, Identity
from participation.db import make_engine
from participation.errors import DomainError
from tests.db.consultations.test_consultation_journey import announced
from tests.support.consultations import community
from web.migrate import alembic_config, upgrade

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def account(s: Session, name: str) -> Account:
    person = Account(display_name=name, password_hash=None)
    s.add(person)
    s.flush()
    return person


def test_inbox_pages_newest_first_and_counts_unread(session: Session) -> None:
    me, other = account(session, "甲"), account(session, "乙")
    for i in range(25):
        notices.notify(
            session,
            me.id,
            "budget.proposal",
            "Your proposal “%(title)s” was funded.",
            link=f"/budgets/proposals/{i}",
            params={"title": f"项目{i}"},
            now=NOW + timedelta(minutes=i),
        )
    notices.notify(session, other.id, "budget.proposal", "x", now=NOW)
    first = notices.inbox(session, me.id, 1)
    assert (first.total, first.unread, first.pages, len(first.notices)) == (25, 25, 2, 20)
    assert first.notices[0].values == {"title": "项目24"}
    second = notices.inbox(session, me.id, 9)  # past the end: the last page
    assert (second.number, len(second.notices)) == (2, 5)
    assert second.notices[-1].values == {"title": "项目0"}

    read = notices.mark_read(session, me.id, first.notices[0].id, NOW + timedelta(hours=1))
    notices.mark_read(session, me.id, read.id, NOW + timedelta(hours=2))
    assert read.read_at == NOW + timedelta(hours=1)  # the first reading is kept
    assert notices.unread_count(session, me.id) == 24
    assert notices.mark_all_read(session, me.id, NOW + timedelta(hours=3)) == 24
    assert notices.unread_count(session, me.id) == 0
    assert notices.unread_count(session, other.id) == 1  # someone else's stay unread


def test_nobody_marks_another_accounts_notice(session: Session) -> None:
    me, other = account(session, "甲"), account(session, "乙")
    theirs = notices.notify(session, other.id, "budget.proposal", "x", now=NOW)
    with pytest.raises(DomainError) as refused:
        notices.mark_read(session, me.id, theirs.id, NOW)
    assert refused.value.status == 404
    assert theirs.read_at is None


def test_an_email_copy_goes_to_the_linked_address_only(session: Session) -> None:
    with_mail, without = account(session, "甲"), account(session, "乙")
    session.add(
        Identity(account_id=with_mail.id, provider="p", subject="s1", email="jia@example.cn")
    )
    session.flush()
    sent = notices.notify(session, with_mail.id, "budget.proposal", "x", now=NOW)
    notices.notify(session, without.id, "budget.proposal", "x", now=NOW)
    mail = session.scalars(select(outbox.OutboxMessage)).all()
    assert [(m.to_address, m.key, m.account_id) for m in mail] == [
        ("jia@example.cn", f"notice:{sent.id}", with_mail.id)
    ]
    assert "/account/notices" in mail[0].body


def test_the_migration_moves_old_notices_into_the_inbox(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine) as s, s.begin():
        c = community(s)
        consultation = announced(s, c)
        author, consultation_id = c.residents[0].id, consultation.id
    command.downgrade(
        alembic_config(any_db_url), "0008"
    )  # back to before the inbox: the old tables again
    stamp = datetime(2026, 5, 1, 8, 0)  # naive UTC, as the old tables stored it
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO project_notices (account_id, message, params, link, created_at)"
                " VALUES (:a, :m, :p, :l, :t)"
            ),
            {
                "a": author,
                "m": "Your proposal “%(title)s” was funded.",
                "p": json.dumps({"title": "口袋公园"}, ensure_ascii=False),
                "l": "/budgets/proposals/7",
                "t": stamp,
            },
        )
        conn.execute(
            text(
                "INSERT INTO consultation_author_notices"
                " (account_id, consultation_id, message, created_at) VALUES (:a, :c, :m, :t)"
            ),
            {"a": author, "c": consultation_id, "m": "广告", "t": stamp + timedelta(hours=1)},
        )
    upgrade(any_db_url)
    assert not {"project_notices", "consultation_author_notices"} & set(
        inspect(engine).get_table_names()
    )
    with Session(engine) as s:
        moved = notices.inbox(s, author).notices
        assert [(n.kind, n.values, n.link, n.read_at) for n in moved] == [
            (
                "consultation.hidden",
                {"reason": "广告"},
                f"/consultations/{consultation_id}",
                None,
            ),
            ("budget.proposal", {"title": "口袋公园"}, "/budgets/proposals/7", None),
        ]
        assert moved[1].created_at == stamp.replace(tzinfo=UTC)
        assert s.scalar(select(func.count()).select_from(notices.Notice)) == 2
    engine.dispose()
