"""The transactional outbox: queue a document for every ERP that wants it, in the caller's transaction.

Push connectors get an `OutboundDelivery` row (states: `DeliveryState` of `hub.domain.states`),
polling ERPs an `OutboxEntry` they fetch and acknowledge. Nothing here commits:
the caller's transaction persists the document and its queue rows together, or neither.

Why a `deliveries` table rather than outbound `Exchange` rows: an exchange is one file to or from a
trading partner (partner id required, deduplicated per partner by SHA-256, listed to that partner by
the API); a delivery is one document to one ERP, and the same document to two ERPs is two deliveries.
Each has its own state table; the audit rule is shared: every delivery change goes through
`check_delivery_transition` and writes an audit event in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import access
from hub.audit.service import EventSpec, record_event, record_events
from hub.bulk import insert_values, next_ids, stored_now
from hub.config import Settings
from hub.db import new_ids, utcnow
from hub.domain.errors import IllegalTransition, NotFound
from hub.domain.principals import Principal
from hub.domain.states import (
    DUE_DELIVERY_STATES,
    DeliveryState,
    check_delivery_transition,
)
from hub.erp.connectors import POLL_KEY, handles
from hub.erp.models import ErpConnector, OutboundDelivery, OutboxEntry
from hub.erp.outbox_rendering import render_missing
from hub.records.models import Document

S = DeliveryState


def enqueue_document(session: Session, document: Document, *, actor: str,
                     rendered: bytes | None = None, content_type: str | None = None
                     ) -> list[OutboundDelivery | OutboxEntry]:
    """Queue `document` for every active connector that carries its type; flushes, never commits."""
    return enqueue_documents(session, [document], actor=actor, rendered=rendered,
                             content_type=content_type)


def enqueue_documents(session: Session, documents: Sequence[Document], *, actor: str,
                      rendered: bytes | None = None, content_type: str | None = None,
                      connector_ids: Collection[int] | None = None,
                      connectors: Sequence[ErpConnector] | None = None
                      ) -> list[OutboundDelivery | OutboxEntry]:
    """Queue many documents at once: one query for the connectors and one per connector for
    what is already queued, however many documents (an interchange brings thousands).
    `connector_ids` (a routing rule's targets) names the connectors, whatever their document
    types; `connectors` (a caller's own decision, such as invoicing's ERP targets) names them too,
    each taking the types it carries; without either every active connector carrying the type
    gets them."""
    if not documents:
        return []
    session.flush()  # the documents need their ids before rows can point at them
    if connectors is None:
        connectors = active_connectors(session)
        if connector_ids is not None:
            chosen = set(connector_ids)
            connectors = [c for c in connectors if c.id in chosen]
    new: list[tuple[OutboundDelivery | OutboxEntry, ErpConnector, Document]] = []
    for row in connectors:
        wanted = [d for d in documents if connector_ids is not None or handles(row, d.doc_type)]
        done = _already_queued(session, row, [d.id for d in wanted])
        new += [(_queue_one(row, d, rendered, content_type), row, d)
                for d in wanted if d.id not in done]
    session.add_all([item for item, _, _ in new])
    session.flush()  # ids for the audit events
    record_events(session, [_queued_event(item, row, d, actor) for item, row, d in new])
    return [item for item, _, _ in new]


class Rendered(NamedTuple):
    """A document written in this transaction, as `enqueue_rendered` queues it: its id, type,
    partner and the bytes the ERP gets."""

    document_id: str
    doc_type: str
    partner_id: int | None
    payload: bytes


def enqueue_rendered(session: Session, documents: Sequence[Rendered], *, connectors: Sequence[ErpConnector],
                     content_type: str, actor: str, batch: str,
                     details: Mapping[str, Any] | None = None) -> int:
    """Queue documents just written in this transaction (so none is queued yet) for each of
    `connectors` that carries their type, as `enqueue_documents` does, in bulk without ORM objects
    (a reconciliation run queues one per invoice it pays, tens of thousands): one INSERT (COPY on
    PostgreSQL) per connector, and one audit event per connector for the whole batch (action
    `outbox.batch_queued` or `delivery.batch_queued`, object `batch`, with the connector, the count,
    the document types and `details`) rather than one per row. Returns how many were queued."""
    now, pending = stored_now(session), S.pending.value
    events: list[EventSpec] = []
    queued = 0
    for row in connectors:
        carried = {t for t in {d.doc_type for d in documents} if handles(row, t)}
        wanted = [d for d in documents if d.doc_type in carried]
        if not wanted:
            continue
        if row.key == POLL_KEY:
            ids: list[Any] = next_ids(session, OutboxEntry, len(wanted))
            insert_values(session, OutboxEntry, ("id", "connector_id", "document_id", "payload",
                                                 "content_type", "fetch_count", "created_at"),
                          [(i, row.id, d.document_id, d.payload, content_type, 0, now)
                           for i, d in zip(ids, wanted, strict=True)])
            action, object_type = "outbox.batch_queued", "outbox_batch"
        else:
            ids = new_ids(len(wanted))
            insert_values(session, OutboundDelivery, (
                "id", "document_id", "connector_id", "partner_id", "state", "attempts", "next_attempt_at",
                "payload", "content_type", "created_at", "updated_at"), [
                (i, d.document_id, row.id, d.partner_id, pending, 0, now, d.payload, content_type,
                 now, now) for i, d in zip(ids, wanted, strict=True)])
            action, object_type = "delivery.batch_queued", "delivery_batch"
        events.append(EventSpec(actor, action, object_type, batch, None, {
            "connector": row.name, "count": len(wanted),
            "doc_types": sorted({d.doc_type for d in wanted}), **(details or {})}))
        queued += len(wanted)
    record_events(session, events)
    return queued


def purge_payloads(session: Session, table: type[OutboundDelivery] | type[OutboxEntry],
                   ids: Sequence[Any]) -> None:
    """Forget the rendered payloads of these deliveries or outbox entries (retention chose them);
    the rows and their trail stay."""
    keys = [int(i) for i in ids] if table is OutboxEntry else list(ids)
    session.execute(update(table).where(table.id.in_(keys)).values(payload=None))


def active_connectors(session: Session) -> list[ErpConnector]:
    """Every active connector, in the order they were added."""
    return list(session.scalars(select(ErpConnector).where(ErpConnector.active.is_(True))
                                .order_by(ErpConnector.id)))


def _already_queued(session: Session, row: ErpConnector, document_ids: list[str]) -> set[str]:
    model: type[OutboundDelivery] | type[OutboxEntry] = (
        OutboxEntry if row.key == POLL_KEY else OutboundDelivery)
    found: set[str] = set()
    for start in range(0, len(document_ids), 500):
        found.update(session.scalars(select(model.document_id).where(
            model.connector_id == row.id, model.document_id.in_(document_ids[start:start + 500]))))
    return found


def _queue_one(row: ErpConnector, document: Document, rendered: bytes | None,
               content_type: str | None) -> OutboundDelivery | OutboxEntry:
    if row.key == POLL_KEY:
        return OutboxEntry(connector_id=row.id, document_id=document.id, payload=rendered,
                           content_type=content_type, fetch_count=0)
    now = utcnow()
    return OutboundDelivery(document_id=document.id, connector_id=row.id,
                            partner_id=document.partner_id, state=S.pending, attempts=0,
                            next_attempt_at=now, payload=rendered, content_type=content_type,
                            created_at=now, updated_at=now)


def _queued_event(item: OutboundDelivery | OutboxEntry, row: ErpConnector, document: Document,
                  actor: str) -> EventSpec:
    action, object_type = (("outbox.queued", "outbox_entry") if isinstance(item, OutboxEntry)
                           else ("delivery.queued", "delivery"))
    return EventSpec(actor, action, object_type, str(item.id), document.partner_id,
                     {"document_id": document.id, "doc_type": document.doc_type,
                      "connector": row.name})


# --- delivery states ----------------------------------------------------------------------------

def transition_delivery(session: Session, delivery: OutboundDelivery, target: DeliveryState, *,
                        actor: str, details: dict[str, Any] | None = None) -> None:
    """Move a delivery to `target` if the state table allows it, auditing it in this transaction."""
    current = delivery.state
    check_delivery_transition(current, target)
    delivery.state = target
    delivery.updated_at = utcnow()
    _audit_transition(session, delivery.id, delivery.partner_id, current, target, actor, details)


def _audit_transition(session: Session, delivery_id: str, partner_id: int | None,
                      current: DeliveryState, target: DeliveryState, actor: str,
                      details: dict[str, Any] | None) -> None:
    record_event(session, actor=actor, action="delivery.state_changed", object_type="delivery",
                 object_id=delivery_id, partner_id=partner_id,
                 details={"from": current, "to": target, **(details or {})})


@dataclass(frozen=True)
class Claim:
    """A delivery this worker took to `sending`; `token` proves the outcome is ours to record."""

    delivery_id: str
    token: str
    attempt: int


def claim_next(session: Session, *, actor: str, due_by: datetime | None = None,
               window: int = 8) -> Claim | None:
    """Take one due delivery (pending, or retrying whose time has come) to `sending`; None if none.

    On PostgreSQL the candidates are locked with SKIP LOCKED, so concurrent workers look at different
    rows; everywhere the UPDATE is conditional on the state read, so a row is never claimed twice.
    The caller commits.
    """
    now = utcnow()
    stmt = (select(OutboundDelivery.id, OutboundDelivery.state)
            .where(OutboundDelivery.state.in_(DUE_DELIVERY_STATES),
                   OutboundDelivery.next_attempt_at <= (due_by or now))
            .order_by(OutboundDelivery.next_attempt_at, OutboundDelivery.id).limit(window)
            .with_for_update(skip_locked=True))
    for delivery_id, state in session.execute(stmt).all():
        claim = _claim_row(session, delivery_id, state, actor, now)
        if claim is not None:
            return claim
    return None


def _claim_row(session: Session, delivery_id: str, source: DeliveryState, actor: str,
               now: datetime) -> Claim | None:
    check_delivery_transition(source, S.sending)
    token = str(uuid.uuid4())
    result = session.execute(
        update(OutboundDelivery)
        .where(OutboundDelivery.id == delivery_id, OutboundDelivery.state == source)
        .values(state=S.sending, attempts=OutboundDelivery.attempts + 1, claimed_at=now,
                claim_token=token, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    partner_id, attempt = session.execute(
        select(OutboundDelivery.partner_id, OutboundDelivery.attempts)
        .where(OutboundDelivery.id == delivery_id)).one()
    _audit_transition(session, delivery_id, partner_id, source, S.sending, actor,
                      {"attempt": attempt})
    return Claim(delivery_id, token, attempt)


def recover_stuck(session: Session, *, older_than: timedelta, actor: str,
                  now: datetime | None = None) -> int:
    """Deliveries left in `sending` by a process that died mid-call go to `retrying`, due now."""
    now = now or utcnow()
    stuck = session.scalars(select(OutboundDelivery).where(
        OutboundDelivery.state == S.sending,
        OutboundDelivery.claimed_at < now - older_than).execution_options(populate_existing=True)).all()
    for delivery in stuck:
        delivery.next_attempt_at = now
        delivery.claim_token = None
        delivery.last_error = {"code": "INTERRUPTED", "retryable": True, "at": now.isoformat(),
                               "message": "the delivery was interrupted (no outcome recorded within "
                                          f"{int(older_than.total_seconds())} s); sending again"}
        transition_delivery(session, delivery, S.retrying, actor=actor,
                            details={"reason": "sending stalled"})
    return len(stuck)


def redeliver(session: Session, delivery_id: str, *, actor: str) -> OutboundDelivery:
    """Put a dead delivery back in the queue, due now, with its attempt count reset."""
    delivery = session.get(OutboundDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery {delivery_id}")
    if delivery.state != S.dead:
        raise IllegalTransition(f"delivery {delivery_id} is {delivery.state}; only dead ones are redelivered")
    previous = delivery.attempts
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    transition_delivery(session, delivery, S.pending, actor=actor,
                        details={"reason": "redeliver", "previous_attempts": previous})
    return delivery


def delivery_as_dict(delivery: OutboundDelivery, connector_name: str | None = None) -> dict[str, Any]:
    """The API view of a delivery."""
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None
    return {"id": delivery.id, "document_id": delivery.document_id,
            "connector": {"id": delivery.connector_id, "name": connector_name},
            "state": delivery.state, "attempts": delivery.attempts,
            "next_attempt_at": iso(delivery.next_attempt_at),
            # the traceback stays in the database for operators; the API shows what went wrong
            "last_error": {k: v for k, v in delivery.last_error.items() if k != "traceback"}
            if delivery.last_error else None,
            "remote_reference": delivery.remote_reference, "created_at": iso(delivery.created_at),
            "updated_at": iso(delivery.updated_at), "sent_at": iso(delivery.sent_at)}


def deliveries_for(session: Session, document_ids: Sequence[str]) -> list[OutboundDelivery]:
    return list(session.scalars(select(OutboundDelivery)
                                .where(OutboundDelivery.document_id.in_(list(document_ids)))))


# --- the hub's own outbox, fetched by polling ERPs -----------------------------------------------

@dataclass(frozen=True)
class Batch:
    """Documents handed to a polling ERP, in cursor order, and the cursor to pass next time."""

    items: list[tuple[OutboxEntry, Document]]
    next_cursor: int


def fetch_batch(session: Session, connector: ErpConnector, *, cursor: int, limit: int,
                visibility: timedelta, actor: str, settings: Settings) -> Batch:
    """The next documents after `cursor`, leased for `visibility`; the caller commits.

    Positions are handed out here, under the connector's row lock, so they grow in the order ERPs
    see them (an id given at insert could commit after a higher one and be skipped by a cursor).
    Asking again with an old cursor re-reads what came after it; an unacknowledged document whose
    lease ran out gets a new position after the current end, so it comes back whatever the cursor.
    """
    now = utcnow()
    _lock_connector(session, connector.id)
    session.execute(update(OutboxEntry)
                    .where(OutboxEntry.connector_id == connector.id, OutboxEntry.acked_at.is_(None),
                           OutboxEntry.leased_until < now)
                    .values(seq=None, leased_until=None).execution_options(synchronize_session=False))
    entries = list(session.scalars(
        select(OutboxEntry).where(OutboxEntry.connector_id == connector.id,
                                  OutboxEntry.acked_at.is_(None), OutboxEntry.seq > cursor)
        .order_by(OutboxEntry.seq).limit(limit)))
    if len(entries) < limit:
        entries += _sequence_new(session, connector, limit - len(entries))
    for entry in entries:
        entry.leased_until = now + visibility
        entry.fetch_count += 1
    documents = {d.id: d for d in session.scalars(
        select(Document).where(Document.id.in_([e.document_id for e in entries])))}
    if entries:
        record_event(session, actor=actor, action="outbox.fetched", object_type="connector",
                     object_id=str(connector.id),
                     details={"cursor": cursor, "documents": [e.document_id for e in entries]})
    next_cursor = max([cursor, *[e.seq or 0 for e in entries]])
    items = [(e, documents[e.document_id]) for e in entries]
    render_missing(session, connector, items, settings)
    return Batch(items, next_cursor)


def _lock_connector(session: Session, connector_id: int) -> None:
    """A write on the connector row: a row lock on PostgreSQL, the write lock on SQLite."""
    session.execute(update(ErpConnector).where(ErpConnector.id == connector_id)
                    .values(poll_seq=ErpConnector.poll_seq).execution_options(synchronize_session=False))


def _sequence_new(session: Session, connector: ErpConnector, room: int) -> list[OutboxEntry]:
    fresh = list(session.scalars(
        select(OutboxEntry).where(OutboxEntry.connector_id == connector.id,
                                  OutboxEntry.acked_at.is_(None), OutboxEntry.seq.is_(None))
        .order_by(OutboxEntry.id).limit(room)))
    if not fresh:
        return []
    last = session.scalar(select(ErpConnector.poll_seq).where(ErpConnector.id == connector.id)) or 0
    for offset, entry in enumerate(fresh, start=1):
        entry.seq = last + offset
    session.execute(update(ErpConnector).where(ErpConnector.id == connector.id)
                    .values(poll_seq=last + len(fresh)).execution_options(synchronize_session=False))
    return fresh


def acknowledge(session: Session, connector: ErpConnector, document_ids: Sequence[str], *,
                actor: str) -> tuple[list[str], list[str]]:
    """Mark the connector's documents as received for good; returns (acknowledged, unknown ids).

    Ids of other connectors' documents are `unknown`, exactly like ids that do not exist.
    """
    wanted = list(dict.fromkeys(document_ids))
    entries = {e.document_id: e for e in session.scalars(
        select(OutboxEntry).where(OutboxEntry.connector_id == connector.id,
                                  OutboxEntry.document_id.in_(wanted)))}
    now = utcnow()
    for entry in entries.values():
        if entry.acked_at is None:
            entry.acked_at = now
            entry.leased_until = None
            record_event(session, actor=actor, action="outbox.acknowledged",
                         object_type="outbox_entry", object_id=str(entry.id),
                         details={"document_id": entry.document_id, "connector": connector.name})
    known = [i for i in wanted if i in entries]
    return known, [i for i in wanted if i not in entries]


def visible_entry(session: Session, principal: Principal, document_id: str
                  ) -> tuple[OutboxEntry, Document]:
    """One of the connector's outbox documents (hub.access); NotFound for anyone else's (no hint
    that it exists)."""
    entry = session.scalars(access.visible(
        principal, select(OutboxEntry).where(OutboxEntry.document_id == document_id),
        OutboxEntry)).first()
    document = session.get(Document, document_id) if entry is not None else None
    if entry is None or document is None:
        raise NotFound(f"no document {document_id}")
    return entry, document
