"""Admin users' sign-in: enrolment by a one-time link, password then TOTP, recovery codes, throttling.

Each function owns its transaction: it commits what it did (failures too, so they count) and the
audit events that say so.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.admin import passwords, totp
from hub.admin.models import SignInFailure
from hub.audit.service import record_event
from hub.db import transaction, utcnow
from hub.domain.errors import HubError, ValidationError
from hub.domain.principals import Principal, Role
from hub.erp.service import open_secret, seal_secret
from hub.partners import service as partners
from hub.partners.models import User

ENROLMENT_VALID_FOR = timedelta(hours=72)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20


_DUMMY_HASH = passwords.hash_password(secrets.token_hex(16))


class SignInRefused(HubError):
    """Wrong credentials: one message for every cause, so it tells an attacker nothing."""

    code = "SIGN_IN_REFUSED"
    http_status = 401


class SignInThrottled(HubError):
    code = "SIGN_IN_THROTTLED"
    http_status = 429


class EnrolmentInvalid(HubError):
    code = "ENROLMENT_INVALID"
    http_status = 404


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows once: the TOTP secret (as a QR code) and the recovery codes."""

    username: str
    secret: str
    uri: str
    recovery_codes: list[str]


def create_user(session: Session, username: str, role: str, *, actor: str) -> tuple[User, str]:
    """A new user and the token of their one-time enrolment link (the caller's transaction)."""
    user = partners.add_user(session, username, role, actor=actor)
    token = issue_enrolment(session, user, actor=actor)
    return user, token


def issue_enrolment(session: Session, user: User, *, actor: str) -> str:
    """A fresh enrolment link token for `user` (any earlier one stops working)."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + ENROLMENT_VALID_FOR
    partners.set_enrolment(user, passwords.hash_token(token), expires_at)
    record_event(session, actor=actor, action="user.enrolment_issued", object_type="user",
                 object_id=str(user.id), details={"expires_at": expires_at.isoformat()})
    return token


def enrolling_user(session: Session, token: str) -> User:
    """The user an unused, unexpired enrolment token belongs to."""
    user = session.scalars(select(User).where(
        User.enrolment_token_hash == passwords.hash_token(token))).first()
    if user is None or not user.active or user.enrolment_expires_at is None \
            or user.enrolment_expires_at < utcnow():
        raise EnrolmentInvalid("this enrolment link is unknown, used or expired; ask an admin "
                               "for a new one (flask hub user-add or user-enrol)")
    return user


def complete_enrolment(session: Session, token: str, password: str, confirmation: str, *,
                       secret_key: str) -> Enrolment:
    """Set the password, a new TOTP secret (sealed under `secret_key`, Settings.secret_key, when
    there is one) and recovery codes; the link is spent."""
    user = enrolling_user(session, token)
    problem = passwords.password_problem(password, confirmation)
    if problem:
        raise ValidationError(problem)
    secret = totp.new_secret()
    codes = passwords.new_recovery_codes()
    partners.enrol(user, password_hash=passwords.hash_password(password),
                   totp_secret=_sealed(secret, secret_key),
                   recovery_codes=[passwords.hash_password(c) for c in codes], at=utcnow())
    record_event(session, actor=f"user:{user.username}", action="user.enrolled", object_type="user",
                 object_id=str(user.id), details={"recovery_codes": len(codes)})
    return Enrolment(user.username, secret, totp.provisioning_uri(secret, user.username), codes)


def check_password(session: Session, username: str, password: str, address: str) -> int:
    """First step: the user's id when the password is right; refused (and counted) otherwise."""
    _refuse_if_throttled(session, username, address)
    user = session.scalars(select(User).where(User.username == username)).first()
    # an unknown name costs the same scrypt as a known one: timing does not tell which names exist
    stored = user.password_hash if user is not None else _DUMMY_HASH
    ok = passwords.check_password(stored, password) and user is not None and user.active \
        and user.totp_secret is not None
    if user is None or not ok:
        _fail(session, username, address, "password")
    assert user is not None
    return user.id


def check_second_factor(session: Session, user_id: int, code: str, address: str, *,
                        secret_key: str) -> Principal:
    """Second step: a TOTP code not used before (one step of drift), or an unused recovery code.
    `secret_key` (Settings.secret_key) opens a TOTP secret stored encrypted."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.totp_secret is None:
        raise SignInRefused("sign in again")
    _refuse_if_throttled(session, user.username, address)
    how = _spend_code(session, user, code, secret_key)
    if how is None:
        _fail(session, user.username, address, "code")
    record_event(session, actor=f"user:{user.username}", action="admin.signed_in", object_type="user",
                 object_id=str(user.id), details={"address": address, "with": how})
    return principal_for(user)


def _spend_code(session: Session, user: User, code: str, secret_key: str) -> str | None:
    """'totp' or 'recovery_code' when the code is good (and now spent); None otherwise."""
    secret = open_secret(user.totp_secret, secret_key=secret_key)
    assert secret is not None
    step = totp.accepted_step(secret, code, user.totp_last_step)
    if step is not None:
        return "totp" if partners.spend_totp_step(session, user.id, step) else None
    stored = list(user.recovery_codes or [])
    for hashed in stored:
        if passwords.check_password(hashed, code.strip().lower()):
            partners.spend_recovery_code(user, hashed)
            return "recovery_code"
    return None


def _sealed(secret: str, secret_key: str) -> str:
    """The TOTP secret as stored: encrypted under the secret key (HUB_SECRET_KEY) when there is one (it
    cannot be hashed: the hub must compute codes from it), as it is otherwise."""
    if not secret_key:
        return secret
    return seal_secret(secret, field="TOTP secret", secret_key=secret_key) or secret


def principal_for(user: User) -> Principal:
    return Principal(kind="user", name=user.username, user_id=user.id, role=Role(user.role))


def signed_in_user(session: Session, user_id: int) -> Principal | None:
    """The principal of a session's user, or None once the user is gone or deactivated."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.totp_secret is None:
        return None
    return principal_for(user)


def _refuse_if_throttled(session: Session, username: str, address: str) -> None:
    since = utcnow() - FAILURE_WINDOW
    for key, limit in ((f"user:{username}", MAX_FAILURES_PER_USER),
                       (f"addr:{address}", MAX_FAILURES_PER_ADDRESS)):
        if _recent_failures(session, key, since, limit) >= limit:
            with transaction(session):  # the refusal is kept though the request fails
                record_event(session, actor=f"address:{address}", action="admin.sign_in_throttled",
                             object_type="user", object_id=username, details={"key": key})
            minutes = int(FAILURE_WINDOW.total_seconds() // 60)
            raise SignInThrottled(f"too many failed attempts; try again in {minutes} minutes")


def _recent_failures(session: Session, key: str, since: datetime, limit: int) -> int:
    """Failures under `key` since `since`, counted up to `limit` only (a bounded query)."""
    recent = (select(SignInFailure.id).where(SignInFailure.key == key, SignInFailure.at >= since)
              .limit(limit).subquery())
    return session.scalar(select(func.count()).select_from(recent)) or 0


def _fail(session: Session, username: str, address: str, step: str) -> None:
    with transaction(session):  # the failure is counted though the request fails
        session.add_all([SignInFailure(key=f"user:{username}"), SignInFailure(key=f"addr:{address}")])
        record_event(session, actor=f"address:{address}", action="admin.sign_in_failed",
                     object_type="user", object_id=username, details={"step": step})
    raise SignInRefused("wrong user name, password or code")
