"""Getting back into an account: one-time codes by SMS, links by e-mail, desk codes.

A person who forgot their password asks for a code to the mobile number of their
verified account, or a link to the e-mail address of a linked identity. The answer
is the same whether or not such an account exists (the route shows one page, and
the work done is the same up to sending), and every request counts against limits
per number or address and per client address, so the form can be used neither to
find out who has an account nor to flood someone's phone.

Codes are single-use, expire (SMS ten minutes, e-mail links thirty, a desk slip's
code seven days), allow MAX_ATTEMPTS wrong tries, and are stored only as a keyed
hash (HMAC-SHA256 under a key derived from ``GONGZHI_ID_HASH_KEY``, which lives in
the server's settings, never in the database): a copy of the database reveals
no usable code. A new code retires the account's earlier ones. Setting the new
password bumps the account's session epoch: every session of the account,
everywhere, is signed out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from participation import audit, outbox
from participation.accounts import PHONE, Account, Identity, SignInFailure, find_by_login
from participation.db import Base, utcnow
from participation.errors import N_, DomainError
from participation.passwords import hash_password
from participation.rolls import RollEntry
from participation.rules.password_policy import password_problem
from participation.rules.ratelimit import Limit, RateDecision, check_limit, most_restrictive

SMS_LIFETIME = timedelta(minutes=10)
LINK_LIFETIME = timedelta(minutes=30)
DESK_LIFETIME = timedelta(days=7)
#: Wrong tries a code survives; the next one voids it.
MAX_ATTEMPTS = 5
#: Codes (or links) asked for one number or address, and from one client address.
SEND_PER_TARGET = Limit(max_failures=3, window=timedelta(hours=1))
SEND_PER_IP = Limit(max_failures=10, window=timedelta(hours=1))
#: Codes tried from one client address (right or wrong).
TRY_PER_IP = Limit(max_failures=20, window=timedelta(minutes=15))
#: How far back each key's limit counts (participation.rate_limits prunes by it).
FAILURE_WINDOWS = {
    "reset-sms:": SEND_PER_TARGET.window,
    "reset-email:": SEND_PER_TARGET.window,
    "reset-ip:": SEND_PER_IP.window,
    "reset-try:": TRY_PER_IP.window,
}
DESK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
#: How long a spent code (used, retired by a newer one, or expired) is kept before
#: the pruning job deletes it (:func:`prune_codes`). A spent code is never accepted
#: again, so nothing reads it to decide anything; its row only answers a support
#: question in the days after ("I asked for a code on Monday: was one sent, was it
#: used?"), and the reset itself stays in the audit log. A week covers the desk
#: slip's lifetime and a person coming back a few days later; past it the table
#: would only grow (one row per request).
KEEP_SPENT_FOR = timedelta(days=7)

BAD_CODE = N_(
    "This code is not valid: it is wrong, has expired, was already used or was tried too "
    "often. Check the number and the code, or ask for a new code."
)
BAD_LINK = N_("This link is not valid: it has expired or was already used. Ask for a new one.")
#: Sent as they are (like the notices' mail): Chinese first, the mail in English too.
SMS_TEXT = (
    "【共治】您重设密码的验证码是 %(code)s，10分钟内有效，仅可使用一次。如非本人操作，请忽略。"
)
MAIL_SUBJECT = "【共治】重设密码 / Set a new password"
MAIL_BODY = (
    "有人（希望是您本人）请求重设您在共治平台的密码。请在30分钟内打开以下链接设置新密码"
    "（仅可使用一次）：\n%(link)s\n如非本人操作，请忽略本邮件，您的密码不会改变。\n\n"
    "Someone, hopefully you, asked to set a new password for your Gongzhi account. Open the "
    "link above within 30 minutes to choose one (it works once). If you did not ask for it, "
    "ignore this message: your password stays as it is.\n"
)


class ResetCode(Base):
    """One code or link to set a new password, by its keyed hash only."""

    __tablename__ = "reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # sms, email, desk
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Both indexed for the hourly pruning (prune_codes): its delete reads the
    # spent codes of the two indexes, not every code of the city.
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


def reset_key(material: str) -> bytes:
    """The key of code hashes, derived from ``GONGZHI_ID_HASH_KEY`` for this purpose only."""
    return hmac.new(material.encode(), b"gongzhi:password-reset-codes", hashlib.sha256).digest()


def _digest(key: bytes, code: str) -> str:
    return hmac.new(key, code.strip().upper().encode(), hashlib.sha256).hexdigest()


def _target_key(key: bytes, kind: str, target: str) -> str:
    """A failures-table key for a number or address: keyed, so no personal data is kept."""
    return f"reset-{kind}:" + hmac.new(key, target.encode(), hashlib.sha256).hexdigest()[:40]


def _decision(session: Session, limits: dict[str, Limit], now: datetime) -> RateDecision:
    window = max(limit.window for limit in limits.values())
    rows = session.execute(
        select(SignInFailure.key, SignInFailure.at).where(
            SignInFailure.key.in_(limits), SignInFailure.at > now - window
        )
    ).all()
    return most_restrictive(
        check_limit([at for k, at in rows if k == key], now, limit) for key, limit in limits.items()
    )


def _refuse_if_limited(session: Session, limits: dict[str, Limit], now: datetime) -> None:
    decision = _decision(session, limits, now)
    if not decision.allowed:
        minutes = max(1, int(-(-decision.retry_after.total_seconds() // 60)))
        raise DomainError(
            "reset.too_many",
            N_("Too many requests. Please try again in %(num)s minutes."),
            status=429,
            params={"num": minutes},
        )


def _retire_live_codes(session: Session, account_id: int, now: datetime) -> None:
    session.execute(
        update(ResetCode)
        .where(ResetCode.account_id == account_id, ResetCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def prune_codes(session: Session, now: datetime) -> int:
    """Delete the codes spent more than ``KEEP_SPENT_FOR`` ago (used or retired, or
    expired, that long before ``now``); how many, in one statement. A live code
    (unused, unexpired) is never deleted: both its times lie ahead or are unset."""
    cutoff = now - KEEP_SPENT_FOR
    result = session.execute(
        delete(ResetCode)
        .where(or_(ResetCode.used_at < cutoff, ResetCode.expires_at < cutoff))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _verified(session: Session, account_id: int) -> bool:
    found = session.scalar(select(RollEntry.id).where(RollEntry.account_id == account_id))
    return found is not None


@dataclass(frozen=True)
class Sms:
    """A message to send after the transaction (the code exists only here and in it)."""

    to: str
    text: str


def request_sms_code(
    session: Session, key: bytes, phone: str, ip: str, now: datetime
) -> Sms | None:
    """Ask for a code to ``phone``; the message to send, or None when no verified,
    active account has this number (the caller answers the same either way).

    Refused with a field message only for something that is not a mobile number,
    and with 429 when the number or the address asked too often (counted whether
    or not the number has an account).
    """
    phone = phone.strip()
    if not PHONE.match(phone):
        message = N_("Enter an 11-digit mobile number.")
        raise DomainError("reset.phone", message, fields={"phone": message})
    target, by_ip = _target_key(key, "sms", phone), f"reset-ip:{ip}"[:300]
    _refuse_if_limited(session, {target: SEND_PER_TARGET, by_ip: SEND_PER_IP}, now)
    session.add_all([SignInFailure(key=target, at=now), SignInFailure(key=by_ip, at=now)])
    code = f"{secrets.randbelow(10**6):06d}"
    digest = _digest(key, code)  # made either way: the same work for every number
    account = find_by_login(session, phone)
    # The same statements whether or not the number has an account (-1 matches
    # nothing): only the final insert differs.
    known = account is not None and account.is_active
    verified = _verified(session, account.id if account is not None and known else -1)
    _retire_live_codes(session, account.id if account is not None and verified else -1, now)
    if account is None or not known or not verified:
        return None
    session.add(
        ResetCode(
            account_id=account.id,
            channel="sms",
            code_hash=digest,
            created_at=now,
            expires_at=now + SMS_LIFETIME,
        )
    )
    return Sms(to=phone, text=SMS_TEXT % {"code": code})


def request_email_link(
    session: Session, key: bytes, address: str, ip: str, now: datetime, link_base: str
) -> bool:
    """Queue a link to ``address`` in the outbox when an active account has an
    identity with this address; True when queued (the caller answers the same)."""
    address = address.strip().lower()
    if not 3 <= len(address) <= 255 or "@" not in address:
        message = N_("Enter an e-mail address.")
        raise DomainError("reset.email", message, fields={"email": message})
    target, by_ip = _target_key(key, "email", address), f"reset-ip:{ip}"[:300]
    _refuse_if_limited(session, {target: SEND_PER_TARGET, by_ip: SEND_PER_IP}, now)
    session.add_all([SignInFailure(key=target, at=now), SignInFailure(key=by_ip, at=now)])
    token = secrets.token_urlsafe(32)
    digest = _digest(key, token)
    account = session.scalar(
        select(Account)
        .join(Identity, Identity.account_id == Account.id)
        .where(func.lower(Identity.email) == address)
        .order_by(Account.id)
        .limit(1)
    )
    known = account is not None and account.is_active
    _retire_live_codes(session, account.id if account is not None and known else -1, now)
    if account is None or not known:
        return False
    session.add(
        ResetCode(
            account_id=account.id,
            channel="email",
            code_hash=digest,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    outbox.queue(
        session,
        to=address,
        subject=MAIL_SUBJECT,
        body=MAIL_BODY % {"link": f"{link_base}/account/reset/email/{token}"},
        account_id=account.id,
    )
    return True


def issue_desk_code(
    session: Session, key: bytes, account: Account, worker: Account, now: datetime
) -> str:
    """A code for the sign-in slip printed at the desk (the caller audits); it
    retires the account's earlier codes and is shown once."""
    code = "".join(secrets.choice(DESK_ALPHABET) for _ in range(8))
    _retire_live_codes(session, account.id, now)
    session.add(
        ResetCode(
            account_id=account.id,
            channel="desk",
            code_hash=_digest(key, code),
            created_at=now,
            expires_at=now + DESK_LIFETIME,
            issued_by=worker.id,
        )
    )
    return code


def check_new_password(account: Account | None, login: str, password: str, confirm: str) -> None:
    """Refuse a new password that differs from its confirmation, or is weak."""
    if password != confirm:
        message = N_("The two new passwords differ.")
        raise DomainError("reset.confirm", message, fields={"confirm": message})
    personal = (account.username, account.phone, account.display_name) if account else (login,)
    problem = password_problem(password, personal)
    if problem is not None:
        raise DomainError("account.weak_password", problem, fields={"password": problem})


def _set_password(
    session: Session, account: Account, code: ResetCode, password: str, ip: str, now: datetime
) -> None:
    code.used_at = now
    _retire_live_codes(session, account.id, now)
    account.password_hash = hash_password(password)
    account.session_epoch += 1  # every session of the account ends
    audit.record(
        session,
        actor_id=account.id,
        action="account.password_reset",
        target=f"account:{account.id}",
        ip=ip,
        channel=code.channel,
    )


def reset_with_code(
    session: Session,
    key: bytes,
    *,
    login: str,
    code: str,
    password: str,
    confirm: str,
    ip: str,
    now: datetime,
) -> Account | None:
    """Set a new password with a code sent by SMS or printed at the desk.

    Returns the account, or None for any bad code (unknown login, wrong, expired,
    used, tried too often: one answer). A wrong try counts against the code and
    the address; the caller keeps those counts although it refuses (they are the
    only writes). A weak or unconfirmed password raises DomainError once the code
    was found right, and uses nothing up.
    """
    by_ip = f"reset-try:{ip}"[:300]
    _refuse_if_limited(session, {by_ip: TRY_PER_IP}, now)
    session.add(SignInFailure(key=by_ip, at=now))
    digest = _digest(key, code)
    account = find_by_login(session, login) if login.strip() else None
    live = None
    if account is not None and account.is_active:
        live = session.scalar(
            select(ResetCode)
            .where(
                ResetCode.account_id == account.id,
                ResetCode.channel.in_(("sms", "desk")),
                ResetCode.used_at.is_(None),
                ResetCode.expires_at > now,
            )
            .order_by(ResetCode.id.desc())
            .limit(1)
        )
    if account is None or live is None or live.attempts >= MAX_ATTEMPTS:
        return None
    if not hmac.compare_digest(live.code_hash, digest):
        live.attempts += 1
        return None
    check_new_password(account, login, password, confirm)
    _set_password(session, account, live, password, ip, now)
    return account


def live_link(session: Session, key: bytes, token: str, now: datetime) -> ResetCode | None:
    """The unused, unexpired e-mail link with this token, if any."""
    if not 20 <= len(token) <= 100:
        return None
    return session.scalar(
        select(ResetCode).where(
            ResetCode.code_hash == _digest(key, token),
            ResetCode.channel == "email",
            ResetCode.used_at.is_(None),
            ResetCode.expires_at > now,
        )
    )


def reset_with_link(
    session: Session,
    key: bytes,
    *,
    token: str,
    password: str,
    confirm: str,
    ip: str,
    now: datetime,
) -> Account | None:
    """Set a new password through an e-mail link; None when the link is not valid."""
    by_ip = f"reset-try:{ip}"[:300]
    _refuse_if_limited(session, {by_ip: TRY_PER_IP}, now)
    session.add(SignInFailure(key=by_ip, at=now))
    link = live_link(session, key, token, now)
    account = session.get(Account, link.account_id) if link else None
    if link is None or account is None or not account.is_active:
        return None
    check_new_password(account, account.phone or account.username or "", password, confirm)
    _set_password(session, account, link, password, ip, now)
    return account
