"""Outbound batching: a partner whose profile sets `batch_window_seconds` or `batch_max_messages`
(EDIFACT only) gets the documents routed to it within the window, up to that many, as ONE
interchange of several messages instead of one interchange per document.

Each document is rendered and validated alone first (a faulty one becomes its own `invalid`
exchange, as without batching, and holds up no other); the ones that pass wait in the partner's open
batch (one per message type). A batch closes when it is full, when its window ends (the scheduled
job `close_due`), or, for a partner with a count but no window, when the file being processed has
been routed whole (`close_waiting`): its messages are put under
one UNB/UNZ with a fresh control reference, the whole interchange is validated again, and it becomes
one outbound exchange (`result.batch`), which the partner takes from its mailbox like any file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import rendering
from hub.audit.service import EventSpec, record_events
from hub.config import Settings
from hub.db import new_id, take_work_items, utcnow, work_items
from hub.domain.batching import BatchPolicy
from hub.exchanges import outbound
from hub.partners import domain as profiles
from hub.partners import service as partners
from hub.partners.models import Partner
from hub.routing.identity import identity_for
from hub.routing.models import BatchMessage, OutboundBatch
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Message
from mappings.edifact.serializer import render_interchange

OPEN, CLOSED = "open", "closed"
WAITING_FOR_END = "routing.batches_to_close"  # hub.db.work_items: batches to close when the work ends
ACTOR = "system:batcher"


@dataclass(frozen=True)
class Pending:
    """A document rendered and validated alone, waiting to join its partner's batch."""

    document_id: str | None
    doc_type: str
    number: str
    message_ref: str
    message_type: str  # as rendered, e.g. ORDERS:D96A
    rendered: bytes


def add(session: Session, recipient: Partner, policy: BatchPolicy, items: Sequence[Pending], *,
        actor: str, settings: Settings) -> list[EventSpec]:
    """Put the items into the partner's open batches (one per message type), closing each that
    fills up, and every one at once when the policy has no window; the audit events."""
    now = utcnow()
    events: list[EventSpec] = []
    types = list(dict.fromkeys(item.message_type for item in items))
    for message_type in types:
        batch = _open_batch(session, recipient.id, message_type)
        for item in (i for i in items if i.message_type == message_type):
            if batch is None:
                batch = _new_batch(session, recipient.id, message_type, policy.due_at(now), events)
            session.add(BatchMessage(batch_id=batch.id, document_id=item.document_id,
                                     doc_type=item.doc_type, number=item.number,
                                     message_ref=item.message_ref, rendered=item.rendered,
                                     created_at=now))
            batch.messages += 1
            if batch.messages >= policy.max_messages:
                events += close(session, batch, actor=actor, settings=settings)
                batch = None
        if batch is not None and policy.window_seconds == 0:
            work_items(session, WAITING_FOR_END).add(batch.id)
    return events


def close_waiting(session: Session, *, settings: Settings, actor: str = ACTOR) -> None:
    """Close the batches of partners without a window that this unit of work filled (an
    interchange is routed a few hundred messages at a time: its remainder goes at its end)."""
    ids = take_work_items(session, WAITING_FOR_END)
    if not ids:
        return
    for batch in session.scalars(select(OutboundBatch).where(
            OutboundBatch.id.in_(sorted(ids)), OutboundBatch.state == OPEN)):
        record_events(session, close(session, batch, actor=actor, settings=settings))


def _open_batch(session: Session, partner_id: int, message_type: str) -> OutboundBatch | None:
    return session.scalars(select(OutboundBatch).where(
        OutboundBatch.partner_id == partner_id, OutboundBatch.message_type == message_type,
        OutboundBatch.state == OPEN).order_by(OutboundBatch.opened_at)).first()


def _new_batch(session: Session, partner_id: int, message_type: str, due_at: datetime,
               events: list[EventSpec]) -> OutboundBatch:
    batch = OutboundBatch(id=new_id(), partner_id=partner_id, message_type=message_type,
                          state=OPEN, messages=0, opened_at=utcnow(), due_at=due_at)
    session.add(batch)
    session.flush()  # its messages point at it
    events.append(EventSpec(ACTOR, "batch.opened", "batch", batch.id, partner_id,
                            {"message_type": message_type, "due_at": due_at.isoformat()}))
    return batch


def close(session: Session, batch: OutboundBatch, *, actor: str, settings: Settings
          ) -> list[EventSpec]:
    """Send the batch's messages as one interchange: one outbound exchange, validated whole.

    The partner's row lock comes first (routing to the partner holds it while it adds messages),
    then the batch is read again: nothing joins it while it closes, and a batch another process
    closed meanwhile is left alone."""
    session.flush()
    partners.lock_partner(session, batch.partner_id)
    session.refresh(batch)
    if batch.state != OPEN:
        return []
    rows = session.scalars(select(BatchMessage).where(BatchMessage.batch_id == batch.id)
                           .order_by(BatchMessage.id)).all()
    recipient = session.get(Partner, batch.partner_id)
    assert recipient is not None
    profile = profiles.build(recipient.profile)
    identity = identity_for(settings, recipient)
    (first,) = outbound.next_control_numbers(session, recipient, ("interchange",))
    control_ref = f"H{first:08d}"
    data = render_interchange(rendering.envelope_for(profile, identity, control_ref),
                              [_message(row.rendered) for row in rows],
                              separators=rendering.separators_for(profile))
    exchange, created = outbound.add_outbound(
        session, recipient.id, doc_type=batch.message_type, syntax="edifact", raw=data,
        content_type="application/edifact", control_ref=control_ref, sender=settings.hub_edi_id,
        recipient=identity.recipient, reply_to=None, actor=actor,
        contrl_requested=profile.request_contrl)
    exchange.result = {**(exchange.result or {}),
                       "batch": {"id": batch.id, "messages": len(rows)}}
    batch.state, batch.closed_at, batch.exchange_id = CLOSED, utcnow(), exchange.id
    return [created, EventSpec(actor, "batch.closed", "batch", batch.id, recipient.id, {
        "exchange_id": exchange.id, "control_ref": control_ref, "messages": len(rows),
        "state": exchange.state})]


def _message(rendered: bytes) -> Message:
    """The one message of an interchange the hub rendered itself."""
    interchange = parse_interchange(rendered)
    return interchange.messages[0]


def close_due(session: Session, now: datetime, *, settings: Settings, actor: str = ACTOR
              ) -> list[dict[str, Any]]:
    """Close every open batch whose window has ended; what was closed. The caller commits."""
    due = session.scalars(select(OutboundBatch).where(
        OutboundBatch.state == OPEN, OutboundBatch.due_at <= now)
        .order_by(OutboundBatch.due_at)).all()
    closed = []
    for batch in due:
        events = close(session, batch, actor=actor, settings=settings)
        if events:
            record_events(session, events)
            closed.append({"batch_id": batch.id, "exchange_id": batch.exchange_id,
                           "messages": batch.messages})
    return closed


def any_due(session: Session, now: datetime) -> bool:
    """Whether a batch waits to be closed (a cheap look before a run claims its slot)."""
    return session.scalar(select(OutboundBatch.id).where(
        OutboundBatch.state == OPEN, OutboundBatch.due_at <= now).limit(1)) is not None


def batch_json(batch: OutboundBatch, messages: Sequence[BatchMessage] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": batch.id, "partner_id": batch.partner_id, "message_type": batch.message_type,
        "state": batch.state, "messages": batch.messages, "opened_at": batch.opened_at.isoformat(),
        "due_at": batch.due_at.isoformat(),
        "closed_at": batch.closed_at.isoformat() if batch.closed_at else None,
        "exchange_id": batch.exchange_id,
        "links": {"exchange": f"/api/v1/exchanges/{batch.exchange_id}"} if batch.exchange_id else {}}
    if messages:
        out["items"] = [{"document_id": m.document_id, "type": m.doc_type, "number": m.number,
                         "message_ref": m.message_ref} for m in messages]
    return out
