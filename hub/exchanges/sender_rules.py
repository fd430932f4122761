"""The document's sender is the partner who posted it: roles, sending party, payee account.

- role: only a supplier sends invoices, credit notes, despatch advices and order responses; only a
  buyer sends orders and remittance advices (`ROLE_NOT_ALLOWED`);
- sending party (the seller, the buyer, the payer: hub.domain.senders): an identifier of it that is
  registered for another partner rejects the document (`SENDER_MISMATCH`), unless the poster's
  profile lists it in `posts_for`; one known for no partner is accepted with a warning
  (`SENDER_PARTY_UNKNOWN`), a party with no identifier on the strength of the envelope; the
  profile's `require_known_sender` makes both errors;
- payee account: an invoice asking to be paid to a bank account the supplier has not registered
  (`bank_accounts`) is flagged (`PAYEE_ACCOUNT_CHANGED`) and, with `hold_on_payee_change`, held.
Every finding names the message and the XPath or the segment and element, and the value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hub.domain.errors import Problem
from hub.domain.identifiers import Key, same_party
from hub.domain.records import DocumentRecord
from hub.domain.senders import (
    DOCUMENT_NAMES,
    SENDING_PARTY,
    SENDING_ROLE,
    SenderId,
    describe,
    location,
    normalise_account,
)
from hub.partners import domain as profiles
from hub.partners import service as partners
from hub.partners.domain import SenderPolicy
from hub.partners.models import Partner

HELD_PAYEE = "payee_account_changed"  # the reason a document is held, in its flags


@dataclass
class SenderFindings:
    """What the sender rules found in one batch of documents (indexes into the batch)."""

    errors: dict[int, list[Problem]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    flags: dict[int, dict[str, Any]] = field(default_factory=dict)  # stored on the document


def check(session: Session, poster: Partner, docs: list[DocumentRecord]) -> SenderFindings:
    """Role, sending party and payee account of each document posted by `poster`."""
    policy = profiles.sender_policy(poster.profile)
    found = SenderFindings()
    ids = [doc.sender_ids() for doc in docs]
    holders = partners.owners(session, {(i.family, i.value): i.raw for d in ids for i in d})
    for index, (doc, senders) in enumerate(zip(docs, ids, strict=True)):
        errors = list(_role(poster, doc))
        errors += _sending_party(found, poster, policy, doc, senders, holders)
        if errors:
            found.errors[index] = errors
        elif doc.payee_accounts:
            supplier = _supplier(session, poster, senders, holders)
            _payee(found, index, doc, supplier)
    return found


def _role(poster: Partner, doc: DocumentRecord) -> Iterable[Problem]:
    needed = SENDING_ROLE.get(doc.doc_type)
    if needed is not None and needed not in (poster.roles or []):
        roles = ", ".join(poster.roles or []) or "none"
        root = _ubl_root(doc)
        yield Problem(code="ROLE_NOT_ALLOWED", message_ref=doc.message_ref,
                      segment_tag=None if root else "UNH",
                      element=f"/{root}" if root else "S009/0065",
                      message=f"{_name(doc)} is sent by a partner with the "
                              f"{needed} role; {poster.name} has: {roles}")


def _sending_party(found: SenderFindings, poster: Partner, policy: SenderPolicy,
                   doc: DocumentRecord, senders: list[SenderId],
                   holders: dict[Key, set[int]]) -> list[Problem]:
    root = _ubl_root(doc)
    if not senders:
        if not policy.require_known_sender or doc.doc_type not in SENDING_PARTY:
            return []
        return [Problem(code="SENDER_PARTY_UNKNOWN", message_ref=doc.message_ref,
                        message=f"{_name(doc)} that names no sending party "
                                "identifier (GLN, DUNS, VAT, CNPJ, CPF) is refused: the profile "
                                "requires a known sender (require_known_sender)")]
    errors, known, unknown = [], False, []
    for ident in senders:
        owners = holders.get((ident.family, ident.value), set())
        if poster.id in owners or _posts_for(policy, ident):
            known = True
        elif owners:
            errors.append(_problem("SENDER_MISMATCH", doc, ident, root,
                                   f"{describe(ident, root)} is registered for another partner of "
                                   f"the hub, not for {poster.name}, who posted it"))
        else:
            unknown.append(ident)
    if errors or known:
        return errors
    first = unknown[0]
    text = (f"{describe(first, root)} is known for no partner of the hub; register it for "
            f"{poster.name} with `flask hub partner-id-add {poster.id} "
            f"{first.family}:{first.value}`")
    problem = _problem("SENDER_PARTY_UNKNOWN", doc, first, root, text)
    if policy.require_known_sender:
        return [problem]
    problem.severity = "warning"
    found.warnings.append(problem)
    return []


def _posts_for(policy: SenderPolicy, ident: SenderId) -> bool:
    return any(same_party(allowed, (ident.family, ident.value)) for allowed in policy.posts_for)


def _supplier(session: Session, poster: Partner, senders: list[SenderId],
              holders: dict[Key, set[int]]) -> Partner:
    """Whose registered accounts apply: the seller's partner when the poster sends for it
    (posts_for), else the poster."""
    for ident in senders:
        others = holders.get((ident.family, ident.value), set()) - {poster.id}
        if others and poster.id not in holders.get((ident.family, ident.value), set()):
            partner = session.get(Partner, min(others))
            if partner is not None:
                return partner
    return poster


def _payee(found: SenderFindings, index: int, doc: DocumentRecord, supplier: Partner) -> None:
    policy = profiles.sender_policy(supplier.profile)
    if policy.bank_accounts is None and not policy.hold_on_payee_change:
        return  # nothing registered to compare with, and nothing to hold
    registered = policy.bank_accounts or frozenset()
    changed = [a for a in doc.payee_accounts if normalise_account(a) not in registered]
    if not changed:
        return
    root = _ubl_root(doc)
    tag, element = ("", f"/{root}/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") if root \
        else ("FII", "C078/3194")
    held = " and is held until an operator releases it" if policy.hold_on_payee_change else ""
    found.warnings.append(Problem(
        code="PAYEE_ACCOUNT_CHANGED", message_ref=doc.message_ref, segment_tag=tag or None,
        element=element, severity="warning",
        message=f"invoice {doc.number} asks to be paid to "
                f"{', '.join(changed)}, not an account registered for {supplier.name}{held}"))
    flag: dict[str, Any] = {"payee_account_changed": {"accounts": changed}}
    if policy.hold_on_payee_change:
        flag["held"] = HELD_PAYEE
    found.flags[index] = flag


def _problem(code: str, doc: DocumentRecord, ident: SenderId, root: str | None, text: str
             ) -> Problem:
    tag, element = location(ident, root)
    return Problem(code=code, message_ref=doc.message_ref, segment_tag=tag or None,
                   element=element, message=text)


def _name(doc: DocumentRecord) -> str:
    return DOCUMENT_NAMES.get(doc.doc_type, f"a {doc.doc_type.replace('_', ' ')}")


def _ubl_root(doc: DocumentRecord) -> str | None:
    """The UBL root element (Invoice, Order, ...) of a document read from UBL, else None."""
    kind = doc.message_type or ""
    return kind if kind and ":" not in kind else None
