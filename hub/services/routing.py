"""Routing: a document addressed to another partner of the hub goes out in that partner's syntax.

An order that arrives as EDIFACT from a buyer is delivered as UBL to a supplier whose profile says
UBL, and the other way round. What cannot be rendered (an invoice failing EN 16931, say) is still
recorded as an outbound exchange, `dead` with its errors, so nobody wonders where it went.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import codec
from hub.domain.documents import Document as CanonicalDocument
from hub.domain.documents import PartyRole
from hub.domain.errors import HubError
from hub.domain.records import DocumentRecord
from hub.domain.states import Direction, ExchangeState, check_transition
from hub.models import Partner, PartnerIdentifier
from hub.services import outbound, partners, profiles, rendering
from hub.services.audit import EventSpec

ACTOR = "system:router"

# Who receives a document of each type, when the document itself has to say so (UBL).
RECEIVER_ROLE = {"purchase_order": PartyRole.supplier, "order_response": PartyRole.buyer,
                 "despatch_advice": PartyRole.buyer, "invoice": PartyRole.buyer,
                 "remittance_advice": PartyRole.supplier}


def find_partner(session: Session, value: str, qualifier: str | None = None) -> Partner | None:
    """The partner known by an identifier (any scheme), preferring an exact qualifier match."""
    rows = session.scalars(select(PartnerIdentifier).where(PartnerIdentifier.value == value)).all()
    exact = [r for r in rows if qualifier and r.qualifier == qualifier]
    chosen = exact or rows
    return chosen[0].partner if chosen else None


def receiver_of(session: Session, doc: CanonicalDocument) -> Partner | None:
    """The hub partner a document is addressed to, found from its receiving party's identifiers."""
    party = doc.party(RECEIVER_ROLE.get(doc.doc_type, PartyRole.other))
    if party is None:
        return None
    ids = ([party.endpoint] if party.endpoint else []) + party.ids + party.tax_ids
    for ident in ids:
        found = partners.find_by_identifier(session, ident)
        if found is not None:
            return found
    return None


def identity_for(settings: Any, partner: Partner) -> rendering.Identity:
    """UNB parties of what the hub sends a partner: the hub's own id, the partner's EDI id."""
    edi = next((i for i in partner.identifiers if i.scheme == "edi"), None)
    return rendering.Identity(settings.hub_edi_id, settings.hub_edi_qualifier,
                              edi.value if edi else partner.name,
                              (edi.qualifier or None) if edi else None)


def route(session: Session, source: Partner, recipient: Partner | None,
          records: list[DocumentRecord], *, reply_to: str) -> list[EventSpec]:
    """Queue the documents for `recipient` in its preferred syntax (nothing when there is no other
    partner).

    The recipient's profile and identity are read once, and its control numbers reserved as one
    block: a big interchange does not take the partner's row lock once per document.
    """
    if recipient is None or recipient.id == source.id or not records:
        return []
    docs = [record.document() for record in records]
    profile = profiles.build(recipient.profile)
    settings = session.info["settings"]
    identity = identity_for(settings, recipient)
    first, first_message = outbound.next_control_numbers(
        session, recipient, ("interchange", "message"), count=len(docs))
    events: list[EventSpec] = []
    for offset, doc in enumerate(docs):
        control_ref = f"H{first + offset:08d}"
        message_ref = str(first_message + offset)
        try:
            out = rendering.render(doc, recipient.syntax, profile=profile, identity=identity,
                                   control_ref=control_ref, message_ref=message_ref)
        except HubError as exc:
            events += _record_unrenderable(session, recipient, doc, exc, reply_to, control_ref)
            continue
        _, event = outbound.add_outbound(
            session, recipient.id, doc_type=out.message_type, syntax=recipient.syntax,
            raw=out.data, content_type=out.content_type, control_ref=control_ref,
            sender=settings.hub_edi_id, recipient=identity.recipient, reply_to=reply_to,
            actor=ACTOR, document={"type": doc.doc_type, "number": doc.number,
                                   **({"message_ref": message_ref} if recipient.syntax == "edifact"
                                      else {})},
            contrl_requested=recipient.syntax == "edifact" and profile.request_contrl)
        events.append(event)
    return events


def _record_unrenderable(session: Session, recipient: Partner, doc: CanonicalDocument,
                         exc: HubError, reply_to: str, control_ref: str) -> list[EventSpec]:
    # what could not be rendered is kept as canonical JSON under its own control reference
    # (unique bytes: the same document may fail for the same partner more than once)
    raw = json.dumps({"control_ref": control_ref, "document": codec.to_dict(doc)},
                     sort_keys=True).encode()
    exchange, event = outbound.add_outbound(
        session, recipient.id, doc_type=doc.doc_type, syntax=recipient.syntax, raw=raw,
        content_type="application/json", control_ref=control_ref, sender=None, recipient=None,
        reply_to=reply_to, actor=ACTOR)
    check_transition(Direction.outbound, ExchangeState.pending, ExchangeState.dead)
    exchange.state = ExchangeState.dead.value  # created and given up in one step: never sent
    exchange.error = exc.as_dict()
    dead = EventSpec(ACTOR, "exchange.state_changed", "exchange", exchange.id, recipient.id,
                     {"from": "pending", "to": "dead", "code": exc.code, "message": exc.message})
    return [event, dead]

