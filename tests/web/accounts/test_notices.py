"""The notices inbox through the pages: the unread count in the menu, marking
read with and without htmx, paging, someone else's notice, the old address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation import notices
from participation.notices import Notice
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.world import MakeClient, World

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
FUNDED = "Your proposal “%(title)s” was funded."


def leave(engine: Engine, account_id: int, count: int) -> list[int]:
    with Session(engine) as s, s.begin():
        made = [
            notices.notify(
                s,
                account_id,
                "budget.proposal",
                FUNDED,
                link=f"/budgets/proposals/{i}",
                params={"title": f"口袋公园{i}"},
                now=NOW + timedelta(minutes=i),
            )
            for i in range(count)
        ]
        return [n.id for n in made]


def menu_count(html: str) -> str | None:
    found = re.search(r'href="/account/notices">[^<]*<span class="badge"[^>]*>(\d+)<', html)
    return found.group(1) if found else None


def test_reading_and_marking_notices(
    client: FormClient, make_client: MakeClient, world: World, engine: Engine
) -> None:
    me, other = world["people"]["resident"], world["people"]["nobody"]
    ids = leave(engine, me.id, 22)
    (theirs,) = leave(engine, other.id, 1)
    client.sign_in("resident", PASSWORD)

    page = client.get("/account/notices")
    assert page.status_code == 200
    assert menu_count(page.text) == "22"
    assert "口袋公园21" in page.text
    assert "口袋公园1<" not in page.text  # the oldest two are on page 2
    assert "口袋公园0" in client.get("/account/notices?page=2").text

    # Without JavaScript: a form post and a 303 back to the same page.
    done = client.submit(f"/account/notices/{ids[-1]}/read?page=1", page="/account/notices")
    assert done.status_code == 303
    assert done.headers["location"] == "/account/notices?page=1"
    # With htmx: the list comes back in place, one fewer unread.
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    swapped = client.post(
        f"/account/notices/{ids[-2]}/read",
        data={"csrf_token": token},
        headers={"HX-Request": "true", "HX-Target": "notices"},
    )
    assert swapped.status_code == 200
    assert swapped.text.lstrip().startswith('<section id="notices"')
    assert "20" in swapped.text
    assert menu_count(client.get("/account").text) == "20"

    # Someone else's notice: not found, and it stays unread.
    refused = client.submit(f"/account/notices/{theirs}/read", page="/account/notices")
    assert refused.status_code == 404
    with Session(engine) as s:
        assert s.get(Notice, theirs).read_at is None  # type: ignore[union-attr]

    assert client.submit("/account/notices/read", page="/account/notices").status_code == 303
    with Session(engine) as s:
        unread = s.scalars(
            select(Notice.id).where(Notice.account_id == me.id, Notice.read_at.is_(None))
        ).all()
    assert unread == []
    assert menu_count(client.get("/account").text) is None


def test_the_old_budget_inbox_redirects(client: FormClient, world: World) -> None:
    moved = client.get("/budgets/notices", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == "/account/notices"
    # Signed out, the inbox sends to sign-in.
    assert client.get("/account/notices", follow_redirects=False).status_code in (302, 303)
