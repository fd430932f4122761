"""Routing: a document addressed to another partner of the hub goes out in that partner's syntax.

An order that arrives as EDIFACT from a buyer is delivered as UBL to a supplier whose profile says
UBL, and the other way round. What cannot be rendered, or fails the outbound checks (an invoice
breaking EN 16931, say), is still recorded as an outbound exchange, `invalid` with its findings, so
nobody wonders where it went; it keeps the canonical document (as JSON, never sent) so that
`reprocess` renders it again after a profile or code-list fix.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import rendering
from hub.audit.service import EventSpec, record_event
from hub.config import Settings
from hub.domain import codec
from hub.domain.batching import BatchPolicy, batch_policy
from hub.domain.documents import Document as CanonicalDocument
from hub.domain.documents import PartyRole
from hub.domain.errors import HubError, Problem
from hub.domain.records import DocumentRecord
from hub.domain.states import ExchangeState
from hub.domain.validation import Validation
from hub.exchanges import outbound
from hub.exchanges.lifecycle import transition
from hub.partners import domain as profiles
from hub.partners import service as partners
from hub.partners.models import Partner, PartnerIdentifier
from hub.records.models import Exchange
from hub.routing import batching
from hub.routing.identity import identity_for
from mappings.edifact.profile import PartnerProfile

ACTOR = "system:router"

# Who receives a document of each type, when the document itself has to say so (UBL).
RECEIVER_ROLE = {"purchase_order": PartyRole.supplier, "order_response": PartyRole.buyer,
                 "despatch_advice": PartyRole.buyer, "invoice": PartyRole.buyer,
                 "remittance_advice": PartyRole.supplier, "order_change": PartyRole.supplier,
                 "order_cancellation": PartyRole.supplier}


def find_partner(session: Session, value: str, qualifier: str | None = None) -> Partner | None:
    """The partner known by an identifier (any scheme), preferring an exact qualifier match."""
    if "\x00" in value:  # no identifier holds a NUL, and PostgreSQL refuses one in a text parameter
        return None
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


def route(session: Session, source: Partner, recipient: Partner | None,
          records: Sequence[DocumentRecord], *, reply_to: str, settings: Settings,
          document_ids: Sequence[str | None] | None = None) -> list[EventSpec]:
    """Queue the documents for `recipient` in its preferred syntax (nothing when there is no other
    partner); `document_ids` (in the order of `records`) name the stored documents a batch holds.

    The recipient's profile and identity are read once, and its control numbers reserved as one
    block: a big interchange does not take the partner's row lock once per document. A partner
    that batches (EDIFACT, `batch_window_seconds` / `batch_max_messages`) gets the documents that
    pass their checks as messages of one interchange (see `batching`).
    """
    if recipient is None or recipient.id == source.id or not records:
        return []
    docs = [record.document() for record in records]
    profile = profiles.build(recipient.profile)
    identity = identity_for(settings, recipient)
    policy = batch_policy(recipient.profile)
    if recipient.syntax == "edifact" and policy.on:
        ids: list[str | None] = list(document_ids or [None] * len(docs))
        return _batch(session, recipient, docs, ids, profile, identity, policy, reply_to, settings)
    first, first_message = outbound.next_control_numbers(
        session, recipient, ("interchange", "message"), count=len(docs))
    events: list[EventSpec] = []
    for offset, doc in enumerate(docs):
        control_ref = f"H{first + offset:08d}"
        message_ref = str(first_message + offset)
        events.append(_queue(session, recipient, doc, profile, identity, control_ref, message_ref,
                             reply_to, settings.hub_edi_id))
    return events


def _batch(session: Session, recipient: Partner, docs: list[CanonicalDocument],
           ids: list[str | None], profile: PartnerProfile, identity: rendering.Identity,
           policy: BatchPolicy, reply_to: str, settings: Settings) -> list[EventSpec]:
    """Render and check each document alone; those that pass join the partner's batch, the others
    become `invalid` exchanges of their own (under a control reference of their own)."""
    (first_message,) = outbound.next_control_numbers(session, recipient, ("message",),
                                                     count=len(docs))
    waiting: list[batching.Pending] = []
    events: list[EventSpec] = []
    for offset, (doc, doc_id) in enumerate(zip(docs, ids, strict=True)):
        message_ref = str(first_message + offset)
        try:
            out = rendering.render(doc, "edifact", profile=profile, identity=identity,
                                   control_ref="BATCH", message_ref=message_ref, check=False)
        except HubError:
            out = None
        if out is not None and not outbound.validate_outbound(out.data, "edifact").fatal:
            waiting.append(batching.Pending(doc_id, doc.doc_type, doc.number, message_ref,
                                            out.message_type, out.data))
            continue
        (control,) = outbound.next_control_numbers(session, recipient, ("interchange",))
        events.append(_queue(session, recipient, doc, profile, identity, f"H{control:08d}",
                             message_ref, reply_to, settings.hub_edi_id))
    return events + batching.add(session, recipient, policy, waiting, actor=ACTOR, settings=settings)


def _queue(session: Session, recipient: Partner, doc: CanonicalDocument,
           profile: PartnerProfile, identity: rendering.Identity, control_ref: str,
           message_ref: str, reply_to: str, hub_edi_id: str) -> EventSpec:
    """Render one document for `recipient` and add it as an outbound exchange (validated there)."""
    edifact = recipient.syntax == "edifact"
    carried = {"type": doc.doc_type, "number": doc.number,
               **({"message_ref": message_ref} if edifact else {})}
    try:
        out = rendering.render(doc, recipient.syntax, profile=profile, identity=identity,
                               control_ref=control_ref, message_ref=message_ref, check=False)
    except HubError as exc:
        failed = Validation()
        failed.add("rendering", exc.problems or [Problem(code=exc.code, message=exc.message)])
        _, event = outbound.add_outbound(
            session, recipient.id, doc_type=doc.doc_type, syntax=recipient.syntax,
            raw=kept_for_rendering(doc, control_ref, None), content_type="application/json",
            control_ref=control_ref, sender=None, recipient=None, reply_to=reply_to, actor=ACTOR,
            document=carried, validation=failed)
        return event
    checked = outbound.validate_outbound(out.data, recipient.syntax)
    fails = bool(checked.fatal)
    _, event = outbound.add_outbound(
        session, recipient.id, doc_type=out.message_type, syntax=recipient.syntax,
        raw=kept_for_rendering(doc, control_ref, out.data) if fails else out.data,
        content_type="application/json" if fails else out.content_type, control_ref=control_ref,
        sender=hub_edi_id, recipient=identity.recipient, reply_to=reply_to, actor=ACTOR,
        document=carried, contrl_requested=edifact and profile.request_contrl, validation=checked)
    return event


def kept_for_rendering(doc: CanonicalDocument, control_ref: str, rendered: bytes | None) -> bytes:
    """What an invalid routed exchange keeps instead of a file to send: the canonical document to
    render again and, for reading, what its rendering gave (its own control reference makes the
    bytes unique: one document may fail for one partner more than once)."""
    return json.dumps({"control_ref": control_ref, "document": codec.to_dict(doc),
                       "rendered": rendered.decode("utf-8", "replace") if rendered else None},
                      sort_keys=True).encode()


def render_again(session: Session, exchange: Exchange, *, actor: str, settings: Settings
                 ) -> ExchangeState:
    """Render an `invalid` outbound exchange again (after a profile or code-list fix) from the
    canonical document it keeps, in the recipient's current syntax and profile, under the same
    control reference (it was never sent), and validate it again: `pending` when it now passes,
    else still `invalid` with the new findings. An acknowledgement keeps no canonical document:
    its bytes are validated again (they pass once the hub's rules or code lists are fixed)."""
    recipient = session.get(Partner, exchange.partner_id)
    assert recipient is not None
    kept = _kept_document(exchange)
    if kept is None:
        checked = outbound.validate_outbound(exchange.raw, exchange.syntax)
        if exchange.syntax == "ubl":  # now sendable: in the partner's envelope, if it wants one
            _store(exchange, outbound.enveloped(session, recipient.id, exchange.raw, checked),
                   exchange.content_type or "application/xml")
    else:
        checked = _render_kept(session, exchange, recipient, codec.from_dict(kept), settings)
    target = outbound.record_validation(exchange, checked)
    details = {"validation": checked.summary(), "rules_broken": sorted({p.code for p in checked.fatal})}
    if target is ExchangeState.pending:
        transition(session, exchange, target, actor=actor, details=details)
    else:
        record_event(session, actor=actor, action="exchange.revalidated", object_type="exchange",
                     object_id=exchange.id, partner_id=exchange.partner_id, details=details)
    return target


def _kept_document(exchange: Exchange) -> dict[str, Any] | None:
    if exchange.content_type != "application/json":
        return None
    kept = json.loads(exchange.raw)
    document: dict[str, Any] | None = kept.get("document") if isinstance(kept, dict) else None
    return document


def _render_kept(session: Session, exchange: Exchange, recipient: Partner,
                 doc: CanonicalDocument, settings: Settings) -> Validation:
    """Render `doc` for the recipient into `exchange` (the file, or what to keep when it fails)."""
    control_ref = exchange.control_ref or ""
    carried = dict((exchange.result or {}).get("document") or {})
    syntax = recipient.syntax
    if syntax == "edifact" and "message_ref" not in carried:
        carried["message_ref"] = str(outbound.next_control_numbers(session, recipient, ("message",))[0])
    elif syntax != "edifact":
        carried.pop("message_ref", None)
    identity = identity_for(settings, recipient)
    profile = profiles.build(recipient.profile)
    exchange.result = {**(exchange.result or {}), "document": carried}
    exchange.syntax = syntax
    try:
        out = rendering.render(doc, syntax, profile=profile, identity=identity,
                               control_ref=control_ref, message_ref=carried.get("message_ref", "1"),
                               check=False)
    except HubError as exc:
        failed = Validation()
        failed.add("rendering", exc.problems or [Problem(code=exc.code, message=exc.message)])
        _store(exchange, kept_for_rendering(doc, control_ref, None), "application/json")
        return failed
    checked = outbound.validate_outbound(out.data, syntax)
    data = outbound.enveloped(session, recipient.id, out.data, checked) if syntax == "ubl" else out.data
    exchange.doc_type = out.message_type
    exchange.sender = settings.hub_edi_id
    exchange.recipient = identity.recipient
    if checked.fatal:
        _store(exchange, kept_for_rendering(doc, control_ref, out.data), "application/json")
    else:
        _store(exchange, data, out.content_type)
    return checked


def _store(exchange: Exchange, raw: bytes, content_type: str) -> None:
    exchange.raw = raw
    exchange.sha256 = hashlib.sha256(raw).hexdigest()
    exchange.size = len(raw)
    exchange.content_type = content_type
