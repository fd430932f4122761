"""Suppliers' answers read into purchase orders: order responses confirm, cut or reject lines; despatch
advices record what was shipped; the ERP's receipts close lines. Each change goes in the order's history
(which message changed what) and the audit trail, in the transaction that stored the message."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.domain.documents import DespatchAdvice, OrderResponse
from hub.domain.documents import Line as CanonicalLine
from hub.domain.records import DocumentRecord
from hub.exchanges.service import Answered, Batch
from hub.partners.models import Partner
from hub.procurement import domain, inventory, price_lists
from hub.procurement.domain import AnswerLine, OrderLineState, OrderState
from hub.procurement.models import Item, PurchaseOrder, PurchaseOrderLine
from hub.procurement.replenishment import change_state, history_step


def on_accepted(session: Session, batch: Batch) -> Answered:
    """Apply what a partner sent: order responses and despatch advices to our orders, price lists to
    its supplier terms, inventory reports to the stock levels."""
    out = Answered(events=_answers(session, batch.partner, batch.records))
    for record in batch.records:
        if record.doc_type == "catalogue":
            out.add(price_lists.apply(session, batch.partner, record, batch.exchange_id))
        elif record.doc_type == "inventory_report":
            out.add(inventory.apply(session, batch.partner, record))
    return out


def _answers(session: Session, partner: Partner, records: list[DocumentRecord]) -> list[EventSpec]:
    """Apply each order response or despatch advice the supplier sent about one of our orders."""
    events: list[EventSpec] = []
    for record in records:
        if record.doc_type not in ("order_response", "despatch_advice"):
            continue
        doc = record.document()
        assert isinstance(doc, OrderResponse | DespatchAdvice)
        reference = doc.reference("order")
        number = doc.order_number or (reference.number if reference else None)
        mine = (PurchaseOrder.number == number, PurchaseOrder.supplier_id == partner.id)
        order = number and session.scalars(select(PurchaseOrder).where(*mine).with_for_update()).first()
        if order:  # otherwise not ours: a document between two partners of the hub
            events += apply_answer(session, order, doc, f"partner:{partner.name}", record.number)
    return events


def _answer_line(line: CanonicalLine, kind: str) -> AnswerLine:
    quantity = line.quantity(kind) or line.quantity()
    return AnswerLine(line.number, line.item.buyer_number or line.item.our_number, line.item.supplier_number,
                      line.item.gtin, quantity.value if quantity else None, line.status)


def load_lines(session: Session, order: PurchaseOrder
               ) -> tuple[list[PurchaseOrderLine], list[OrderLineState]]:
    """The order's line rows, and their state as the domain reasons about it."""
    rows = list(session.scalars(select(PurchaseOrderLine).where(PurchaseOrderLine.order_id == order.id)
                                .order_by(PurchaseOrderLine.line_no)))
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_({r.item_id for r in rows})))}
    states = [OrderLineState(r.line_no, items[r.item_id].sku, r.supplier_sku, items[r.item_id].gtin,
                             r.quantity, r.confirmed_quantity, r.shipped_quantity, r.received_quantity,
                             r.state) for r in rows]
    return rows, states


def store_lines(rows: list[PurchaseOrderLine], states: list[OrderLineState]) -> None:
    for row, state in zip(rows, states, strict=True):
        row.confirmed_quantity, row.shipped_quantity = state.confirmed, state.shipped
        row.received_quantity, row.state = state.received, state.state


def apply_answer(session: Session, order: PurchaseOrder, doc: OrderResponse | DespatchAdvice, actor: str,
                 number: str) -> list[EventSpec]:
    """Record one answer on the order; its history names the message and each change."""
    rows, states = load_lines(session, order)
    if isinstance(doc, OrderResponse):
        kind, changes = "order_response", domain.apply_response(
            states, doc.response, [_answer_line(ln, "confirmed") for ln in doc.lines])
    else:
        kind, changes = "despatch_advice", domain.apply_despatch(
            states, [_answer_line(ln, "despatched") for ln in doc.lines])
    store_lines(rows, states)
    order.history = [*(order.history or []), history_step(kind, actor, document=number, changes=changes,
                                                   **({"response": doc.response}
                                                      if isinstance(doc, OrderResponse) else {}))]
    events = [EventSpec(actor, f"purchase_order.{kind}", "purchase_order", str(order.id), order.supplier_id,
                        {"document": number, "changes": changes})]
    target = OrderState.closed if domain.order_done(states) else OrderState.acknowledged
    answered = order.state in (OrderState.sent.value, OrderState.acknowledged.value)
    if answered and (kind == "order_response" or target is OrderState.closed):
        events.append(change_state(order, target, actor, document=number))
    return events


def receive(session: Session, order: PurchaseOrder, receipts: list[tuple[int, Decimal]], actor: str
            ) -> list[EventSpec]:
    """Goods received, as the ERP reports them: a line with nothing left is received; then the order
    closes."""
    rows, states = load_lines(session, order)
    by_no = {s.line_no: s for s in states}
    changes: list[dict[str, Any]] = []
    for line_no, quantity in receipts:
        if line_no not in by_no:
            raise domain.OrderTransitionRefused(f"order {order.id} has no line {line_no}")
        changes.append(domain.apply_receipt(by_no[line_no], quantity))
    store_lines(rows, states)
    order.history = [*(order.history or []), history_step("receipt", actor, changes=changes)]
    events = [EventSpec(actor, "purchase_order.received", "purchase_order", str(order.id), order.supplier_id,
                        {"changes": changes})]
    if domain.order_done(states) and order.state in (OrderState.sent.value, OrderState.acknowledged.value):
        events.append(change_state(order, OrderState.closed, actor))
    return events
