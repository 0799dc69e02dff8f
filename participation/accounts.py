"""Accounts, linked OpenID identities, role grants and sign-in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    delete,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation import audit
from participation.areas import Area
from participation.db import Base, utcnow
from participation.errors import N_, DomainError
from participation.passwords import burn_time, hash_password, verify_password
from participation.privacy.consent import MUST_AGREE, NOTICE_VERSION, record_consent
from participation.rules.password_policy import password_problem
from participation.rules.permissions import Grant, Role
from participation.rules.ratelimit import (
    Backoff,
    Limit,
    RateDecision,
    check_backoff,
    check_limit,
    most_restrictive,
)

PHONE = re.compile(r"^1\d{10}$")
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,31}$")
#: What a username, or the start of one, is made of (the account search).
LOGIN_CHARACTERS = re.compile(r"^[A-Za-z0-9_.-]+$")

#: Per account and address, and per account and device: five tries, then a
#: minute's wait doubling with each failure, up to an hour.
PAIR_BACKOFF = Backoff(
    free=5, base=timedelta(minutes=1), cap=timedelta(hours=1), window=timedelta(days=1)
)
#: One address trying many logins.
IP_LIMIT = Limit(max_failures=20, window=timedelta(minutes=15))
#: One account guessed at from many addresses (only devices it never used).
ACCOUNT_BACKOFF = Backoff(
    free=30, base=timedelta(minutes=1), cap=timedelta(hours=1), window=timedelta(days=1)
)
#: How far back each key's limit counts failures (participation.rate_limits prunes by it).
FAILURE_WINDOWS = {
    "account-device:": PAIR_BACKOFF.window,
    "account-ip:": PAIR_BACKOFF.window,
    "ip:": IP_LIMIT.window,
    "account:": ACCOUNT_BACKOFF.window,
}


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(32), unique=True)
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)
    display_name: Mapped[str] = mapped_column(String(60), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped on password change: sessions carrying an older value are dropped.
    session_epoch: Mapped[int] = mapped_column(default=0)
    # The age-friendly display (大字版), on every device this person signs in on.
    age_friendly: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when the person closed the account (participation.privacy.closing).
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Identity(Base):
    """An OpenID Connect identity (issuer + subject) linked to an account."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("account_id", "role", "area_id"),
        # Everyone holding a role (a city's grid workers), where, from the index alone.
        Index("ix_role_grants_role", "role", "area_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class SignInFailure(Base):
    """A failed attempt, keyed by what it counts against: "ip:<address>",
    "account:<login>", "account-ip:<login>|<address>", "account-device:<login>|<device>",
    or "verify…" keys for roll verification (participation.verification)."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class EndedSession(Base):
    """A signed-in session that was ended by signing out, by its random id.

    The session itself lives in the signed cookie; a copy of that cookie must
    not outlive the sign-out, so the id is kept here until the cookie would
    have expired anyway (``expires_at``), then purged.
    """

    __tablename__ = "ended_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


def end_session(session: Session, sid: str, now: datetime, lifetime: timedelta) -> None:
    """Record ``sid`` as ended (idempotent) and purge ids whose cookies have expired."""
    session.execute(delete(EndedSession).where(EndedSession.expires_at < now))
    if session.get(EndedSession, sid) is None:
        session.add(EndedSession(sid=sid, expires_at=now + lifetime))


def session_ended(session: Session, sid: str) -> bool:
    return session.get(EndedSession, sid) is not None


def normalize_login(login: str) -> str:
    return login.strip().lower()


def _check_password(account: Account, password: str, field: str) -> None:
    """Refuse a new password that is short, common or made of the person's own data."""
    personal = (account.username, account.phone, account.display_name)
    problem = password_problem(password, personal)
    if problem is not None:
        raise DomainError("account.weak_password", problem, fields={field: problem})


def sign_up(
    session: Session,
    *,
    login: str,
    password: str,
    display_name: str,
    notice_version: str | None = NOTICE_VERSION,
) -> Account:
    """Create a local account with a phone number or a username as its login, and
    record the person's consent to the privacy notice ``notice_version`` (the
    sign-up form requires it, None when its box was not ticked; the demo and
    ``create-admin`` agree to the current one).

    Invariant: logins are unique case-insensitively; the password is stored
    only as an argon2id hash.
    """
    login = normalize_login(login)
    display_name = display_name.strip()
    fields: dict[str, str] = {}
    is_phone = bool(PHONE.match(login))
    if not is_phone and not USERNAME.match(login):
        fields["login"] = N_(
            "Enter an 11-digit mobile number, or a username of 3–32 letters, digits, _ . -"
        )
    if not display_name:
        fields["display_name"] = N_("Enter your name.")
    elif len(display_name) > 60:
        fields["display_name"] = N_("Enter a name of at most 60 characters.")
    problem = password_problem(password, (login, display_name))
    if problem is not None:
        fields["password"] = problem
    if notice_version is None:
        fields["agree"] = MUST_AGREE
    if fields:
        raise DomainError("account.invalid", "Please correct the marked fields.", fields=fields)
    if find_by_login(session, login) is not None:
        raise DomainError(
            "account.taken",
            "This login is already registered.",
            fields={"login": N_("This login is already registered.")},
        )
    account = Account(
        phone=login if is_phone else None,
        username=None if is_phone else login,
        display_name=display_name,
        password_hash=hash_password(password),
    )
    session.add(account)
    session.flush()
    assert notice_version is not None  # refused above when the box was not ticked
    record_consent(session, account.id, notice_version, account.created_at or utcnow())
    return account


def find_by_login(session: Session, login: str) -> Account | None:
    login = normalize_login(login)
    column = Account.phone if PHONE.match(login) else Account.username
    return session.scalar(select(Account).where(column == login))


def _login_key(login: str) -> str:
    return normalize_login(login)[:64]


def sign_in_decision(
    session: Session,
    login: str,
    ip: str,
    device: str | None,
    known_device: bool,
    now: datetime,
) -> RateDecision:
    """Whether this attempt may be checked now, or how long to wait.

    Failures slow down whoever makes them, not the account's owner: the wait
    grows per account *and* address, and per account *and* device (a random id
    in a long-lived cookie). A device the account signed in from before (its
    cookie is signed, so it cannot be forged) is held only to its own failures,
    so the owner at home signs in while someone elsewhere guesses. From other
    devices two wider limits apply as well: an address trying many logins, and
    an account guessed at from many addresses at once.
    """
    who = _login_key(login)
    checks: dict[str, Limit | Backoff] = {}
    if device:
        checks[f"account-device:{who}|{device}"] = PAIR_BACKOFF
    if not known_device:
        checks[f"account-ip:{who}|{ip}"] = PAIR_BACKOFF
        checks[f"ip:{ip}"] = IP_LIMIT
        checks[f"account:{who}"] = ACCOUNT_BACKOFF
    since = now - max(p.window for p in checks.values())
    rows = session.execute(
        select(SignInFailure.key, SignInFailure.at).where(
            SignInFailure.key.in_(checks), SignInFailure.at > since
        )
    ).all()
    decisions = []
    for key, policy in checks.items():
        times = [at for k, at in rows if k == key]
        if isinstance(policy, Backoff):
            decisions.append(check_backoff(times, now, policy))
        else:
            decisions.append(check_limit(times, now, policy))
    return most_restrictive(decisions)


def record_failure(
    session: Session, login: str, ip: str, device: str | None, now: datetime
) -> None:
    who = _login_key(login)
    keys = [f"account-ip:{who}|{ip}", f"ip:{ip}", f"account:{who}"]
    if device:
        keys.append(f"account-device:{who}|{device}")
    session.add_all(SignInFailure(key=key, at=now) for key in keys)


def authenticate(session: Session, login: str, password: str) -> Account | None:
    """The active account whose password matches, else None (in constant-ish time)."""
    account = find_by_login(session, login)
    if account is None or not account.is_active or not account.password_hash:
        burn_time(password)
        return None
    return account if verify_password(account.password_hash, password) else None


def change_password(session: Session, account: Account, current: str, new: str) -> None:
    if not verify_password(account.password_hash, current):
        raise DomainError(
            "account.wrong_password",
            "The current password is not correct.",
            fields={"current": N_("The current password is not correct.")},
        )
    _check_password(account, new, "new")
    account.password_hash = hash_password(new)
    account.session_epoch += 1


def account_for_identity(session: Session, provider: str, subject: str) -> Account | None:
    return session.scalar(
        select(Account)
        .join(Identity, Identity.account_id == Account.id)
        .where(Identity.provider == provider, Identity.subject == subject)
    )


def link_identity(
    session: Session,
    account: Account,
    provider: str,
    subject: str,
    email: str | None,
    *,
    ip: str = "",
) -> Identity:
    """Link an OpenID identity; one identity belongs to at most one account.
    A new link is audited (the account's own action)."""
    existing = session.scalar(
        select(Identity).where(Identity.provider == provider, Identity.subject == subject)
    )
    if existing is not None:
        if existing.account_id == account.id:
            return existing
        raise DomainError("identity.taken", "This sign-in is already linked to another account.")
    identity = Identity(account_id=account.id, provider=provider, subject=subject, email=email)
    session.add(identity)
    session.flush()
    audit.record(
        session,
        actor_id=account.id,
        action="identity.link",
        target=f"account:{account.id}",
        ip=ip,
        provider=provider,
    )
    return identity


def create_account_for_identity(
    session: Session, provider: str, subject: str, name: str | None, email: str | None
) -> Account:
    account = Account(display_name=(name or email or "用户")[:60], password_hash=None)
    session.add(account)
    session.flush()
    link_identity(session, account, provider, subject, email)
    return account


def identities_of(session: Session, account: Account) -> Sequence[Identity]:
    return session.scalars(select(Identity).where(Identity.account_id == account.id)).all()


def grants_of(session: Session, account_id: int) -> list[Grant]:
    rows = session.execute(
        select(RoleGrant.role, Area.path)
        .select_from(RoleGrant)
        .outerjoin(Area, Area.id == RoleGrant.area_id)
        .where(RoleGrant.account_id == account_id)
    ).all()
    return [Grant(Role(role), path) for role, path in rows]


def grant_role(
    session: Session,
    account: Account,
    role: Role,
    area: Area | None,
    granted_by: Account | None = None,
) -> RoleGrant:
    """Grant ``role`` on ``area`` (None: everywhere). Granting twice is a no-op."""
    area_id = area.id if area else None
    existing = session.scalar(
        select(RoleGrant).where(
            RoleGrant.account_id == account.id,
            RoleGrant.role == role.value,
            RoleGrant.area_id.is_(None) if area_id is None else RoleGrant.area_id == area_id,
        )
    )
    if existing is not None:
        return existing
    grant = RoleGrant(
        account_id=account.id,
        role=role.value,
        area_id=area_id,
        granted_by=granted_by.id if granted_by else None,
    )
    session.add(grant)
    session.flush()
    return grant


def give_role(
    session: Session, account: Account, role: Role, area: Area | None, *, by: Account, ip: str = ""
) -> RoleGrant:
    """An administrator grants ``role`` on ``area`` (None: everywhere): grant_role,
    audited."""
    grant = grant_role(session, account, role, area, granted_by=by)
    audit.record(
        session,
        actor_id=by.id,
        action="role.grant",
        target=f"account:{account.id}",
        ip=ip,
        role=role.value,
        area=area.code if area else None,
    )
    return grant


def revoke_role(
    session: Session, grant_id: int, *, account_id: int, actor_id: int | None, ip: str = ""
) -> RoleGrant:
    """Remove one of ``account_id``'s role grants (another's is not found), audited."""
    grant = session.get(RoleGrant, grant_id)
    if grant is None or grant.account_id != account_id:
        raise DomainError("grant.not_found", "No such role grant.", status=404)
    audit.record(
        session,
        actor_id=actor_id,
        action="role.revoke",
        target=f"account:{account_id}",
        ip=ip,
        role=grant.role,
        area_id=grant.area_id,
    )
    session.delete(grant)
    return grant


def role_grants(session: Session, account_id: int) -> list[tuple[RoleGrant, Area | None]]:
    rows = session.execute(
        select(RoleGrant, Area)
        .outerjoin(Area, Area.id == RoleGrant.area_id)
        .where(RoleGrant.account_id == account_id)
        .order_by(RoleGrant.id)
    ).all()
    return [(g, a) for g, a in rows]


def get_account(session: Session, account_id: int) -> Account | None:
    return session.get(Account, account_id)


def accounts_by_id(session: Session, ids: set[int]) -> dict[int, Account]:
    """The accounts with these ids, by id, in one query."""
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(ids)))}


def account_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Account)) or 0


def set_active(session: Session, account: Account, active: bool, *, by: int, ip: str = "") -> None:
    """Enable or disable an account, signing the person out everywhere; nobody
    disables their own account. Audited."""
    if account.id == by:
        raise DomainError("account.self_disable", N_("You cannot disable your own account."))
    account.is_active = active
    account.session_epoch += 1
    audit.record(
        session,
        actor_id=by,
        action="account.active",
        target=f"account:{account.id}",
        ip=ip,
        active=active,
    )


def choose_display(session: Session, account: Account, *, age_friendly: bool) -> None:
    """Remember the person's display: the age-friendly mode (大字版) or the standard one.
    A preference, not a record: no audit entry."""
    account.age_friendly = age_friendly
