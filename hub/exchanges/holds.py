"""Documents held for confirmation: an invoice to a payee account its supplier never registered
waits, neither routed to its recipient nor queued for the ERPs, until an operator releases it.

A held document is a document row with `held` set to the reason (`payee_account_changed`) and
`flags` saying what was found; releasing it clears `held`, records who released it in `flags`,
and then routes it as the routing rules say now, all audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_event, record_events
from hub.config import Settings
from hub.db import utcnow
from hub.domain.errors import IllegalTransition, NotFound
from hub.exchanges import documents
from hub.partners.models import Partner
from hub.records.models import Document
from hub.routing import service as routing


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


def release(session: Session, document_id: str, *, actor: str, settings: Settings) -> Document:
    """Release a held document: route it as the routing rules say now, audited. One held
    `no_route` is refused while still no rule matches it; one held for another reason that no rule
    takes is held `no_route` instead."""
    row = session.scalars(select(Document).where(Document.id == document_id)
                          .with_for_update()).first()
    if row is None:
        raise NotFound(f"no document {document_id}")
    if row.held is None:
        raise IllegalTransition(f"document {document_id} is not held")
    decision = routing.route_released(session, row)
    reason, flags = row.held, dict(row.flags or {})
    flags["released"] = {"by": actor, "at": utcnow().isoformat(), "reason": reason}
    row.held, row.flags = None, flags
    record_event(session, actor=actor, action="document.released", object_type="document",
                 object_id=row.id, partner_id=row.partner_id, details={"reason": reason})
    if decision.held:
        routing.hold(row, flags.get("recipient_id"))
        record_event(session, actor=actor, action="document.held", object_type="document",
                     object_id=row.id, partner_id=row.partner_id,
                     details={"reason": row.held, "recipient_id": flags.get("recipient_id")})
        return row
    routing.carry_out_released(session, row, decision, actor=actor, settings=settings)
    return row
