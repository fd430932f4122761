"""Rendering canonical documents in a partner's syntax: EDIFACT interchanges or UBL 2.1."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.domain.documents import Document, Invoice
from hub.domain.errors import ValidationError
from mappings.edifact import registry
from mappings.edifact.model import Message, Separators
from mappings.edifact.profile import PartnerProfile
from mappings.edifact.serializer import Envelope, render_interchange
from mappings.ubl import render_invoice_checked, render_ubl, render_ubl_unchecked

MESSAGE_TYPES = {"purchase_order": "ORDERS", "order_response": "ORDRSP",
                 "despatch_advice": "DESADV", "invoice": "INVOIC", "remittance_advice": "REMADV",
                 "catalogue": "PRICAT", "inventory_report": "INVRPT",
                 "order_change": "ORDCHG", "order_cancellation": "ORDCHG"}
UBL_NAMES = {"purchase_order": "Order", "order_response": "OrderResponse",
             "despatch_advice": "DespatchAdvice", "invoice": "Invoice", "order_change": "OrderChange",
             "order_cancellation": "OrderCancellation", "catalogue": "Catalogue",
             "inventory_report": "InventoryReport", "remittance_advice": "RemittanceAdvice"}
UBL_TYPES = set(UBL_NAMES)
SYNTAXES = ("edifact", "ubl")


@dataclass(frozen=True)
class Identity:
    """Who is named in UNB: the sender (usually the hub) and the recipient partner."""

    sender: str
    sender_qualifier: str | None
    recipient: str
    recipient_qualifier: str | None


@dataclass(frozen=True)
class Rendered:
    data: bytes
    content_type: str
    message_type: str


def render(doc: Document, syntax: str, *, profile: PartnerProfile, identity: Identity,
           control_ref: str, message_ref: str = "1", check: bool = True) -> Rendered:
    """The document in `syntax`; with `check`, UBL must be schema-valid (and invoices pass the
    EN 16931 rules) to be rendered; without, what is sent is checked by `outbound`'s validation.
    `control_ref` and `message_ref` are the EDIFACT interchange's UNB 0020 and message's UNH 0062."""
    if syntax == "edifact":
        return _edifact(doc, profile, identity, control_ref, message_ref)
    if syntax == "ubl":
        if doc.doc_type not in UBL_TYPES:
            raise ValidationError(f"a {doc.doc_type} has no UBL rendering")
        if not check:
            data, name = render_ubl_unchecked(doc)
            return Rendered(data, "application/xml", name)
        data = render_invoice_checked(doc) if isinstance(doc, Invoice) else render_ubl(doc)
        name = "CreditNote" if isinstance(doc, Invoice) and doc.is_credit_note else \
            UBL_NAMES[doc.doc_type]
        return Rendered(data, "application/xml", name)
    raise ValidationError(f"syntax must be one of {', '.join(SYNTAXES)}, got {syntax!r}")


def _edifact(doc: Document, profile: PartnerProfile, identity: Identity, control_ref: str,
             message_ref: str) -> Rendered:
    mtype = MESSAGE_TYPES.get(doc.doc_type)
    if mtype is None:
        raise ValidationError(f"a {doc.doc_type} has no EDIFACT rendering")
    directory = profile.directory or "D96A"
    mapping = registry.lookup(mtype, directory, registry.OUTBOUND, profile.partner_id)
    body = mapping.render(doc, profile)
    message = Message(reference=message_ref, type=mtype, version=directory[0], release=directory[1:],
                      agency="UN", association=profile.association, segments=body)
    data = render_interchange(envelope_for(profile, identity, control_ref), [message],
                              separators=separators_for(profile))
    return Rendered(data, "application/edifact", f"{mtype}:{directory}")


def envelope_for(profile: PartnerProfile, identity: Identity, control_ref: str) -> Envelope:
    """The UNB of what the hub sends a partner: its identity, syntax and CONTRL request."""
    return Envelope(sender=identity.sender, sender_qualifier=identity.sender_qualifier,
                    recipient=identity.recipient, recipient_qualifier=identity.recipient_qualifier,
                    control_ref=control_ref, syntax_id=profile.syntax_id,
                    ack_requested=profile.request_contrl)


def separators_for(profile: PartnerProfile) -> Separators | None:
    """The partner's separators when its decimal mark is not the default one."""
    return Separators(decimal=profile.decimal_mark) if profile.decimal_mark != "." else None


def preview_control_ref(document_id: str) -> str:
    """A stable control reference for a preview: a GET must not consume control numbers."""
    return ("P" + re.sub(r"[^A-Za-z0-9]", "", document_id))[:14].upper()
