"""A canonical document flattened for storage: the row values, the JSON text and the facts the
business rules look at, computed once, wherever the document was mapped (in a worker process, say).

Everything here is plain text and numbers, so a record travels between processes cheaply and the
database layer only inserts it. Values too long for their searchable columns are refused here,
naming the field, on every database (SQLite never complains about lengths).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hub.domain import check_digits, codec
from hub.domain.documents import Document, IdScheme, Invoice, PurchaseOrder, RemittanceAdvice
from hub.domain.errors import MappingError, Problem
from hub.domain.senders import SenderId, payee_accounts, sender_ids

# document_number, gtin, buyer_item, supplier_item, our_item, description, quantity, unit, price,
# amount: the columns of a document line, numbers as Decimal text
LineRow = tuple[str, str | None, str | None, str | None, str | None, str | None, str | None,
                str | None, str | None, str | None]


@dataclass(slots=True)
class DocumentRecord:
    """One document ready to insert, and where it came from in its exchange."""

    position: int  # 1-based message number in the exchange
    message_ref: str | None
    message_type: str | None
    doc_type: str
    number: str
    issued: str | None  # ISO date or datetime as sent
    currency: str | None
    total: str | None
    canonical: str  # the canonical JSON text (codec.to_dict, compact)
    lines: list[LineRow]
    buyer_items: list[tuple[str, str]]  # (line number, buyer item number) for the business rules
    glns: list[tuple[str, str]]  # (party role, GLN) for the business rules
    # the sending party's comparable identifiers (senders.SenderId fields) for the sender check
    senders: list[tuple[str, ...]] = field(default_factory=list)
    payee_accounts: list[str] = field(default_factory=list)  # an invoice's payee bank accounts
    # (line index from 1, line number, why) for each item id sent as a GTIN that is not one: checked
    # where the document is mapped (a worker process), so the business rules only word the warnings
    gtin_problems: list[tuple[int, str, str]] = field(default_factory=list)
    doc: Document | None = field(default=None, repr=False, compare=False)

    def document(self) -> Document:
        """The canonical document (decoded from its JSON when the record was made elsewhere)."""
        if self.doc is None:
            self.doc = codec.from_dict(json.loads(self.canonical))
        return self.doc

    def values(self) -> tuple[Any, ...]:
        """Every field but the document object, in order: `DocumentRecord(*values)` rebuilds the
        record (quick to pickle; the JSON text carries the document)."""
        return (self.position, self.message_ref, self.message_type, self.doc_type, self.number,
                self.issued, self.currency, self.total, self.canonical, self.lines,
                self.buyer_items, self.glns, self.senders, self.payee_accounts, self.gtin_problems)

    def sender_ids(self) -> list[SenderId]:
        """The sending party's identifiers (plain tuples after a trip between processes)."""
        return [SenderId(*s) for s in self.senders]


def record_of(position: int, message_ref: str | None, message_type: str | None, doc: Document,
              *, keep_document: bool = True) -> DocumentRecord:
    """Flatten `doc`; MappingError (TOO_LONG) names the first value too long for its column."""
    _check_fits([("number", doc.number, 100), ("currency", doc.currency, 3),
                 ("message reference", message_ref, 100), ("message type", message_type, 40)],
                message_ref)
    lines: list[LineRow] = []
    buyer_items: list[tuple[str, str]] = []
    gtin_problems: list[tuple[int, str, str]] = []
    for index, line in enumerate(doc.lines, start=1):  # one pass: every document persisted comes through here
        item, qty = line.item, line.quantity()
        if len(line.number) > 20 or len(item.gtin or "") > 20 \
                or len(item.buyer_number or "") > 60 or len(item.supplier_number or "") > 60 \
                or len(item.our_number or "") > 60 or (qty is not None and len(qty.unit) > 8):
            where = f"line {line.number[:20]}"
            _check_fits([(f"{where}: number", line.number, 20), (f"{where}: gtin", item.gtin, 20),
                         (f"{where}: buyer item", item.buyer_number, 60),
                         (f"{where}: supplier item", item.supplier_number, 60),
                         (f"{where}: our item", item.our_number, 60),
                         (f"{where}: unit (UN/EDIFACT QTY C186/6411)", qty.unit if qty else None, 8)],
                        message_ref)
        price = line.prices[0].amount if line.prices else None
        amount = line.line_amount
        lines.append((line.number, item.gtin, item.buyer_number, item.supplier_number,
                      item.our_number, (item.description or "")[:350] or None,
                      None if qty is None else str(qty.value), None if qty is None else qty.unit,
                      None if price is None else str(price), None if amount is None else str(amount)))
        if item.buyer_number:
            buyer_items.append((line.number, item.buyer_number))
        if item.gtin and (why := check_digits.gtin_problem(item.gtin)) is not None:
            gtin_problems.append((index, line.number, why))
    glns = [(party.role.value, ident.value) for party in doc.parties for ident in party.ids
            if ident.scheme == IdScheme.gln]
    total = _total(doc)
    return DocumentRecord(position, message_ref, message_type, doc.doc_type, doc.number,
                          _iso(doc.issued), doc.currency, None if total is None else str(total),
                          codec.to_json(doc), lines, buyer_items, glns,
                          [tuple(s) for s in sender_ids(doc)], payee_accounts(doc), gtin_problems,
                          doc if keep_document else None)


def _check_fits(values: list[tuple[str, str | None, int]], message_ref: str | None) -> None:
    for name, value, limit in values:
        if value is not None and len(value) > limit:
            raise MappingError(f"{name} is longer than {limit} characters", problems=[Problem(
                code="TOO_LONG", message_ref=message_ref, element=name,
                message=f"{name} has {len(value)} characters, at most {limit} fit")])


def _total(doc: Document) -> Decimal | None:
    if isinstance(doc, Invoice):
        return doc.totals.payable if doc.totals.payable is not None else doc.totals.tax_inclusive
    if isinstance(doc, PurchaseOrder) and doc.totals is not None:
        return doc.totals.payable or doc.totals.tax_exclusive or doc.totals.line_total
    if isinstance(doc, RemittanceAdvice):
        return doc.total_paid
    return None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
