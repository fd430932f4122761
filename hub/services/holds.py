"""Documents held for confirmation: an invoice to a payee account its supplier never registered
waits, neither routed to its recipient nor queued for the ERPs, until an operator releases it.

A held document is a document row with `held` set to the reason (`payee_account_changed`) and
`flags` saying what was found; releasing it clears `held`, records who released it in `flags`,
and then routes and queues it as it would have been on arrival, all audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.domain.errors import IllegalTransition, NotFound
from hub.domain.records import record_of
from hub.models import Document, Partner
from hub.services import documents, routing
from hub.services.audit import EventSpec, record_event, record_events


def flag(session: Session, partner_id: int, stored: list[documents.Stored],
         flags: Mapping[int, dict[str, Any]], recipient: Partner | None, *, actor: str) -> set[int]:
    """Store each document's flags (by position); the positions of those now held."""
    held: set[int] = set()
    events = []
    for item in stored:
        found = flags.get(item.position)
        if not found:
            continue
        values = dict(found)
        reason = values.pop("held", None)
        if reason and not item.test:
            held.add(item.position)
            values["recipient_id"] = recipient.id if recipient is not None else None
        session.execute(update(Document).where(Document.id == item.id)
                        .values(flags=values, held=reason if item.position in held else None)
                        .execution_options(synchronize_session=False))
        if item.position in held:
            events.append(EventSpec(actor, "document.held", "document", item.id, partner_id,
                                    {"reason": reason, **values}))
    record_events(session, events)
    return held


def release(session: Session, document_id: str, *, actor: str) -> Document:
    """Release a held document: route it to its recipient and queue it for the ERPs, audited."""
    row = session.scalars(select(Document).where(Document.id == document_id)
                          .with_for_update()).first()
    if row is None:
        raise NotFound(f"no document {document_id}")
    if row.held is None:
        raise IllegalTransition(f"document {document_id} is not held")
    reason, flags = row.held, dict(row.flags or {})
    flags["released"] = {"by": actor, "at": utcnow().isoformat(), "reason": reason}
    row.held, row.flags = None, flags
    record_event(session, actor=actor, action="document.released", object_type="document",
                 object_id=row.id, partner_id=row.partner_id, details={"reason": reason})
    source = session.get(Partner, row.partner_id)
    recipient_id = flags.get("recipient_id")
    recipient = session.get(Partner, recipient_id) if recipient_id is not None else None
    assert source is not None
    record = record_of(row.position, row.message_ref, row.message_type, documents.canonical(row))
    record_events(session, routing.route(session, source, recipient, [record],
                                         reply_to=row.exchange_id))
    documents.enqueue_stored(session, [documents.Stored(
        row.id, row.doc_type, row.number, row.message_ref, row.position)], actor=actor)
    return row
