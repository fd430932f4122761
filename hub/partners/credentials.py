"""API keys and personal tokens: generated once, stored as SHA-256, several per owner, revocable."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record_event
from hub.db import utcnow
from hub.domain.errors import NotFound
from hub.domain.principals import Principal, Role
from hub.partners.models import ApiCredential, Partner, User

KEY_PREFIX = {"partner": "hpk_", "user": "hut_", "connector": "hct_"}


def hash_secret(secret: str) -> str:
    """Keys carry 256 random bits, so a single SHA-256 is enough (no password stretching needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(session: Session, *, actor: str, partner: Partner | None = None, user: User | None = None,
           label: str = "") -> tuple[ApiCredential, str]:
    kind = "partner" if partner is not None else "user"
    secret = KEY_PREFIX[kind] + secrets.token_urlsafe(32)
    cred = ApiCredential(prefix=secret[:12], secret_hash=hash_secret(secret), label=label,
                         partner_id=partner.id if partner else None, user_id=user.id if user else None)
    session.add(cred)
    session.flush()
    owner = partner.name if partner else user.username if user else "?"
    record_event(session, actor=actor, action=f"{kind}_key.issued", object_type="credential",
                 object_id=str(cred.id), partner_id=partner.id if partner else None,
                 details={"owner": owner, "prefix": cred.prefix, "label": label})
    return cred, secret


def issue_partner_key(session: Session, partner: Partner, *, actor: str, label: str = ""
                      ) -> tuple[ApiCredential, str]:
    """A new key for the partner; the secret is returned once and never stored."""
    return _issue(session, actor=actor, partner=partner, label=label)


def issue_user_token(session: Session, user: User, *, actor: str, label: str = ""
                     ) -> tuple[ApiCredential, str]:
    """A new personal API token for an admin user."""
    return _issue(session, actor=actor, user=user, label=label)


def issue_connector_token(session: Session, connector_id: int, connector_name: str, *, actor: str,
                          label: str = "") -> tuple[ApiCredential, str]:
    """A bearer token the ERP behind connector `connector_id` polls and posts with; shown once,
    stored as SHA-256."""
    secret = KEY_PREFIX["connector"] + secrets.token_urlsafe(32)
    cred = ApiCredential(prefix=secret[:12], secret_hash=hash_secret(secret), label=label,
                         connector_id=connector_id)
    session.add(cred)
    session.flush()
    record_event(session, actor=actor, action="connector_token.issued", object_type="credential",
                 object_id=str(cred.id), details={"owner": connector_name, "prefix": cred.prefix})
    return cred, secret


def reuse_or_issue(session: Session, partner: Partner, kept: str | None, *, actor: str, label: str
                   ) -> tuple[str, bool]:
    """The partner's `kept` key while it is still active; else its other active keys with this label
    are revoked and a new one is issued. (the key, whether it was issued now)"""
    if kept and session.scalar(select(ApiCredential.id).where(
            ApiCredential.secret_hash == hash_secret(kept), ApiCredential.partner_id == partner.id,
            ApiCredential.revoked_at.is_(None))) is not None:
        return kept, False
    for cred in session.scalars(select(ApiCredential).where(
            ApiCredential.partner_id == partner.id, ApiCredential.label == label,
            ApiCredential.revoked_at.is_(None))):
        revoke(session, str(cred.id), actor=actor)
    return issue_partner_key(session, partner, actor=actor, label=label)[1], True


def revoke(session: Session, key_ref: str, *, actor: str) -> ApiCredential:
    """Revoke a key by its id or its prefix (as listed)."""
    stmt = select(ApiCredential)
    stmt = (stmt.where(ApiCredential.id == int(key_ref))
            if key_ref.isascii() and key_ref.isdigit() and len(key_ref) < 10
            else stmt.where(ApiCredential.prefix == key_ref[:12]))
    cred = session.scalars(stmt).first()
    if cred is None:
        raise NotFound(f"no key {key_ref!r}")
    if cred.revoked_at is None:
        cred.revoked_at = utcnow()
        record_event(session, actor=actor, action="key.revoked", object_type="credential",
                     object_id=str(cred.id), partner_id=cred.partner_id,
                     details={"prefix": cred.prefix})
    return cred


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal a bearer secret belongs to, or None when unknown, revoked or inactive."""
    # One round trip: this runs on every API call.
    row = session.execute(
        select(ApiCredential.revoked_at, Partner.id, Partner.name, Partner.active,
               User.id, User.username, User.role, User.active)
        .outerjoin(Partner, Partner.id == ApiCredential.partner_id)
        .outerjoin(User, User.id == ApiCredential.user_id)
        .where(ApiCredential.secret_hash == hash_secret(secret))).first()
    if row is None or row[0] is not None:
        return None
    _, partner_id, partner_name, partner_active, user_id, username, role, user_active = row
    if partner_id is not None:
        return Principal(kind="partner", name=partner_name, partner_id=partner_id) \
            if partner_active else None
    if user_id is None or not user_active:
        return None
    return Principal(kind="user", name=username, user_id=user_id, role=Role(role))
