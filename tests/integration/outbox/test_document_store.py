"""One way to store a document: what an ERP posts and what the hub issues are stored as the pipeline
stores what it reads (the same total, the message type it came or goes in, audited)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import new_session
from hub.domain.documents import Line, PurchaseOrder, Quantity, Totals
from hub.domain.records import record_of
from hub.domain.states import Direction, ExchangeState
from hub.exchanges.documents import store
from hub.exchanges.service import new_exchange
from hub.models import AuditEvent, Document


def test_an_erp_invoice_is_stored_with_its_payable_total_no_message_type_and_an_audit_event(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]], make_partner: Callable[..., object]) -> None:
    make_partner("customer", edi_id="5412345000013")
    headers = connector_token(make_connector("erp", "poll"))
    request = {"invoices": [{"id": "REQ-7", "customer": "5412345000013", "amount": "99.50",
                             "currency": "EUR", "lines": [{"quantity": "1", "price": "99.50"}]}]}
    posted = client.post("/api/v1/erp/invoices", headers=headers, json=request)
    assert posted.status_code == 201, posted.json
    doc_id = posted.json["items"][0]["document_id"]
    with app.app_context(), new_session() as session:
        row = session.get(Document, doc_id)
        assert row is not None and row.total == Decimal("99.50") and row.message_ref == "REQ-7"
        # the ERP sent JSON, no EDIFACT or UBL message: no message type (it was the class name)
        assert row.message_type is None
        created = session.scalars(select(AuditEvent).where(AuditEvent.action == "document.created",
                                                           AuditEvent.object_id == doc_id)).all()
        assert len(created) == 1 and created[0].details["number"] == row.number


def test_an_order_the_hub_stores_has_the_total_the_pipeline_gives_it(
        app: Flask, make_partner: Callable[..., object]) -> None:
    """An order's total is what it is payable, else before tax, else its lines: as every order
    read from EDIFACT or UBL (the ORM copy took the amount with tax)."""
    buyer = make_partner("buyer")
    order = PurchaseOrder(number="PO-9", currency="EUR",
                          lines=[Line(number="1", quantities=[Quantity(value=Decimal("2"))])],
                          totals=Totals(tax_exclusive=Decimal("100.00"), tax_inclusive=Decimal("121.00")))
    with app.app_context(), new_session() as session:
        exchange = new_exchange(session, Direction.inbound, buyer.id, b"PO-9",  # type: ignore[attr-defined]
                                state=ExchangeState.processed, syntax="edifact")
        row, events = store(session, order, exchange_id=exchange.id, partner_id=exchange.partner_id,
                            direction="inbound", actor="test", message_type="ORDERS:D96A")
        piped = record_of(1, None, "ORDERS:D96A", order)
        assert row.total == Decimal("100.00") == Decimal(str(piped.total))
        assert row.message_type == "ORDERS:D96A" and row.lines[0].quantity == Decimal("2")
        assert [e.action for e in events] == ["document.created"]
