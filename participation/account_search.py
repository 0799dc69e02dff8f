"""The back office's account list: a search by the start of a login or a name,
paged by keyset (the account after which, or before which, a page starts).

A city holds a million accounts. Each answer comes from an index, a page at a
time, and a page deep in the list costs what the first one does: it starts from
the key of the account named in the link (``after=`` or ``before=`` its id),
never skipping the pages before it (an OFFSET read page 2,000's 100,000 rows
first). No total is counted, which would count every account on each keystroke.
Links carry account ids, not names or phone numbers (they end up in logs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from participation.accounts import LOGIN_CHARACTERS, Account, normalize_login
from participation.keyset import KeysetPage, beyond, key_of, keyset_page

#: Accounts a page of the back office's account list.
ACCOUNTS_PER_PAGE = 50


#: A page of the list: its accounts (``items``) and where the pages beside it start.
AccountPage = KeysetPage[Account]


@dataclass(frozen=True)
class _Search:
    """What a query matches and in what order: ``key`` sorts the answer (its last
    column unique), ``low``..``high`` (not included) is the range of ``key[0]``
    the query's start asks for (None: unbounded)."""

    key: tuple[InstrumentedAttribute[Any], ...]
    where: list[ColumnElement[bool]] = field(default_factory=list)
    low: str | None = None
    high: str | None = None


def _after(prefix: str) -> str | None:
    """The first string after every string that starts with ``prefix``: ``prefix``
    with its last character stepped up one (None past the last character). A
    range from ``prefix`` up to it is what an index on the column answers on
    SQLite and PostgreSQL alike (a LIKE 'q%' uses neither database's plain index:
    SQLite's LIKE ignores case, PostgreSQL's needs the C collation)."""
    last = ord(prefix[-1])
    return None if last >= 0x10FFFF else prefix[:-1] + chr(last + 1)


def _prefix(column: InstrumentedAttribute[str | None], prefix: str) -> ColumnElement[bool]:
    high = _after(prefix)
    return column >= prefix if high is None else and_(column >= prefix, column < high)


def _search(query: str) -> _Search:
    """The search ``query`` asks for:

    - nothing: every account, in id order;
    - digits: the mobile numbers that start with them, in number order (the
      unique index on ``phone``; eleven digits find the one account);
    - Latin letters, digits and ``_ . -`` (what a username is made of): the
      usernames that start with it, lowercased as logins are stored (the unique
      index on ``username``), and the display names that start with it, in id
      order (few accounts have either);
    - anything else (Chinese): the display names that start with it, in name
      order (``ix_accounts_display_name``): a surname, a full name.

    A word inside a name is not searched: the desk looks a person up by the name
    on their ID card, by their login or by their phone.
    """
    if not query:
        return _Search((Account.id,))
    if query.isascii() and query.isdigit():
        return _Search((Account.phone,), low=query, high=_after(query))
    if LOGIN_CHARACTERS.match(query):
        either = or_(
            _prefix(Account.username, normalize_login(query)),
            _prefix(Account.display_name, query),
        )
        return _Search((Account.id,), [either])
    return _Search((Account.display_name, Account.id), low=query, high=_after(query))


def _beyond(
    search: _Search, cursor: Sequence[Any] | None, forward: bool
) -> list[ColumnElement[bool]]:
    """The conditions of the rows past ``cursor`` (the key of the account a page
    starts after, or ends before) within the search's range. Where the cursor
    lies inside the range, it replaces that end of the range: SQLite starts an
    index range at one lower bound only, the first written, and starting from
    the query's start would read every page before the cursor's again."""
    first = search.key[0]
    conditions = list(search.where)
    low, high = search.low, search.high
    if cursor is not None:
        at = cursor[0]
        if forward and (low is None or at >= low):
            low = None
            conditions += beyond(search.key, cursor, ascending=True)
        elif not forward and (high is None or at < high):
            high = None
            conditions += beyond(search.key, cursor, ascending=False)
    if low is not None:
        conditions.append(first >= low)
    if high is not None:
        conditions.append(first < high)
    return conditions


def _cursor(session: Session, search: _Search, account_id: int) -> Sequence[Any] | None:
    """The key of the account ``account_id`` in the search's order; None when
    there is no such account, or it has no value there (no phone number)."""
    return key_of(session, search.key, Account.id, account_id)


def _rows(
    session: Session, search: _Search, cursor: Sequence[Any] | None, forward: bool, limit: int
) -> Sequence[Account]:
    order = [column.asc() if forward else column.desc() for column in search.key]
    query = select(Account).where(*_beyond(search, cursor, forward)).order_by(*order)
    return session.scalars(query.limit(limit)).all()


def search_accounts(
    session: Session,
    query: str,
    *,
    after: int = 0,
    before: int = 0,
    per_page: int = ACCOUNTS_PER_PAGE,
) -> AccountPage:
    """The page of the accounts matching ``query`` (:func:`_search`) that starts
    after the account of id ``after``, or else ends before the account of id
    ``before``, or else the first page. An id naming no account (or one the order
    cannot place: an account without a phone number in a phone search) gives the
    first page, and so does asking before the first account.

    At most three statements of at most ``per_page`` + 1 rows each, whatever
    the number of accounts and however deep the page: the key of the account
    named, the page from an index, and the first page when nothing came before.
    Following ``next_after`` from the first page visits every matching account
    once, in order; ``previous_before`` goes back the same way.
    """
    search = _search(query.strip())
    cursor = _cursor(session, search, after or before)

    def read(cursor: Sequence[Any] | None, forward: bool, limit: int) -> Sequence[Account]:
        return _rows(session, search, cursor, forward, limit)

    return keyset_page(
        read,
        lambda account: account.id,
        cursor=cursor,
        forward=cursor is None or bool(after),
        per_page=per_page,
    )
