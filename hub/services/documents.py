"""Persisting canonical documents with their lines, and reading them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.auth import Principal
from hub.bulk import insert_rows
from hub.db import utcnow
from hub.domain import codec
from hub.domain.documents import Document as CanonicalDocument
from hub.domain.documents import Invoice, PurchaseOrder, RemittanceAdvice
from hub.domain.errors import MappingError, NotFound, Problem
from hub.models import Document, DocumentLine, new_id
from hub.services.audit import EventSpec


@dataclass(frozen=True)
class Produced:
    """One canonical document and where it came from in its exchange."""

    position: int  # 1-based message number in the exchange
    message_ref: str | None
    message_type: str | None
    document: CanonicalDocument


@dataclass(frozen=True)
class Stored:
    """What callers need of a persisted document without loading its row back."""

    id: str
    doc_type: str
    number: str
    message_ref: str | None
    position: int


def persist(session: Session, exchange_id: str, partner_id: int, direction: str,
            produced: list[Produced], *, actor: str) -> tuple[list[Stored], list[EventSpec]]:
    """Insert the documents and their lines (bulk, in the caller's transaction).

    Returns what was stored and the audit events to append; a 10,000-message interchange is
    two executemany calls here, not 110,000 ORM objects.
    """
    for item in produced:
        _check_fits(item)
    now = utcnow()
    docs: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    stored: list[Stored] = []
    for item in produced:
        doc = item.document
        doc_id = new_id()
        docs.append((doc_id, exchange_id, item.position, item.message_ref, item.message_type,
                     partner_id, direction, doc.doc_type, doc.number, _iso(doc.issued),
                     doc.currency, _total(doc), codec.to_dict(doc), now))
        lines.extend(_line_values(doc_id, line) for line in doc.lines)
        stored.append(Stored(doc_id, doc.doc_type, doc.number, item.message_ref, item.position))
    insert_rows(session, Document, _DOCUMENT_COLUMNS, docs)
    insert_rows(session, DocumentLine, _LINE_COLUMNS, lines)
    events = [EventSpec(actor, "document.created", "document", s.id, partner_id,
                        {"exchange_id": exchange_id, "type": s.doc_type, "number": s.number,
                         "message_ref": s.message_ref, "lines": len(p.document.lines)})
              for s, p in zip(stored, produced, strict=True)]
    return stored, events


def _check_fits(item: Produced) -> None:
    """A value too long for its searchable column is named, on every database (SQLite never
    complains). The canonical JSON keeps everything; these columns must fit."""
    doc = item.document
    values: list[tuple[str, str | None, int]] = [
        ("number", doc.number, 100), ("currency", doc.currency, 3),
        ("message reference", item.message_ref, 100), ("message type", item.message_type, 40)]
    for line in doc.lines:
        it, qty = line.item, line.quantity()
        if len(line.number) <= 20 and len(it.gtin or "") <= 20 and len(it.buyer_number or "") <= 60 \
                and len(it.supplier_number or "") <= 60 and len(it.our_number or "") <= 60 \
                and (qty is None or len(qty.unit) <= 3):
            continue  # the usual case, without building the list below
        where = f"line {line.number[:20]}"
        values += [(f"{where}: number", line.number, 20), (f"{where}: gtin", it.gtin, 20),
                   (f"{where}: buyer item", it.buyer_number, 60),
                   (f"{where}: supplier item", it.supplier_number, 60),
                   (f"{where}: our item", it.our_number, 60),
                   (f"{where}: unit", qty.unit if qty else None, 3)]
    for name, value, limit in values:
        if value is not None and len(value) > limit:
            raise MappingError(f"{name} is longer than {limit} characters", problems=[Problem(
                code="TOO_LONG", message_ref=item.message_ref, element=name,
                message=f"{name} has {len(value)} characters, at most {limit} fit")])


_DOCUMENT_COLUMNS = ("id", "exchange_id", "position", "message_ref", "message_type", "partner_id",
                     "direction", "doc_type", "number", "issued", "currency", "total", "canonical",
                     "created_at")
_LINE_COLUMNS = ("document_id", "line_number", "gtin", "buyer_item", "supplier_item", "our_item",
                 "description", "quantity", "unit", "price", "amount")


def _line_values(document_id: str, line: Any) -> tuple[Any, ...]:
    qty = line.quantity()
    item = line.item
    return (document_id, line.number, item.gtin, item.buyer_number, item.supplier_number,
            item.our_number, (item.description or "")[:350] or None,
            qty.value if qty else None, qty.unit if qty else None,
            line.prices[0].amount if line.prices else None, line.line_amount)


def _total(doc: CanonicalDocument) -> Decimal | None:
    if isinstance(doc, Invoice):
        return doc.totals.payable if doc.totals.payable is not None else doc.totals.tax_inclusive
    if isinstance(doc, PurchaseOrder) and doc.totals is not None:
        return doc.totals.payable or doc.totals.tax_exclusive or doc.totals.line_total
    if isinstance(doc, RemittanceAdvice):
        return doc.total_paid
    return None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def get_visible(session: Session, document_id: str, principal: Principal) -> Document:
    """The document if the principal may see it; NotFound otherwise."""
    row = session.get(Document, document_id)
    if row is None or (principal.is_partner and row.partner_id != principal.partner_id) or (
            not principal.is_partner and not principal.can_see_all_exchanges()):
        raise NotFound(f"no document {document_id}")
    return row


def canonical(row: Document) -> CanonicalDocument:
    return codec.from_dict(row.canonical)


def summary(row: Document | Stored) -> dict[str, Any]:
    return {"id": row.id, "type": row.doc_type, "number": row.number,
            "message_ref": row.message_ref, "position": row.position,
            "links": {"self": f"/api/v1/documents/{row.id}"}}


def enqueue_stored(session: Session, stored: list[Stored], *, actor: str) -> None:
    """Hand new documents to the transactional outbox, in one batch (nothing to load when no
    ERP is connected)."""
    from hub.models import ErpConnector
    from hub.services.outbox import enqueue_documents

    if not stored or session.scalar(select(ErpConnector.id).where(ErpConnector.active.is_(True))
                                    .limit(1)) is None:
        return
    order = {item.id: n for n, item in enumerate(stored)}
    ids = list(order)
    rows = [row for start in range(0, len(ids), 500) for row in session.scalars(
        select(Document).where(Document.id.in_(ids[start:start + 500])))]
    enqueue_documents(session, sorted(rows, key=lambda r: order[r.id]), actor=actor)
