"""What ERPs post to the hub: stock levels, and invoices to issue (which become canonical Invoices).

Both arrive as plain records (from the REST JSON or the SOAP service); every defect is reported with
the field it is in (`items[2].quantity`), never as a crash. An invoice request is kept as an inbound
exchange of the ERP's request bytes, processed in the same transaction, so it has the same audit
trail, duplicate detection (by the ERP's request id) and `GET /api/v1/exchanges` view as a partner file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record_event, record_events
from hub.db import utcnow
from hub.domain import codec
from hub.domain.documents import (
    Identifier,
    IdScheme,
    Invoice,
    Item,
    Line,
    Party,
    PartyRole,
    Price,
    Quantity,
    Reference,
    Totals,
)
from hub.domain.errors import Problem, ValidationError
from hub.domain.states import Direction, ExchangeState
from hub.erp.models import ErpConnector
from hub.exchanges.documents import store
from hub.exchanges.lifecycle import new_exchange, transition
from hub.exchanges.models import StockLevel
from hub.partners.models import PartnerIdentifier
from hub.records.models import Document, Exchange

UNIT = re.compile(r"^[A-Z0-9]{2,3}$")  # UN/ECE Rec 20 codes: C62, KGM, MTR, H87, ...
CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_RECORDS = 10_000


class ErpInputError(ValidationError):
    code = "ERP_INPUT_INVALID"
    http_status = 422


# --- field readers: each names the field it complains about ---------------------------------------

def _fail(field: str, message: str) -> ErpInputError:
    return ErpInputError(f"{field}: {message}", problems=[Problem(code="INVALID_FIELD", message=message,
                                                                  element=field)])


_MICRO = Decimal("0.000001")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(record: Mapping[str, Any], name: str, where: str, *, required: bool = True,
          max_len: int = 100) -> str | None:
    value = record.get(name)
    if value is None or value == "":
        if required:
            raise _fail(f"{where}.{name}", "is required")
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _fail(f"{where}.{name}", f"must be text, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > max_len:
        raise _fail(f"{where}.{name}", f"longer than {max_len} characters")
    if _CONTROL.search(text):  # XML cannot carry them: the invoice could never be rendered
        raise _fail(f"{where}.{name}", "contains control characters")
    return text


def _decimal(record: Mapping[str, Any], name: str, where: str, *, required: bool = True,
             minimum: Decimal | None = None) -> Decimal | None:
    value = record.get(name)
    if value is None or value == "":
        if required:
            raise _fail(f"{where}.{name}", "is required")
        return None
    if isinstance(value, bool | float):
        # a float has already lost digits; JSON numbers are read as Decimal, SOAP sends xs:decimal
        raise _fail(f"{where}.{name}", "must be a decimal number (text or exact JSON number)")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise _fail(f"{where}.{name}", f"{value!r} is not a decimal number") from exc
    # 14 integer digits and 6 decimals: what the NUMERIC columns and an invoice total can hold
    if not number.is_finite() or (minimum is not None and number < minimum) \
            or number.adjusted() > 13 or number != number.quantize(_MICRO):
        raise _fail(f"{where}.{name}", f"{value!r} is out of range")
    return number


def _unit(record: Mapping[str, Any], where: str, default: str | None = None) -> str:
    unit = _text(record, "unit", where, required=default is None, max_len=3) or default or ""
    if not UNIT.match(unit):
        raise _fail(f"{where}.unit", f"{unit!r} is not a UN/ECE Rec 20 unit code (C62, KGM, ...)")
    return unit


def _aware_time(record: Mapping[str, Any], name: str, where: str) -> datetime:
    value = record.get(name)
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise _fail(f"{where}.{name}", f"{value!r} is not an ISO 8601 time") from exc
    else:
        raise _fail(f"{where}.{name}", "is required (ISO 8601 time with its offset)")
    if parsed.tzinfo is None:
        raise _fail(f"{where}.{name}", "must carry a time zone offset (e.g. +00:00 or Z)")
    return parsed.astimezone(UTC)


def _date(record: Mapping[str, Any], name: str, where: str) -> date | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise _fail(f"{where}.{name}", f"{value!r} is not an ISO 8601 date") from exc


def _records(payload: Any, key: str) -> list[Mapping[str, Any]]:
    items = payload.get(key) if isinstance(payload, Mapping) else payload
    if not isinstance(items, list):
        raise _fail(key, "must be a list of objects (or send the list itself)")
    if len(items) > MAX_RECORDS:
        raise _fail(key, f"more than {MAX_RECORDS} records in one call")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise _fail(f"{key}[{index}]", "must be an object")
    return items


# --- stock levels -------------------------------------------------------------------------------

@dataclass(frozen=True)
class StockInput:
    item: str
    location: str
    quantity: Decimal
    unit: str
    as_of: datetime
    reserved: Decimal = Decimal(0)  # promised to customers, not yet shipped


def parse_stock_levels(payload: Any) -> list[StockInput]:
    """Validated stock levels from `{"items": [...]}` or a list; ErpInputError names the bad field."""
    out = []
    for index, rec in enumerate(_records(payload, "items")):
        where = f"items[{index}]"
        out.append(StockInput(
            item=_text(rec, "item", where, max_len=60) or "",
            location=_text(rec, "location", where, required=False, max_len=60) or "",
            quantity=_decimal(rec, "quantity", where) or Decimal(0),
            unit=_unit(rec, where), as_of=_aware_time(rec, "as_of", where),
            reserved=_decimal(rec, "reserved", where, required=False, minimum=Decimal(0)) or Decimal(0)))
    return out


def record_stock_levels(session: Session, levels: Sequence[StockInput], *, connector: ErpConnector | None,
                        actor: str, source: str | None = None,
                        stale: list[tuple[StockInput, datetime]] | None = None) -> dict[str, int]:
    """Upsert each level unless a newer one is stored; one audit event per change. Caller commits.

    `source` says where levels come from (default `erp:<connector>`; a partner's inventory report
    gives `partner:<name>`); an ignored older level is appended to `stale` with the newer time held."""
    source = source or f"erp:{connector.name if connector else '?'}"
    counts = {"updated": 0, "unchanged": 0, "stale": 0}
    for level in levels:
        row = session.scalars(select(StockLevel).where(StockLevel.item == level.item,
                                                       StockLevel.location == level.location)).first()
        if row is not None and row.as_of > level.as_of:
            counts["stale"] += 1  # an older report arriving late must not overwrite a newer one
            if stale is not None:
                stale.append((level, row.as_of))
            continue
        if row is not None and (row.quantity, row.unit, row.reserved) == (level.quantity, level.unit,
                                                                           level.reserved):
            counts["unchanged"] += 1
            row.as_of = level.as_of
            continue
        before = None if row is None else str(row.quantity)
        if row is None:
            row = StockLevel(item=level.item, location=level.location)
            session.add(row)
        row.quantity, row.unit, row.as_of = level.quantity, level.unit, level.as_of
        row.reserved = level.reserved
        row.connector_id, row.source, row.updated_at = connector.id if connector else None, source, utcnow()
        session.flush()
        record_event(session, actor=actor, action="stock_level.updated", object_type="stock_level",
                     object_id=str(row.id),
                     details={"item": level.item, "location": level.location, "from": before,
                              "to": str(level.quantity), "reserved": str(level.reserved),
                              "unit": level.unit, "as_of": level.as_of.isoformat(), "source": source,
                              **({"connector": connector.name} if connector else {})})
        counts["updated"] += 1
    return counts


# --- invoices to issue --------------------------------------------------------------------------

def parse_invoice(rec: Mapping[str, Any], where: str) -> tuple[str, str, Invoice]:
    """(request id, customer id, canonical invoice) from one invoice-to-issue record."""
    request_id = _text(rec, "id", where) or ""
    customer = _text(rec, "customer", where) or ""
    currency = (_text(rec, "currency", where, max_len=3) or "").upper()
    if not CURRENCY.match(currency):
        raise _fail(f"{where}.currency", f"{currency!r} is not an ISO 4217 code")
    amount = _decimal(rec, "amount", where, minimum=Decimal(0))
    order_number = _text(rec, "order_number", where, required=False)
    lines = [_invoice_line(line, f"{where}.lines[{i}]", i + 1)
             for i, line in enumerate(_records(rec.get("lines") or [], f"{where}.lines"))]
    invoice = Invoice(
        number=_text(rec, "number", where, required=False) or request_id,
        issued=_date(rec, "issued", where) or utcnow().date(), currency=currency,
        parties=[Party(role=PartyRole.buyer, ids=[Identifier(customer, _scheme(customer))])],
        references=[Reference(kind="order", number=order_number)] if order_number else [],
        lines=lines, due_date=_date(rec, "due_date", where),
        totals=Totals(line_total=sum((ln.line_amount or Decimal(0) for ln in lines), Decimal(0))
                      if lines else None, tax_inclusive=amount, payable=amount))
    return request_id, customer, invoice


def _invoice_line(rec: Mapping[str, Any], where: str, position: int) -> Line:
    quantity = _decimal(rec, "quantity", where, minimum=Decimal(0)) or Decimal(0)
    price = _decimal(rec, "price", where, required=False)
    amount = _decimal(rec, "amount", where, required=False)
    if amount is None and price is not None:
        amount = (quantity * price).quantize(Decimal("0.01"))
    return Line(number=_text(rec, "number", where, required=False, max_len=20) or str(position),
                item=Item(gtin=_text(rec, "gtin", where, required=False, max_len=20),
                          our_number=_text(rec, "item", where, required=False, max_len=60),
                          description=_text(rec, "description", where, required=False, max_len=350)),
                quantities=[Quantity(quantity, _unit(rec, where, default="C62"), kind="invoiced")],
                prices=[Price(price)] if price is not None else [], line_amount=amount)


def _scheme(value: str) -> IdScheme:
    return IdScheme.gln if value.isdigit() and len(value) == 13 else IdScheme.other


@dataclass(frozen=True)
class IssuedInvoice:
    request_id: str
    document_id: str
    exchange_id: str
    duplicate: bool


def issue_invoices(session: Session, payload: Any, *, connector: ErpConnector, actor: str,
                   raw_format: str = "json") -> list[IssuedInvoice]:
    """Validate every record first, then persist each as an Invoice document. Caller commits."""
    parsed = [parse_invoice(rec, f"invoices[{i}]") for i, rec in enumerate(_records(payload, "invoices"))]
    partners = {c: _partner_for(session, c, f"invoices[{i}].customer")
                for i, (_, c, _) in enumerate(parsed)}
    return [_issue_one(session, rid, partners[c], inv, connector, actor, raw_format)
            for rid, c, inv in parsed]


def _partner_for(session: Session, customer: str, field: str) -> int:
    """The one partner known by `customer`; an identifier two partners share is refused."""
    partner_ids = set(session.scalars(select(PartnerIdentifier.partner_id)
                                      .where(PartnerIdentifier.value == customer)))
    if not partner_ids:
        raise _fail(field, f"no trading partner is known by the identifier {customer!r}")
    if len(partner_ids) > 1:
        raise _fail(field, f"identifier {customer!r} belongs to {len(partner_ids)} trading "
                           "partners; send an identifier only one of them has")
    return partner_ids.pop()


def _issue_one(session: Session, request_id: str, partner_id: int, invoice: Invoice,
               connector: ErpConnector, actor: str, raw_format: str) -> IssuedInvoice:
    dedup_ref = f"erp:{connector.id}:invoice:{request_id}"
    existing = session.scalars(select(Exchange).where(Exchange.partner_id == partner_id,
                                                      Exchange.direction == "inbound",
                                                      Exchange.dedup_ref == dedup_ref)).first()
    if existing is not None:
        doc_id = session.scalar(select(Document.id).where(Document.exchange_id == existing.id))
        return IssuedInvoice(request_id, doc_id or "", existing.id, True)
    raw = codec.dumps(invoice).encode("utf-8")
    exchange = _request_exchange(session, raw, partner_id, connector, dedup_ref, request_id, raw_format)
    transition(session, exchange, ExchangeState.processing, actor=actor)
    # the ERP posted JSON, no syntax message: the document has no message type
    document, created = store(session, invoice, exchange_id=exchange.id, partner_id=partner_id,
                              direction="outbound", actor=actor, message_type=None,
                              message_ref=request_id)
    record_events(session, created)
    exchange.result = {"documents": [document.id]}
    transition(session, exchange, ExchangeState.processed, actor=actor,
               details={"document_id": document.id, "doc_type": "invoice"})
    return IssuedInvoice(request_id, document.id, exchange.id, False)


def _request_exchange(session: Session, raw: bytes, partner_id: int, connector: ErpConnector,
                      dedup_ref: str, request_id: str, raw_format: str) -> Exchange:
    digest = hashlib.sha256(raw + dedup_ref.encode()).hexdigest()
    exchange = new_exchange(session, Direction.inbound, partner_id, raw, state=ExchangeState.received,
                            sha256=digest, syntax=f"erp-{raw_format}", doc_type="invoice_request",
                            control_ref=request_id, sender=f"erp:{connector.name}",
                            dedup_ref=dedup_ref, content_type="application/json",
                            connector_id=connector.id)
    record_event(session, actor=f"connector:{connector.name}", action="exchange.received",
                 object_type="exchange", object_id=exchange.id, partner_id=partner_id,
                 details={"source": "erp", "connector": connector.name, "request_id": request_id})
    return exchange
