"""Certificates (志愿服务记录证明): issued only from approved ledger entries,
verifiable by number, revocable (the revocation shows on the verification page).

A certificate carries an ID number only when it matches the holder's own
verified roll entry (checked against the roll's keyed hash; only a masked form
is kept). A holder who never verified against the roll gets a certificate
without an ID number: a number typed for them could be anyone's.

Which back office may issue or revoke a certificate is decided by
:func:`service_area_paths`: the areas of the teams whose hours it certifies.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, distinct, false, func, select, true
from sqlalchemy.orm import Session, aliased

from participation import audit
from participation.accounts import Account
from participation.areas import Area
from participation.errors import N_, DomainError
from participation.rolls import RollEntry
from participation.rules.identity import id_hash, id_number_problem, normalize_id_number
from participation.scopes import under_any
from volunteers import ledger, profiles
from volunteers.models import Activity, Certificate, CertificateTeam, HoursEntry, Shift, Team

# Unambiguous characters for numbers people read out or type.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def mask_id_number(number: str) -> str:
    """First 4 and last 4 characters kept: 5101**********123X."""
    n = normalize_id_number(number)
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


def new_number(now: datetime) -> str:
    return f"ZY{now:%Y}" + "".join(secrets.choice(ALPHABET) for _ in range(10))


def service_summary(session: Session, account_id: int) -> str:
    """What the person did, from the activities behind their credited hours."""
    titles = session.scalars(
        select(Activity.service_content)
        .join(Shift, Shift.activity_id == Activity.id)
        .join(HoursEntry, HoursEntry.shift_id == Shift.id)
        .where(HoursEntry.account_id == account_id)
        .distinct()
    ).all()
    return "、".join(sorted(t for t in titles if t)) or "志愿服务"


def service_area_paths(
    session: Session, account_id: int, until: datetime | None = None
) -> set[str]:
    """The area paths of the teams the person served in (ledger entries recorded
    up to ``until``, all when None). A certificate vouches for these hours, so
    only someone who manages volunteers in every one of these areas may issue or
    revoke it."""
    query = (
        select(Area.path)
        .join(Team, Team.area_id == Area.id)
        .join(HoursEntry, HoursEntry.team_id == Team.id)
        .where(HoursEntry.account_id == account_id)
        .distinct()
    )
    if until is not None:
        query = query.where(HoursEntry.recorded_at <= until)
    return set(session.scalars(query))


def certified_area_paths(session: Session, certs: Sequence[Certificate]) -> dict[int, set[str]]:
    """For each certificate (by id), :func:`service_area_paths` of its holder up to
    its issue, in one query however many certificates are asked about."""
    paths: dict[int, set[str]] = {c.id: set() for c in certs}
    if not certs:
        return paths
    rows = session.execute(
        select(Certificate.id, Area.path)
        .join(HoursEntry, HoursEntry.account_id == Certificate.account_id)
        .join(Team, Team.id == HoursEntry.team_id)
        .join(Area, Area.id == Team.area_id)
        .where(Certificate.id.in_(list(paths)), HoursEntry.recorded_at <= Certificate.issued_at)
        .distinct()
    ).all()
    for cert_id, path in rows:
        paths[cert_id].add(path)
    return paths


def _checked_id(session: Session, account_id: int, id_number: str, key: bytes) -> str:
    """The masked ID number for the certificate, or "" for a holder without a
    verified roll entry. Invariant: a certificate's ID number is the holder's own,
    as on their verified roll entry; anything else is refused."""
    entry = session.scalar(select(RollEntry).where(RollEntry.account_id == account_id))
    number = normalize_id_number(id_number)
    if entry is None:
        if number:
            raise DomainError(
                "certificate.id_unverified",
                N_("Please correct the marked fields."),
                fields={
                    "id_number": N_(
                        "This person has not verified their identity against the roll: "
                        "leave the ID number empty, the certificate will carry none."
                    )
                },
            )
        return ""
    if id_number_problem(number) is not None or entry.id_hash != id_hash(key, number):
        raise DomainError(
            "certificate.id_number",
            N_("Please correct the marked fields."),
            fields={"id_number": N_("Enter the person's 18-character ID number as on the roll.")},
        )
    return mask_id_number(number)


def issue(
    session: Session,
    account_id: int,
    *,
    id_number: str,
    issuer: str,
    actor_id: int,
    id_key: bytes,
    now: datetime,
) -> Certificate:
    """Issue a certificate for the person's approved hours (all ledger entries are
    approved: system entries come from attendance, back-fills only once approved)."""
    account = session.get(Account, account_id)
    if account is None:
        raise DomainError("certificate.no_person", N_("No such person."), status=404)
    masked_id = _checked_id(session, account_id, id_number, id_key)
    entry = session.scalar(select(RollEntry).where(RollEntry.account_id == account_id))
    minutes = ledger.total_minutes(session, account_id)
    if minutes <= 0:
        raise DomainError("certificate.no_hours", N_("This person has no approved hours yet."))
    profile = profiles.ensure_profile(session, account_id)
    cert = Certificate(
        number=new_number(now),
        account_id=account_id,
        holder_name=entry.name if entry is not None else account.display_name,
        masked_id=masked_id,
        volunteer_number=profile.volunteer_number,
        minutes=minutes,
        service_content=service_summary(session, account_id),
        issuer=issuer.strip()[:120] or "志愿服务组织",
        issued_at=now,
        issued_by=actor_id,
    )
    session.add(cert)
    session.flush()
    audit.record(session, actor_id=actor_id, action="volunteer.certificate", target=cert.number)
    return cert


def revoke(session: Session, number: str, reason: str, actor_id: int, now: datetime) -> Certificate:
    cert = by_number(session, number)
    if cert.revoked_at is not None:
        raise DomainError(
            "certificate.revoked", N_("This certificate is already revoked."), status=409
        )
    if not reason.strip():
        raise DomainError(
            "certificate.reason",
            N_("Please correct the marked fields."),
            fields={"reason": N_("Say why the certificate is revoked.")},
        )
    cert.revoked_at, cert.revoked_by, cert.revoke_reason = now, actor_id, reason.strip()[:200]
    audit.record(
        session,
        actor_id=actor_id,
        action="volunteer.certificate_revoke",
        target=number,
        reason=reason,
    )
    return cert


def find(session: Session, number: str) -> Certificate | None:
    """The certificate with this number as typed (case and spaces around ignored)."""
    return session.scalar(select(Certificate).where(Certificate.number == number.strip().upper()))


def by_number(session: Session, number: str) -> Certificate:
    """The certificate with this number (404 when there is none)."""
    cert = find(session, number)
    if cert is None:
        raise DomainError(
            "certificate.not_found", N_("No certificate has this number."), status=404
        )
    return cert


def certificates_of(session: Session, account_id: int) -> Sequence[Certificate]:
    return session.scalars(
        select(Certificate)
        .where(Certificate.account_id == account_id)
        .order_by(Certificate.id.desc())
    ).all()


def _managed_ids(within: Sequence[str]) -> Select[int]:
    """SQL: the ids of the certificates an officer whose reach is ``within`` (some
    areas) may manage, found from the officer's side: the certificates of the
    teams within, less those that also count a team outside. Its cost follows the
    officer's certificates, not the city's. An id may come more than once."""
    inside = select(Team.id).join(Area, Area.id == Team.area_id).where(under_any(Area.path, within))
    mine, other = aliased(CertificateTeam), aliased(CertificateTeam)
    return select(mine.certificate_id).where(
        mine.team_id.in_(inside),
        ~select(other.team_id)
        .where(other.certificate_id == mine.certificate_id, other.team_id.not_in(inside))
        .exists(),
    )


def managed_within(within: Sequence[str] | None) -> ColumnElement[bool]:
    """SQL: the certificate is one an officer whose reach is ``within`` may manage
    (``participation.rules.reach``; None: the whole city, []: nowhere): every team
    whose hours it counts (:class:`CertificateTeam`, the teams of its holder's
    ledger up to its issue, as :func:`service_area_paths`) lies within ``within``.

    Read from the certificates' teams, not from each holder's ledger (which took
    0.4 s to count 50,000 certificates for a community's officer). A certificate
    counting no team at all (none can be issued: it needs approved hours) is
    managed city-wide only."""
    if within is None:
        return true()
    if not within:
        return false()
    return Certificate.id.in_(_managed_ids(within))


def count_managed(session: Session, within: Sequence[str] | None) -> int:
    """How many certificates :func:`managed_within` holds for ``within``: exactly
    the rows its pages show, in one statement over the officer's certificates'
    teams (every id there is a certificate's: a foreign key), or the city's
    certificates counted for a city-wide officer."""
    if within is None:
        query = select(func.count()).select_from(Certificate)
    elif not within:
        return 0
    else:
        managed = _managed_ids(within).subquery()
        query = select(func.count(distinct(managed.c.certificate_id)))
    return int(session.scalar(query) or 0)


def manageable(session: Session, within: Sequence[str] | None, limit: int) -> Sequence[Certificate]:
    """The newest ``limit`` certificates an officer whose reach is ``within`` may
    manage (:func:`managed_within`), newest first: one statement, filtered in SQL,
    however many certificates the rest of the city issued."""
    return session.scalars(
        select(Certificate)
        .where(managed_within(within))
        .order_by(Certificate.id.desc())
        .limit(limit)
    ).all()


def manageable_page(
    session: Session, within: Sequence[str] | None, number: int, per_page: int
) -> tuple[Sequence[Certificate], int, int]:
    """One page of :func:`manageable`'s order, paged in SQL: the certificates, the
    page number (at most the last page) and how many there are (a count with the
    page's own condition, so the pages show exactly that many); two statements."""
    total = count_managed(session, within)
    number = max(1, min(number, -(-total // per_page)))
    rows = session.scalars(
        select(Certificate)
        .where(managed_within(within))
        .order_by(Certificate.id.desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    return rows, number, total
