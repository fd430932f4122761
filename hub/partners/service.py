"""Trading partners, their identifiers, and admin users."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hub.audit.service import record_event
from hub.domain import check_digits
from hub.domain.documents import Identifier
from hub.domain.errors import HubError, NotFound, ValidationError
from hub.domain.identifiers import Key, key_of, key_of_registered, normalise, same_party
from hub.domain.principals import Role
from hub.partners.credentials import hash_secret as hash_secret
from hub.partners.credentials import issue_connector_token as issue_connector_token
from hub.partners.credentials import issue_partner_key as issue_partner_key
from hub.partners.credentials import revoke as revoke
from hub.partners.models import Company, Partner, PartnerIdentifier, User

PARTNER_ROLES = ("buyer", "supplier")
SYNTAXES = ("edifact", "ubl")
ID_SCHEMES = ("edi", "gln", "cnpj", "cpf", "vat")


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
    _check_edi_id(session, edi_id, qualifier)
    partner = Partner(name=name, roles=roles, syntax=syntax, profile={})
    partner.identifiers.append(PartnerIdentifier(scheme="edi", value=edi_id, qualifier=qualifier))
    for scheme, value in extra_ids or []:
        partner.identifiers.append(_identifier(scheme, value))
    session.add(partner)
    session.flush()
    record_event(session, actor=actor, action="partner.created", object_type="partner",
                 object_id=str(partner.id), partner_id=partner.id,
                 details={"name": name, "edi_id": edi_id, "qualifier": qualifier, "roles": roles,
                          "syntax": syntax, "extra_ids": [list(x) for x in extra_ids or []]})
    return partner


def _check_edi_id(session: Session, edi_id: str, qualifier: str) -> None:
    """An EDI id is new and, with qualifier 14 (a GLN), has a right check digit."""
    if not edi_id.strip() or len(edi_id) > 100:
        raise ValidationError("an EDI id needs 1 to 100 characters")
    wrong = check_digits.problem("edi", edi_id, qualifier)
    if wrong:
        raise ValidationError(f"EDI id {wrong}")
    holder = session.scalars(select(Partner).join(PartnerIdentifier).where(
        PartnerIdentifier.scheme == "edi", PartnerIdentifier.value == edi_id,
        PartnerIdentifier.qualifier == qualifier)).first()
    if holder is not None:
        raise ValidationError(f"EDI id {edi_id}" + (f":{qualifier}" if qualifier else "")
                              + f" is registered for partner {holder.name!r} already: give this partner "
                              "another EDI id (or qualifier), or issue a key for that one (key-add)")


def _identifier(scheme: str, value: str) -> PartnerIdentifier:
    """A further identifier, stored in the form every lookup compares (CNPJ digits, VAT without spaces)."""
    if scheme not in ID_SCHEMES:
        raise ValidationError(f"identifier scheme must be one of {ID_SCHEMES}, got {scheme!r}")
    stored = normalise(scheme, value)
    if not stored or len(stored) > 100:
        raise ValidationError(f"a {scheme} identifier needs 1 to 100 characters, got {value!r}")
    wrong = check_digits.problem(scheme, stored)
    if wrong:
        raise ValidationError(wrong)
    return PartnerIdentifier(scheme=scheme, value=stored, qualifier="")


def add_identifier(session: Session, partner: Partner, scheme: str, value: str, *, actor: str
                   ) -> PartnerIdentifier:
    """Register one more identifier for a partner (a GLN, VAT or CNPJ it sends documents as);
    refused when another partner, or this one, has it already."""
    ident = _identifier(scheme, value)
    key = key_of_registered(ident.scheme, ident.value)
    holders = owners(session, {key: ident.value})[key]
    if holders:
        whose = "this partner" if holders == {partner.id} else "another partner"
        raise ValidationError(f"{scheme}:{ident.value} is registered for {whose} already")
    partner.identifiers.append(ident)
    session.flush()
    record_event(session, actor=actor, action="partner.identifier_added", object_type="partner",
                 object_id=str(partner.id), partner_id=partner.id,
                 details={"scheme": scheme, "value": ident.value})
    return ident


def owners(session: Session, found: Mapping[Key, str]) -> dict[Key, set[int]]:
    """The partners (by id) registered with an identifier naming each key's party
    (identifiers.same_party); `found` gives each key the text it was written as."""
    if not found:
        return {}
    by_value: dict[str, list[Key]] = {}
    for key in found:
        by_value.setdefault(key[1], []).append(key)
    values = sorted({v for key, raw in found.items() for v in (key[1], raw.strip())} - {""})
    out: dict[Key, set[int]] = {key: set() for key in found}
    for start in range(0, len(values), 500):  # keep IN lists within every database's limits
        rows = session.execute(select(PartnerIdentifier.partner_id, PartnerIdentifier.scheme,
                                      PartnerIdentifier.value, PartnerIdentifier.qualifier)
                               .where(PartnerIdentifier.value.in_(values[start:start + 500])))
        for partner_id, scheme, value, qualifier in rows:
            registered = key_of_registered(scheme, value, qualifier)
            for key in by_value.get(registered[1], ()):
                if same_party(registered, key):
                    out[key].add(partner_id)
    return out


def find_by_identifier(session: Session, ident: Identifier) -> Partner | None:
    """The partner an identifier found on a document names: by its key where it has one (a GLN is a
    GLN whatever its scheme code), else by its exact value."""
    key = key_of(ident)
    if key is None:
        row = session.scalars(select(PartnerIdentifier)
                              .where(PartnerIdentifier.value == ident.value)).first()
        return row.partner if row is not None else None
    holders = sorted(owners(session, {key: ident.value})[key])
    return session.get(Partner, holders[0]) if holders else None


def find_partner(session: Session, ref: str) -> Partner:
    """A partner by id or by name."""
    partner = session.get(Partner, int(ref)) if ref.isascii() and ref.isdigit() and len(ref) < 10 else None
    if partner is None:
        partner = session.scalars(select(Partner).where(Partner.name == ref)).first()
    if partner is None:
        raise NotFound(f"no partner {ref!r}: give a partner's name or id (see flask hub partner-list)")
    return partner


def invalid_identifiers(session: Session) -> list[tuple[int, str, str, str]]:
    """(partner id, name, setting, problem) for each identifier or profile payee account whose
    check digits are wrong: registered before they were checked on entry."""
    found = []
    for partner in session.scalars(select(Partner).order_by(Partner.id)):
        for ident in partner.identifiers:
            problem = check_digits.problem(ident.scheme, ident.value, ident.qualifier)
            if problem:
                found.append((partner.id, partner.name, ident.scheme, problem))
        for account in (partner.profile or {}).get("bank_accounts") or []:
            problem = check_digits.iban_problem(str(account))
            if problem:
                found.append((partner.id, partner.name, "bank_accounts", problem))
    return found


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
    user = session.get(User, int(ref)) if ref.isascii() and ref.isdigit() and len(ref) < 10 else None
    if user is None:
        user = session.scalars(select(User).where(User.username == ref)).first()
    if user is None:
        raise NotFound(f"no user {ref!r}: give a user's name or id")
    return user


def update_profile(session: Session, partner: Partner, changes: dict[str, Any], *, actor: str
                   ) -> dict[str, Any]:
    """Change profile settings (None removes one); refused as a whole if any setting is unknown."""
    from hub.partners.domain import validate_profile

    profile = {k: v for k, v in {**(partner.profile or {}), **changes}.items() if v is not None}
    validate_profile(profile)
    partner.profile = profile
    record_event(session, actor=actor, action="partner.profile_changed", object_type="partner",
                 object_id=str(partner.id), partner_id=partner.id, details={"changes": changes})
    return profile


def _account_key(value: str) -> str:
    return "".join(ch for ch in value if ch.isalnum()).upper()


def payers(session: Session, accounts: set[str], tax_ids: set[str]) -> dict[tuple[str, str], set[int]]:
    """The partners a payment's payer may be: by bank account (the `bank_accounts` of their
    profiles; letters and digits compared) and by CNPJ, CPF or VAT number (their identifiers, as
    stored). Keyed ("account", value) and ("id", value); a value may name several partners."""
    out: dict[tuple[str, str], set[int]] = {}
    wanted = {_account_key(a) for a in accounts if a}
    if wanted:
        for partner_id, profile in session.execute(select(Partner.id, Partner.profile)):
            for account in (profile or {}).get("bank_accounts") or ():
                if isinstance(account, str) and _account_key(account) in wanted:
                    out.setdefault(("account", _account_key(account)), set()).add(partner_id)
    values = sorted(v for v in tax_ids if v)
    for start in range(0, len(values), 500):
        rows = session.execute(select(PartnerIdentifier.partner_id, PartnerIdentifier.value).where(
            PartnerIdentifier.scheme.in_(("cnpj", "cpf", "vat")),
            PartnerIdentifier.value.in_(values[start:start + 500])))
        for partner_id, value in rows:
            out.setdefault(("id", value), set()).add(partner_id)
    return out


STATEMENTS_PARTNER = "bank-statements"


def statement_source(session: Session, *, actor: str) -> Partner:
    """The hub's own partner that bank statement exchanges belong to (created, audited, on first
    use): a statement is the hub's bank speaking, not a trading partner, and has no sender to check."""
    partner = session.scalars(select(Partner).where(Partner.name == STATEMENTS_PARTNER)).first()
    if partner is not None:
        return partner
    partner = Partner(name=STATEMENTS_PARTNER, roles=["bank"], syntax="edifact", profile={})
    session.add(partner)
    session.flush()
    record_event(session, actor=actor, action="partner.created", object_type="partner",
                 object_id=str(partner.id), partner_id=partner.id,
                 details={"name": STATEMENTS_PARTNER, "roles": ["bank"], "purpose": "bank statements"})
    return partner


class CompanyExists(HubError):
    code = "COMPANY_EXISTS"
    http_status = 409


def add_company(session: Session, fields: dict[str, Any], *, actor: str) -> Company:
    """Register one of the hub's own companies from fields already checked (invoicing checks them:
    name, country, identifiers, address, bank and Pix details); audited."""
    if session.scalar(select(Company.id).where(Company.name == fields["name"])) is not None:
        raise CompanyExists(f"a company named {fields['name']!r} exists already")
    company = Company(**fields)
    session.add(company)
    session.flush()
    shown = {k: v for k, v in fields.items() if k != "name"}
    record_event(session, actor=actor, action="company.created", object_type="company",
                 object_id=str(company.id), details={"name": company.name, **shown})
    return company


def next_control_numbers(session: Session, partner: Partner, kinds: tuple[str, ...], *,
                         count: int = 1) -> tuple[int, ...]:
    """The first of `count` consecutive control numbers of each kind (e.g. interchange and
    message), all under one row lock."""
    lock_partner(session, partner.id)
    session.refresh(partner, ["profile"])
    counters = dict((partner.profile or {}).get("_counters", {}))
    firsts = tuple(int(counters.get(kind, 0)) + 1 for kind in kinds)
    for kind, first in zip(kinds, firsts, strict=True):
        counters[kind] = first + count - 1
    partner.profile = {**(partner.profile or {}), "_counters": counters}
    return firsts


def lock_partner(session: Session, partner_id: int) -> None:
    """Take the partner's row lock (a no-op write: PostgreSQL locks the row, SQLite the database),
    as every writer of its control numbers and batches does first, so they queue in one order."""
    session.execute(update(Partner).where(Partner.id == partner_id).values(active=Partner.active))


# --- an admin user's sign-in secrets (the admin capability decides them; partners keeps the row) --

def set_enrolment(user: User, token_hash: str, expires_at: datetime) -> None:
    """A new enrolment link for the user (any earlier one stops working)."""
    user.enrolment_token_hash, user.enrolment_expires_at = token_hash, expires_at


def enrol(user: User, *, password_hash: str, totp_secret: str, recovery_codes: list[str], at: datetime
          ) -> None:
    """The user's password, TOTP secret (as stored) and hashed recovery codes; the link is spent."""
    user.password_hash = password_hash
    user.totp_secret, user.totp_last_step = totp_secret, None
    user.recovery_codes = recovery_codes
    user.enrolment_token_hash = user.enrolment_expires_at = None
    user.enrolled_at = at


def spend_totp_step(session: Session, user_id: int, step: int) -> bool:
    """Record a TOTP step as used; False when it (or a later one) was used already. Conditional, so
    two requests racing with the same code cannot both pass."""
    done = session.execute(update(User).where(
        User.id == user_id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def spend_recovery_code(user: User, hashed: str) -> None:
    """A recovery code (as stored) is used: it is gone."""
    user.recovery_codes = [h for h in (user.recovery_codes or []) if h != hashed]
