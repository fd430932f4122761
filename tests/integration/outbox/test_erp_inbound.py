"""ERPs post stock levels and invoices to issue, over REST and SOAP; bad input is a 4xx naming the field."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
import zeep
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import new_session
from hub.domain import codec
from hub.domain.documents import Invoice
from hub.models import AuditEvent, Document, Exchange, StockLevel
from tests.integration.outbox.test_poll import live_hub, soap_client  # noqa: F401

LEVELS = {"items": [
    {"item": "4000862141404", "location": "WH1", "quantity": "120", "unit": "C62",
     "as_of": "2025-03-01T08:00:00+00:00"},
    {"item": "4000862141411", "location": "WH1", "quantity": 7.25, "unit": "KGM",
     "as_of": "2025-03-01T09:00:00Z"},
]}


def _stock(app: Flask) -> dict[str, StockLevel]:
    with app.app_context(), new_session() as session:
        return {s.item: s for s in session.scalars(select(StockLevel))}


def test_stock_levels_over_rest_are_stored_exactly_and_audited(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]]) -> None:
    headers = connector_token(make_connector("erp", "poll"))
    answer = client.post("/api/v1/erp/stock-levels", headers=headers, json=LEVELS)
    assert answer.status_code == 200 and answer.json["updated"] == 2
    stock = _stock(app)
    assert stock["4000862141411"].quantity == Decimal("7.25")  # a JSON number, kept exact
    assert stock["4000862141404"].as_of.utcoffset() is not None
    older = {"items": [{**LEVELS["items"][0], "quantity": "1", "as_of": "2025-02-01T00:00:00Z"}]}
    assert client.post("/api/v1/erp/stock-levels", headers=headers, json=older).json["stale"] == 1
    assert _stock(app)["4000862141404"].quantity == Decimal("120")
    with app.app_context(), new_session() as session:
        actions = session.scalars(select(AuditEvent.action)
                                  .where(AuditEvent.action == "stock_level.updated")).all()
    assert len(actions) == 2


@pytest.mark.parametrize(("record", "field"), [
    ({"location": "WH1", "quantity": "1", "unit": "C62", "as_of": "2025-03-01T08:00:00Z"}, "items[0].item"),
    ({"item": "A", "quantity": "lots", "unit": "C62", "as_of": "2025-03-01T08:00:00Z"}, "items[0].quantity"),
    ({"item": "A", "quantity": "1", "unit": "pieces", "as_of": "2025-03-01T08:00:00Z"}, "items[0].unit"),
    ({"item": "A", "quantity": "1", "unit": "C62", "as_of": "2025-03-01T08:00:00"}, "items[0].as_of"),
    ({"item": "A", "quantity": "1", "unit": "C62", "as_of": "yesterday"}, "items[0].as_of"),
])
def test_bad_stock_levels_get_a_4xx_naming_the_field(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]], record: dict[str, str], field: str) -> None:
    headers = connector_token(make_connector("erp", "poll"))
    answer = client.post("/api/v1/erp/stock-levels", headers=headers, json={"items": [record]})
    assert answer.status_code == 422
    assert answer.json["error"]["problems"][0]["element"] == field
    assert _stock(app) == {}


def test_invoices_to_issue_become_canonical_invoices_once(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]], make_partner: Callable[..., object]) -> None:
    make_partner("customer", edi_id="5412345000013")
    headers = connector_token(make_connector("erp", "poll"))
    request = {"invoices": [{"id": "INV-REQ-1", "order_number": "PO-1001", "customer": "5412345000013",
                             "amount": "1250.00", "currency": "EUR", "issued": "2025-03-02",
                             "lines": [{"gtin": "4000862141404", "quantity": "10", "price": "125.00"}]}]}
    first = client.post("/api/v1/erp/invoices", headers=headers, json=request)
    assert first.status_code == 201, first.json
    again = client.post("/api/v1/erp/invoices", headers=headers, json=request)
    assert again.status_code == 200 and again.json["items"][0]["duplicate"] is True
    doc_id = first.json["items"][0]["document_id"]
    assert again.json["items"][0]["document_id"] == doc_id
    with app.app_context(), new_session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.doc_type == "invoice" and doc.total == Decimal("1250.00")
        invoice = codec.from_dict(doc.canonical)
        assert isinstance(invoice, Invoice) and invoice.totals.payable == Decimal("1250.00")
        assert invoice.reference("order").number == "PO-1001"  # type: ignore[union-attr]
        assert doc.lines[0].amount == Decimal("1250.00")
        exchange = session.get(Exchange, doc.exchange_id)
        assert exchange is not None and exchange.state == "processed" and exchange.connector_id
        steps = session.scalars(select(AuditEvent.details).where(AuditEvent.object_id == exchange.id)
                                .where(AuditEvent.action == "exchange.state_changed")).all()
        assert [s["to"] for s in steps] == ["processing", "processed"]


def test_bad_invoices_name_the_field_and_store_nothing(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]], make_partner: Callable[..., object]) -> None:
    make_partner("customer", edi_id="5412345000013")
    headers = connector_token(make_connector("erp", "poll"))
    good = {"id": "R1", "customer": "5412345000013", "amount": "10", "currency": "EUR"}
    cases = [({**good, "currency": "euro"}, "invoices[1].currency"),
             ({**good, "customer": "999"}, "invoices[1].customer"),
             ({**good, "lines": [{"quantity": "x"}]}, "invoices[1].lines[0].quantity"),
             ({k: v for k, v in good.items() if k != "amount"}, "invoices[1].amount")]
    for bad, field in cases:
        answer = client.post("/api/v1/erp/invoices", headers=headers, json={"invoices": [good, bad]})
        assert answer.status_code == 422, (field, answer.json)
        assert answer.json["error"]["problems"][0]["element"] == field
    with app.app_context(), new_session() as session:
        assert session.scalars(select(Document)).all() == []
    assert client.post("/api/v1/erp/invoices", headers=headers, json=[1]).status_code == 422
    assert client.post("/api/v1/erp/invoices", json=[good]).status_code == 401


def test_stock_levels_and_invoices_over_soap(
        app: Flask, live_hub: str, make_connector: Callable[..., int],  # noqa: F811
        connector_token: Callable[[int], dict[str, str]], make_partner: Callable[..., object]) -> None:
    make_partner("customer", edi_id="5412345000013")
    client = soap_client(live_hub, connector_token(make_connector("erp", "poll")))
    levels = client.get_type("ns0:StockLevelIn")
    result = client.service.SubmitStockLevels(Levels={"StockLevelIn": [
        levels(Item="A-1", Location="WH2", Quantity=Decimal("3.500"), Unit="KGM",
               AsOf="2025-03-01T08:00:00+01:00")]})
    assert result.Updated == 1
    assert _stock(app)["A-1"].quantity == Decimal("3.5")
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.SubmitStockLevels(Levels={"StockLevelIn": [
            levels(Item="A-1", Location="WH2", Quantity=Decimal("1"), Unit="pieces",
                   AsOf="2025-03-01T08:00:00Z")]})
    assert "items[0].unit" in fault.value.message and str(fault.value.code).endswith("ERP_INPUT_INVALID")

    invoice = client.get_type("ns0:InvoiceToIssue")
    issued = client.service.SubmitInvoices(Invoices={"InvoiceToIssue": [
        invoice(Id="S-1", Customer="5412345000013", Amount=Decimal("99.90"), Currency="EUR")]})
    assert issued[0].Duplicate is False
    with app.app_context(), new_session() as session:
        doc = session.get(Document, issued[0].DocumentId)
        assert doc is not None and doc.total == Decimal("99.90")


def test_an_identifier_two_partners_share_is_refused(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]], make_partner: Callable[..., object]) -> None:
    make_partner("store-a", edi_id="1000", qualifier="92")
    make_partner("store-b", edi_id="1000", qualifier="91")  # same number, another scheme's
    headers = connector_token(make_connector("erp", "poll"))
    invoice = {"id": "R1", "customer": "1000", "amount": "10", "currency": "EUR"}
    answer = client.post("/api/v1/erp/invoices", headers=headers, json={"invoices": [invoice]})
    assert answer.status_code == 422
    assert "2 trading partners" in answer.json["error"]["problems"][0]["message"]
