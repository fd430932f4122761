"""Invoicing a buyer's purchase order that the hub received: the lines of the order with the quantities
shipped (given in the request, or taken from the despatch advices the hub sent for the order), at the
order's prices, never beyond what was ordered and not yet invoiced (kept per order line)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.domain import codec
from hub.domain.documents import DespatchAdvice, Line, PartyRole, PurchaseOrder
from hub.domain.errors import NotFound, Problem, ValidationError
from hub.domain.states import ExchangeState
from hub.exchanges import service as exchanges
from hub.invoicing import service
from hub.invoicing.domain import InvoiceState, decimal_or_none
from hub.invoicing.models import InvoicedOrderLine, IssuedInvoice
from hub.partners.models import Partner
from hub.records.models import Document, Exchange

PASSED_ON = ("company", "issued", "due_date", "note", "payment_means", "boleto", "direct_debit", "prepaid",
             "external_id", "delivery_date", "exemptions", "allowances_charges", "number")


def _problem(element: str, message: str) -> Problem:
    return Problem(code="INVOICE_FIELD", message=f"{element}: {message}", element=element)


def invoice_order(session: Session, document_id: str, body: dict[str, Any], *, actor: str, settings: Any,
                  today: Any) -> tuple[IssuedInvoice, bool]:
    """Issue the invoice of a received order ({"lines": [{"line", "quantity"}]} or {"from": "despatch"});
    (invoice, created). Refuses lines with no price, quantities beyond what is left to invoice, naming
    the line; an ERP's repeated `external_id` gives its first invoice back."""
    external_id = str(body["external_id"]) if body.get("external_id") else None
    known = external_id and session.scalar(select(IssuedInvoice).filter_by(source=actor,
                                                                         external_id=external_id))
    if known:
        return known, False
    if body.get("from") not in (None, "despatch"):
        raise ValidationError("from is despatch or absent", problems=[_problem(
            "from", '"despatch" (the despatch advices the hub sent), or leave it out and give the lines')])
    exchanges.lock_document(session, document_id)  # before summing what was invoiced of it
    row = session.get(Document, document_id)
    if row is None or row.doc_type != "purchase_order" or row.direction != "inbound" or row.test:
        raise NotFound(f"no purchase order {document_id} received from a buyer")
    order = codec.from_dict(row.canonical)
    assert isinstance(order, PurchaseOrder)
    buyer = session.get(Partner, row.partner_id)
    assert buyer is not None
    wanted = _despatched(session, row, order, buyer) if body.get("from") == "despatch" else \
        _asked(body, order)
    left = _left(session, row.id, order)
    problems = [p for n, qty in wanted.items() for p in _line_problems(order, n, qty, left[n], body)]
    if problems:
        raise ValidationError(f"order {order.number} cannot be invoiced so", problems=problems)
    request = _request(body, order, buyer, wanted)
    invoice, _ = service.issue(session, request, actor=actor, settings=settings, today=today)
    session.add_all(InvoicedOrderLine(order_document_id=row.id, order_line=n, invoice_id=invoice.id,
                                      quantity=qty) for n, qty in wanted.items())
    return invoice, True


def _asked(body: dict[str, Any], order: PurchaseOrder) -> dict[str, Decimal]:
    """The request's {"line", "quantity"} list, each line named by its order line number."""
    raw = body.get("lines")
    if not isinstance(raw, list) or not raw:
        raise ValidationError("say which lines to invoice", problems=[_problem(
            "lines", 'a list of {"line", "quantity"} (or "from": "despatch")')])
    numbers = {ln.number for ln in order.lines}
    wanted: dict[str, Decimal] = {}
    problems = []
    for i, item in enumerate(raw):
        line = str(item.get("line", "")) if isinstance(item, dict) else ""
        quantity = decimal_or_none(item.get("quantity")) if isinstance(item, dict) else None
        if line not in numbers:
            problems.append(_problem(f"lines[{i}].line", f"order {order.number} has no line {line!r}"))
        elif quantity is None or quantity <= 0:
            problems.append(_problem(f"lines[{i}].quantity", "a positive number is required"))
        elif line in wanted:
            problems.append(_problem(f"lines[{i}].line", f"line {line} is named twice"))
        else:
            wanted[line] = quantity
    if problems:
        raise ValidationError("the lines to invoice are not valid", problems=problems)
    return wanted



def _despatched(session: Session, row: Document, order: PurchaseOrder, buyer: Partner) -> dict[str, Decimal]:
    """What the despatch advices the hub sent the buyer for this order shipped, per order line, less
    what was invoiced already."""
    sent = {str((e.result or {}).get("document", {}).get("number")) for e in session.scalars(
        select(Exchange).where(Exchange.partner_id == buyer.id, Exchange.direction == "outbound",
                               Exchange.state != ExchangeState.invalid, Exchange.doc_type.in_(
                                   ("DESADV", "DespatchAdvice", "despatch_advice"))))}
    rows = session.scalars(select(Document).where(
        Document.doc_type == "despatch_advice", Document.test.is_(False),
        ((Document.direction == "outbound") & (Document.partner_id == buyer.id)) | Document.number.in_(sent))
        .order_by(Document.created_at))
    shipped: dict[str, Decimal] = {}
    for doc in rows:
        despatch = codec.from_dict(doc.canonical)
        if isinstance(despatch, DespatchAdvice) and _for_order(despatch, order.number):
            for line in despatch.lines:
                number = _order_line(line, order)
                qty = line.quantity("despatched") or line.quantity()
                if number is not None and qty is not None:
                    shipped[number] = shipped.get(number, Decimal(0)) + qty.value
    invoiced = _invoiced(session, row.id)
    wanted = {n: q - invoiced.get(n, Decimal(0)) for n, q in shipped.items()}
    wanted = {n: q for n, q in wanted.items() if q > 0}
    if not wanted:
        raise ValidationError(f"nothing shipped for order {order.number} is left to invoice", problems=[
            _problem("from", f"no despatch advice sent for order {order.number} has quantities not yet "
                             "invoiced")])
    return wanted


def _for_order(despatch: DespatchAdvice, number: str) -> bool:
    return despatch.order_number == number or any(
        r.kind == "order" and r.number == number for r in despatch.references)


def _order_line(line: Line, order: PurchaseOrder) -> str | None:
    """The order line a despatch line ships: its order line reference, else the same item, else the
    same line number."""
    ref = next((r.line for r in line.references if r.kind == "order" and r.line), None)
    numbers = {ln.number for ln in order.lines}
    if ref in numbers:
        return ref
    for ordered in order.lines:
        a, b = line.item, ordered.item
        if (a.gtin and a.gtin == b.gtin) or (a.supplier_number and a.supplier_number == b.supplier_number) \
                or (a.buyer_number and a.buyer_number == b.buyer_number):
            return ordered.number
    return line.number if line.number in numbers else None


def _invoiced(session: Session, order_id: str) -> dict[str, Decimal]:
    """Quantities invoiced per order line; an invoice credited as a whole gives its quantities back."""
    rows = session.execute(
        select(InvoicedOrderLine.order_line, func.sum(InvoicedOrderLine.quantity))
        .join(IssuedInvoice, IssuedInvoice.id == InvoicedOrderLine.invoice_id)
        .where(InvoicedOrderLine.order_document_id == order_id,
               IssuedInvoice.state != InvoiceState.credited.value)
        .group_by(InvoicedOrderLine.order_line))
    return {line: _plain(Decimal(total)) for line, total in rows}


def _plain(quantity: Decimal) -> Decimal:
    """A stored quantity without the column's trailing zeros (300.000000 -> 300, 2.500000 -> 2.5)."""
    return quantity.quantize(Decimal(1)) if quantity == quantity.to_integral() else quantity.normalize()


def _left(session: Session, order_id: str, order: PurchaseOrder) -> dict[str, tuple[Decimal, Decimal]]:
    """(ordered, invoiced already) per order line."""
    invoiced = _invoiced(session, order_id)
    out = {}
    for line in order.lines:
        qty = line.quantity("ordered") or line.quantity()
        out[line.number] = (qty.value if qty else Decimal(0), invoiced.get(line.number, Decimal(0)))
    return out


def _line_problems(order: PurchaseOrder, number: str, quantity: Decimal, left: tuple[Decimal, Decimal],
                   body: dict[str, Any]) -> list[Problem]:
    line = next(ln for ln in order.lines if ln.number == number)
    where = f"line {number}"
    problems = []
    if not any(p.kind == "net" for p in line.prices):
        problems.append(_problem(where, f"order {order.number} line {number} has no net price to invoice"))
    ordered, invoiced = left
    if quantity > ordered - invoiced:
        problems.append(_problem(where, f"{quantity} asked, but {ordered} ordered and {invoiced} invoiced "
                                        f"already: at most {max(ordered - invoiced, Decimal(0))} is left"))
    if not (_tax(body, number)[0] or line.tax_category):
        problems.append(_problem("tax_category", f"line {number}: the order gives no tax: name the tax "
                                                 "category (and rate) for the order, or for this line"))
    return problems


def _tax(body: dict[str, Any], number: str) -> tuple[Any, Any]:
    """The tax of an order line: its entry in the body's `lines`, else the body's `tax_category` and
    `tax_rate` (the order's own tax, when it carried one, is used when the body gives none)."""
    raw = body.get("lines")
    entries: list[Any] = raw if isinstance(raw, list) else []
    own = next((e for e in entries if isinstance(e, dict) and str(e.get("line")) == number
                and e.get("tax_category")), {})
    if own:
        return own.get("tax_category"), own.get("tax_rate")
    return body.get("tax_category"), body.get("tax_rate")


def _request(body: dict[str, Any], order: PurchaseOrder, buyer: Partner,
             wanted: dict[str, Decimal]) -> dict[str, Any]:
    """The invoice request (as POST /invoices takes it) for the wanted quantities of the order."""
    party = order.party(PartyRole.buyer)
    address = body.get("buyer_address") or (party and party.address and {
        "street": next(iter(party.address.street), None), "city": party.address.city,
        "postal_code": party.address.postcode, "country": party.address.country})
    lines = []
    for line in order.lines:
        if line.number not in wanted:
            continue
        price = next(p for p in line.prices if p.kind == "net")
        category, rate = _tax(body, line.number)
        qty = line.quantity("ordered") or line.quantity()
        if not category:
            category, rate = line.tax_category, line.tax_rate
        lines.append({"description": line.item.description or line.item.name or f"Line {line.number}",
                      "quantity": str(wanted[line.number]), "price": str(price.amount),
                      "base_quantity": str(price.base_quantity), "unit": qty.unit if qty else "C62",
                      "tax_category": category, "tax_rate": None if rate is None else str(rate),
                      "item_id": line.item.supplier_number, "gtin": line.item.gtin,
                      "order_line": line.number})
    return {**{k: body[k] for k in PASSED_ON if k in body}, "buyer": buyer.id, "buyer_address": address,
            "currency": body.get("currency") or order.currency, "order_number": order.number,
            "buyer_reference": body.get("buyer_reference") or getattr(order, "buyer_reference", None),
            "lines": lines}
