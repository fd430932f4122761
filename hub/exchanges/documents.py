"""Persisting canonical documents with their lines, and reading them back."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hub import access
from hub.audit.service import EventSpec
from hub.bulk import insert_values, stored_now
from hub.db import new_ids
from hub.domain import codec
from hub.domain.documents import Document as CanonicalDocument
from hub.domain.errors import Purged
from hub.domain.principals import Principal
from hub.domain.records import DocumentRecord, record_of
from hub.records.models import Document, DocumentLine


class Stored(NamedTuple):
    """What callers need of a persisted document without loading its row back (a tuple: a
    reconciliation run stores tens of thousands)."""

    id: str
    doc_type: str
    number: str
    message_ref: str | None
    position: int
    test: bool = False


class NewDocument(NamedTuple):
    """A document to store with `store_documents`: its record and the exchange it belongs to."""

    exchange_id: str
    partner_id: int
    direction: str
    record: DocumentRecord
    id: str | None = None  # given when others must point at it before it is stored; else a new one


def store_documents(session: Session, new: Sequence[NewDocument], *, test: bool = False) -> list[Stored]:
    """The one path by which documents are stored: their rows and lines inserted in bulk in the
    caller's transaction (a 10,000-message interchange is a few executemany calls, not 110,000 ORM
    objects; a reconciliation run stores tens of thousands across thousands of exchanges); `test`
    marks them as a test interchange's. The caller audits them (`persist`: an event each)."""
    now = stored_now(session)
    docs: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    stored: list[Stored] = []
    fresh = iter(new_ids(sum(1 for item in new if not item.id)))  # ids only for those given none
    for item in new:
        record, doc_id = item.record, item.id or next(fresh)
        docs.append((doc_id, item.exchange_id, record.position, record.message_ref,
                     record.message_type, item.partner_id, item.direction, record.doc_type,
                     record.number, record.issued, record.currency, record.total, record.canonical,
                     now, test))
        if record.lines:
            lines += [(doc_id, *line) for line in record.lines]
        stored.append(Stored(doc_id, record.doc_type, record.number, record.message_ref,
                             record.position, test))
    insert_values(session, Document, _DOCUMENT_COLUMNS, docs)
    insert_values(session, DocumentLine, _LINE_COLUMNS, lines)
    return stored


def persist(session: Session, exchange_id: str, partner_id: int, direction: str,
            records: list[DocumentRecord], *, actor: str, test: bool = False
            ) -> tuple[list[Stored], list[EventSpec]]:
    """Store one exchange's documents (`store_documents`); returns what was stored and their
    `document.created` audit events to append."""
    stored = store_documents(session, [NewDocument(exchange_id, partner_id, direction, record)
                                       for record in records], test=test)
    events = [EventSpec(actor, "document.created", "document", s.id, partner_id,
                        {"exchange_id": exchange_id, "type": s.doc_type, "number": s.number,
                         "message_ref": s.message_ref, "lines": len(r.lines),
                         **({"test": True} if test else {})})
              for s, r in zip(stored, records, strict=True)]
    return stored, events


def store(session: Session, doc: CanonicalDocument, *, exchange_id: str, partner_id: int,
          direction: str, actor: str, message_type: str | None, message_ref: str | None = None,
          position: int = 1) -> tuple[Document, list[EventSpec]]:
    """One document made by the hub (an ERP's invoice, an invoice the hub issued) stored the way
    the pipeline stores what it reads (`persist`: the same total and columns), and its row loaded.
    `message_type` is the syntax message it came or goes in (`INVOIC:D96A`, `Invoice`), None when
    there is none (an ERP's JSON). Returns the row and its `document.created` audit event."""
    stored, events = persist(session, exchange_id, partner_id, direction,
                             [record_of(position, message_ref, message_type, doc)], actor=actor)
    row = session.get(Document, stored[0].id)
    assert row is not None
    return row, events


# the order of DocumentRecord's values; text goes in as text (JSON, numbers, the SQLite time)
_DOCUMENT_COLUMNS = ("id", "exchange_id", "position", "message_ref", "message_type", "partner_id",
                     "direction", "doc_type", "number", "issued", "currency", "total", "canonical",
                     "created_at", "test")
_LINE_COLUMNS = ("document_id", "line_number", "gtin", "buyer_item", "supplier_item", "our_item",
                 "description", "quantity", "unit", "price", "amount")


def purge(session: Session, ids: Sequence[str], now: datetime) -> None:
    """Forget the content of these documents and their lines (retention chose them); the rows stay,
    marked purged."""
    session.execute(delete(DocumentLine).where(DocumentLine.document_id.in_(ids)))
    session.execute(update(Document).where(Document.id.in_(ids)).values(canonical={}, purged_at=now))


def lock(session: Session, document_id: str) -> None:
    """Take a stored document's row lock (a no-op write: PostgreSQL locks the row, SQLite the
    database, where FOR UPDATE means nothing), before reading what was done with it."""
    session.execute(update(Document).where(Document.id == document_id).values(id=Document.id))


def get_visible(session: Session, document_id: str, principal: Principal) -> Document:
    """The document if the principal may see it (hub.access); NotFound otherwise."""
    return access.get_visible(session, Document, document_id, principal, what="document")


def canonical(row: Document) -> CanonicalDocument:
    """The canonical document of a row; Purged when the retention policy removed it."""
    if row.purged_at is not None:
        raise Purged(f"document {row.id} ({row.doc_type} {row.number}) was purged on "
                     f"{row.purged_at:%Y-%m-%d} by the retention policy; its number and totals remain")
    return codec.from_dict(row.canonical)


def summary(row: Document | Stored) -> dict[str, Any]:
    out = {"id": row.id, "type": row.doc_type, "number": row.number,
           "message_ref": row.message_ref, "position": row.position,
           "links": {"self": f"/api/v1/documents/{row.id}"}}
    if row.test:
        out["test"] = True
    return out


def enqueue_stored(session: Session, stored: list[Stored], *, actor: str) -> None:
    """Hand new documents to the transactional outbox, in one batch (nothing to load when no
    ERP is connected)."""
    enqueue_ids(session, [item.id for item in stored], actor=actor)


def enqueue_ids(session: Session, ids: list[str], *, actor: str,
                connector_ids: Collection[int] | None = None) -> None:
    """Queue the documents (in this order) for the ERP connectors: those named, else every one
    carrying their type."""
    from hub.erp.models import ErpConnector
    from hub.erp.service import enqueue_documents

    if not ids or session.scalar(select(ErpConnector.id).where(ErpConnector.active.is_(True))
                                 .limit(1)) is None:
        return
    order = {doc_id: n for n, doc_id in enumerate(ids)}
    rows = [row for start in range(0, len(ids), 500) for row in session.scalars(
        select(Document).where(Document.id.in_(ids[start:start + 500])))]
    enqueue_documents(session, sorted(rows, key=lambda r: order[r.id]), actor=actor,
                      connector_ids=connector_ids)
