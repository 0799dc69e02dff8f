"""The account list's keyset paging (participation.account_search): following the
next links from the first page visits every matching account exactly once, in the
search's order, and the previous links walk back through the same pages; a cursor
naming no account gives the first page."""

from __future__ import annotations

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.account_search import AccountPage, search_accounts
from participation.accounts import Account
from tests.support.keyset import walk_both_ways

PER_PAGE = 3  # small, so that a few accounts make many pages

#: Display names with shared starts and repeats (ties are broken by id), Chinese
#: and Latin (a Latin query searches usernames and names, in id order).
names = st.one_of(
    st.sampled_from(["居民", "居民甲", "张三", "张", "王五", "ab", "a1"]),
    st.text(alphabet="居民张王ab1", min_size=1, max_size=3),
)
people = st.lists(st.tuples(names, st.booleans()), min_size=0, max_size=25)


def expected(accounts: list[Account], query: str) -> list[int]:
    """The ids the search must answer, in its order, worked out in Python (SQLite
    compares text by code point, as Python does)."""
    if not query:
        return sorted(a.id for a in accounts)
    if query.isdigit():
        found = [a for a in accounts if a.phone and a.phone.startswith(query)]
        return [a.id for a in sorted(found, key=lambda a: a.phone or "")]
    if query.isascii():
        found = [
            a
            for a in accounts
            if a.display_name.startswith(query) or (a.username or "").startswith(query.lower())
        ]
        return sorted(a.id for a in found)
    found = [a for a in accounts if a.display_name.startswith(query)]
    return [a.id for a in sorted(found, key=lambda a: (a.display_name, a.id))]


def ids(page: AccountPage) -> list[int]:
    return [a.id for a in page.items]


def walk(session: Session, query: str) -> tuple[list[list[int]], list[list[int]]]:
    """The pages from the first by the next links, then back by the previous links."""

    def page_of(after: int = 0, before: int = 0) -> AccountPage:
        return search_accounts(session, query, after=after, before=before, per_page=PER_PAGE)

    return walk_both_ways(page_of, lambda a: a.id)


@hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=people, data=st.data())
def test_the_next_links_visit_every_account_once_and_the_previous_ones_go_back(
    session: Session, people: list[tuple[str, bool]], data: st.DataObject
) -> None:
    try:
        session.add_all(
            Account(
                display_name=name,
                phone=f"139{(k * 7919) % 10**8:08d}" if has_phone else None,
                username=f"ab{k}" if k % 4 == 0 else None,
            )
            for k, (name, has_phone) in enumerate(people)
        )
        session.flush()
        everyone = list(session.scalars(select(Account)))
        starts = {name[:1] for name, _ in people} | {name[:2] for name, _ in people}
        queries = ["", "139", "1390", "ab", *sorted(starts)]
        query = data.draw(st.sampled_from(queries))
        forward, backward = walk(session, query)
        visited = [i for page in forward for i in page]
        assert visited == expected(everyone, query)  # each once, in order
        assert all(len(page) == PER_PAGE for page in forward[:-1])
        assert backward == forward[::-1]
    finally:
        session.rollback()


def test_a_cursor_naming_no_account_gives_the_first_page(session: Session) -> None:
    session.add_all(Account(display_name=f"居民{k:02d}", phone=f"1390000{k:04d}") for k in range(7))
    session.add(Account(display_name="居民无号"))  # no phone: no place in a phone search
    session.flush()
    first = search_accounts(session, "居民", per_page=PER_PAGE)
    no_phone = session.scalar(select(Account.id).where(Account.display_name == "居民无号"))
    assert no_phone is not None
    for after, before in ((10**17, 0), (0, 10**17), (-5, 0), (no_phone, 0)):
        query = "139" if after == no_phone else "居民"
        page = search_accounts(session, query, after=after, before=before, per_page=PER_PAGE)
        assert ids(page) == ids(search_accounts(session, query, per_page=PER_PAGE))
        assert page.previous_before is None
    # Before the first account: the first page again.
    again = search_accounts(session, "居民", before=ids(first)[0], per_page=PER_PAGE)
    assert ids(again) == ids(first) and again.previous_before is None
    session.rollback()
