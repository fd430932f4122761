"""Persisting canonical documents with their lines, and reading them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from hub.auth import Principal
from hub.domain import codec
from hub.domain.documents import Document as CanonicalDocument
from hub.domain.documents import Invoice, PurchaseOrder, RemittanceAdvice
from hub.domain.errors import NotFound
from hub.models import Document, DocumentLine
from hub.services.audit import EventSpec


@dataclass(frozen=True)
class Produced:
    """One canonical document and where it came from in its exchange."""

    position: int  # 1-based message number in the exchange
    message_ref: str | None
    message_type: str | None
    document: CanonicalDocument


def document_row(exchange_id: str, partner_id: int, direction: str, produced: Produced) -> Document:
    """The database row of a canonical document, with its lines."""
    doc = produced.document
    row = Document(exchange_id=exchange_id, position=produced.position,
                   message_ref=produced.message_ref, message_type=produced.message_type,
                   partner_id=partner_id, direction=direction, doc_type=doc.doc_type,
                   number=doc.number, issued=_iso(doc.issued), currency=doc.currency,
                   total=_total(doc), canonical=codec.to_dict(doc))
    row.lines = [_line_row(line) for line in doc.lines]
    return row


def persist(session: Session, exchange_id: str, partner_id: int, direction: str,
            produced: list[Produced], *, actor: str) -> tuple[list[Document], list[EventSpec]]:
    """Add the documents to the session; returns them and the audit events to append."""
    rows = [document_row(exchange_id, partner_id, direction, p) for p in produced]
    session.add_all(rows)
    session.flush()
    events = [EventSpec(actor, "document.created", "document", row.id, partner_id,
                        {"exchange_id": exchange_id, "type": row.doc_type, "number": row.number,
                         "message_ref": row.message_ref, "lines": len(row.lines)})
              for row in rows]
    return rows, events


def _line_row(line: Any) -> DocumentLine:
    qty = line.quantity()
    price = line.prices[0].amount if line.prices else None
    item = line.item
    return DocumentLine(line_number=line.number, gtin=item.gtin, buyer_item=item.buyer_number,
                        supplier_item=item.supplier_number, our_item=item.our_number,
                        description=(item.description or "")[:350] or None,
                        quantity=qty.value if qty else None, unit=qty.unit if qty else None,
                        price=price, amount=line.line_amount)


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


def summary(row: Document) -> dict[str, Any]:
    return {"id": row.id, "type": row.doc_type, "number": row.number,
            "message_ref": row.message_ref, "position": row.position,
            "links": {"self": f"/api/v1/documents/{row.id}"}}
