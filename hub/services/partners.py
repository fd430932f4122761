"""Trading partners, their identifiers, and admin users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.auth import Role
from hub.domain.errors import NotFound, ValidationError
from hub.models import Partner, PartnerIdentifier, User
from hub.services.audit import record_event

PARTNER_ROLES = ("buyer", "supplier")
SYNTAXES = ("edifact", "ubl")
ID_SCHEMES = ("edi", "gln", "cnpj", "vat")


def add_partner(session: Session, name: str, *, edi_id: str, qualifier: str = "", roles: list[str],
                syntax: str = "edifact", actor: str,
                extra_ids: list[tuple[str, str]] | None = None) -> Partner:
    """Create a partner with its EDI identifier (and qualifier) and any further identifiers."""
    if not name.strip() or len(name) > 100:
        raise ValidationError("a partner name needs 1 to 100 characters")
    if session.scalar(select(Partner.id).where(Partner.name == name)) is not None:
        raise ValidationError(f"a partner named {name!r} already exists")
    bad_roles = [r for r in roles if r not in PARTNER_ROLES]
    if bad_roles or not roles:
        raise ValidationError(f"roles must be among {PARTNER_ROLES}, got {roles}")
    if syntax not in SYNTAXES:
        raise ValidationError(f"syntax must be one of {SYNTAXES}, got {syntax!r}")
    partner = Partner(name=name, roles=roles, syntax=syntax, profile={})
    partner.identifiers.append(PartnerIdentifier(scheme="edi", value=edi_id, qualifier=qualifier))
    for scheme, value in extra_ids or []:
        if scheme not in ID_SCHEMES:
            raise ValidationError(f"identifier scheme must be one of {ID_SCHEMES}, got {scheme!r}")
        partner.identifiers.append(PartnerIdentifier(scheme=scheme, value=value, qualifier=""))
    session.add(partner)
    session.flush()
    record_event(session, actor=actor, action="partner.created", object_type="partner",
                 object_id=str(partner.id), partner_id=partner.id,
                 details={"name": name, "edi_id": edi_id, "qualifier": qualifier, "roles": roles,
                          "syntax": syntax, "extra_ids": [list(x) for x in extra_ids or []]})
    return partner


def find_partner(session: Session, ref: str) -> Partner:
    """A partner by id or by name."""
    partner = session.get(Partner, int(ref)) if ref.isascii() and ref.isdigit() else None
    if partner is None:
        partner = session.scalars(select(Partner).where(Partner.name == ref)).first()
    if partner is None:
        raise NotFound(f"no partner {ref!r}")
    return partner


def partner_edi_ids(partner: Partner) -> set[tuple[str, str]]:
    """(value, qualifier) pairs the partner may appear as in a UNB sender."""
    return {(i.value, i.qualifier) for i in partner.identifiers}


def add_user(session: Session, username: str, role: str, *, actor: str) -> User:
    if role not in {r.value for r in Role}:
        raise ValidationError(f"role must be one of {[r.value for r in Role]}, got {role!r}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError(f"a user named {username!r} already exists")
    user = User(username=username, role=role)
    session.add(user)
    session.flush()
    record_event(session, actor=actor, action="user.created", object_type="user",
                 object_id=str(user.id), details={"username": username, "role": role})
    return user


def find_user(session: Session, ref: str) -> User:
    user = session.get(User, int(ref)) if ref.isascii() and ref.isdigit() else None
    if user is None:
        user = session.scalars(select(User).where(User.username == ref)).first()
    if user is None:
        raise NotFound(f"no user {ref!r}")
    return user


def update_profile(session: Session, partner: Partner, changes: dict[str, Any], *, actor: str
                   ) -> dict[str, Any]:
    """Change profile settings (None removes one); refused as a whole if any setting is unknown."""
    from hub.services.profiles import validate_profile

    profile = {k: v for k, v in {**(partner.profile or {}), **changes}.items() if v is not None}
    validate_profile(profile)
    partner.profile = profile
    record_event(session, actor=actor, action="partner.profile_changed", object_type="partner",
                 object_id=str(partner.id), partner_id=partner.id, details={"changes": changes})
    return profile
