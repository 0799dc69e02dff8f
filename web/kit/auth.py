"""Who is asking, and the one permission check every route uses."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import cached_property
from urllib.parse import quote

from sqlalchemy import Row, bindparam, func, literal, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from participation import accounts, desk, notices
from participation.accounts import Account, EndedSession, RoleGrant
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.privacy import consent
from participation.rules.permissions import (
    ROLE_PERMISSIONS,
    Decision,
    Grant,
    Permission,
    Role,
    allows,
)
from web.kit import htmx
from web.kit.client_ip import client_ip
from web.kit.clock import now
from web.kit.dbsession import db

Endpoint = Callable[[Request], Awaitable[Response]]
SESSION_ENDED = N_("Your session has ended. Please sign in again.")


class CurrentUser:
    """The signed-in person, with their role grants and unread notices (for the
    menu). ``current_user_or_none`` reads all of it in one statement; the
    callables are asked on first use only."""

    def __init__(
        self,
        account: Account,
        load_grants: Callable[[], tuple[Grant, ...]],
        count_unread: Callable[[], int] = lambda: 0,
        assisted_by: Account | None = None,
    ) -> None:
        self.account = account
        self._load_grants = load_grants
        self._count_unread = count_unread
        #: The desk worker acting for this person (an assisted session), if any.
        self.assisted_by = assisted_by

    @cached_property
    def unread_notices(self) -> int:
        """For the account menu."""
        return self._count_unread()

    @cached_property
    def grants(self) -> tuple[Grant, ...]:
        return self._load_grants()

    @property
    def id(self) -> int:
        return self.account.id

    def can(self, permission: Permission, area_path: str | None = None) -> bool:
        return allows(True, self.grants, permission, area_path) is Decision.ALLOW


def sign_in(request: Request, account: Account) -> None:
    """A fresh session: a new id, and no CSRF token (a new one is made on the next
    page), so nothing an attacker planted or saw before sign-in carries over."""
    request.session.clear()
    request.session.update(
        {"uid": account.id, "epoch": account.session_epoch, "sid": secrets.token_urlsafe(24)}
    )
    if "db" in request.scope.get("state", {}):
        # The privacy notice version last agreed to (web.accounts.consent_gate).
        request.session["notice"] = consent.latest_version(db(request), account.id)


def sign_out(request: Request) -> None:
    """End the session on the server too: a copy of the cookie is refused from now on."""
    sid = request.session.get("sid")
    if isinstance(sid, str) and "db" in request.scope.get("state", {}):
        lifetime = timedelta(seconds=request.app.state.settings.session_max_age)
        accounts.end_session(db(request), sid[:64], now(request), lifetime)
    request.session.clear()


#: Session keys of an assisted session (web.rolls.desk): the worker, their session
#: epoch when it began, and when it ends (a POSIX timestamp).
ASSISTED_BY, WORKER_EPOCH, ASSISTED_UNTIL = "assisted_by", "worker_epoch", "assisted_until"
#: Paths an assisted session posts to without it counting as acting for the person.
_NOT_ACTS = ("/admin/desk/end", "/logout")


def _desk_worker(request: Request) -> Account | bool | None:
    """For an assisted session: the worker if it is still good (the worker's account
    active, their password unchanged since, not expired), else False; None when
    the session is not assisted."""
    worker_id = request.session.get(ASSISTED_BY)
    if worker_id is None:
        return None
    until = request.session.get(ASSISTED_UNTIL)
    worker = db(request).get(Account, worker_id) if isinstance(worker_id, int) else None
    if (
        worker is None
        or not worker.is_active
        or worker.session_epoch != request.session.get(WORKER_EPOCH)
        or not isinstance(until, int)
        or now(request).timestamp() >= until
    ):
        return False
    return worker


def refuse_assisted(request: Request) -> None:
    """Voting is personal: refuse it in an assisted session (403, with the reason)."""
    if request.session.get(ASSISTED_BY) is not None:
        raise DomainError("desk.no_voting", desk.VOTING_IS_PERSONAL, status=403)


def _live_sid(request: Request) -> str | None:
    sid = request.session.get("sid")
    return sid if isinstance(sid, str) and 0 < len(sid) <= 64 else None


def current_user_or_none(request: Request) -> CurrentUser | None:
    if "session" not in request.scope or "db" not in request.scope.get("state", {}):
        return None
    if hasattr(request.state, "user"):
        return request.state.user  # type: ignore[no-any-return]
    user = None
    uid = request.session.get("uid")
    if isinstance(uid, int):
        sid = _live_sid(request)
        found = _signed_in(db(request), uid, sid)
        account = found.Account if found is not None else None
        worker = _desk_worker(request)
        if (
            found is not None
            and account is not None
            and account.is_active
            and account.session_epoch == request.session.get("epoch")
            and sid is not None
            and worker is not False
            and not found.ended
        ):
            session, account_id = db(request), account.id
            helper = worker if isinstance(worker, Account) else None
            grants = _grants(_parse_grants(found.grants), assisted=helper is not None)
            unread = int(found.unread or 0)
            user = CurrentUser(account, lambda: grants, lambda: unread, assisted_by=helper)
            if (
                helper is not None
                and request.method not in {"GET", "HEAD", "OPTIONS"}
                and request.url.path not in _NOT_ACTS
            ):
                desk.note_assisted_act(
                    session,
                    worker_id=helper.id,
                    account_id=account_id,
                    method=request.method,
                    path=request.url.path,
                    ip=client_ip(request),
                )
        else:
            # Expired: signed out, the password changed or the account was disabled.
            request.session.clear()
            request.session["flash"] = [["info", SESSION_ENDED]]
    request.state.user = user
    return user


_accounts = Account.__table__
_ended = EndedSession.__table__
_role_grants = RoleGrant.__table__
_areas = Area.__table__
_notices = notices.Notice.__table__
#: Grants folded into one string by the statement below: "role@path" (no "@path":
#: everywhere), separated by ";" (roles are words, area paths digits and slashes).
_GRANT_SEP, _PATH_SEP = ";", "@"
#: Everything every page needs to know about the signed-in person, in one statement
#: (it was four: the account, the ended session, the unread count, the grants).
_SIGNED_IN = select(
    Account,
    select(_ended.c.sid).where(_ended.c.sid == bindparam("sid")).exists().label("ended"),
    select(func.count())
    .select_from(_notices)
    .where(_notices.c.account_id == _accounts.c.id, _notices.c.read_at.is_(None))
    .scalar_subquery()
    .label("unread"),
    select(
        func.aggregate_strings(
            _role_grants.c.role + func.coalesce(literal(_PATH_SEP) + _areas.c.path, ""),
            _GRANT_SEP,
        )
    )
    .select_from(_role_grants.outerjoin(_areas, _areas.c.id == _role_grants.c.area_id))
    .where(_role_grants.c.account_id == _accounts.c.id)
    .scalar_subquery()
    .label("grants"),
).where(Account.id == bindparam("uid"))


def _signed_in(
    session: Session, uid: int, sid: str | None
) -> Row[tuple[Account, bool, int, str | None]] | None:
    """The account ``uid`` (None: no such account), whether the session ``sid`` was
    ended, the account's unread notices and its grants (as ``_parse_grants`` reads)."""
    return session.execute(_SIGNED_IN, {"uid": uid, "sid": sid or ""}).first()


def _parse_grants(folded: str | None) -> tuple[Grant, ...]:
    grants = []
    for item in (folded or "").split(_GRANT_SEP):
        if item:
            role, sep, path = item.partition(_PATH_SEP)
            grants.append(Grant(Role(role), path if sep else None))
    return tuple(grants)


def _grants(grants: tuple[Grant, ...], *, assisted: bool) -> tuple[Grant, ...]:
    """The account's grants; in an assisted session only those of roles without
    permissions (a desk session never lends an office role)."""
    return tuple(g for g in grants if not (assisted and ROLE_PERMISSIONS[g.role]))


def authorize(request: Request, permission: Permission, area_path: str | None = None) -> None:
    """Raise 401 (sent to sign-in) or 403 unless the person may act."""
    user = current_user_or_none(request)
    decision = allows(user is not None, user.grants if user else (), permission, area_path)
    if decision is Decision.SIGN_IN:
        raise HTTPException(401)
    if decision is Decision.FORBID:
        raise HTTPException(403)


def requires(permission: Permission) -> Callable[[Endpoint], Endpoint]:
    """Decorate an endpoint with the permission it needs anywhere in the tree."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            authorize(request, permission)
            return await endpoint(request)

        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate


def user(request: Request) -> CurrentUser:
    found = current_user_or_none(request)
    if found is None:
        raise HTTPException(401)
    return found


_SESSION_CHECK = select(
    _accounts.c.is_active,
    _accounts.c.session_epoch,
    select(_ended.c.sid).where(_ended.c.sid == bindparam("sid")).exists().label("ended"),
).where(_accounts.c.id == bindparam("uid"))


def signed_in_id(request: Request) -> int:
    """The signed-in account's id, checked as ``current_user_or_none`` checks it
    (active, same session epoch, not signed out) with one prepared Core query and
    no ORM object: for casting a ballot, the hottest route. Anything else (not signed in, an
    expired session) takes the ordinary way, with its redirect and message."""
    uid, sid = request.session.get("uid"), _live_sid(request)
    if (
        isinstance(uid, int)
        and sid is not None
        and not hasattr(request.state, "user")
        and ASSISTED_BY not in request.session
    ):
        row = db(request).connection().execute(_SESSION_CHECK, {"uid": uid, "sid": sid}).first()
        if (
            row is not None
            and row.is_active
            and row.session_epoch == request.session.get("epoch")
            and not row.ended
        ):
            return uid
    return user(request).id


def sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return htmx.redirect(request, f"/login?next={quote(target)}")
