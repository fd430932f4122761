"""An ERP issues invoices in the second format (REST /api/v2/erp/invoices, SOAP IssueInvoicesV2): for its
company, with its id making a retry harmless, refused naming the field when its stated figures differ
from the computed ones; the first format (/api/v1/erp/invoices) is unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import zeep
from flask import Flask
from flask.testing import FlaskClient

from hub.db import new_session
from hub.models import Exchange
from tests.integration.invoicing.conftest import invoice_body
from tests.integration.outbox.test_poll import soap_client
from tests.support.servers import ErpServer

URL = "/api/v2/erp/invoices"
STATED = {"totals": {"line_total": "24.45", "charge_total": "5.00", "tax_exclusive": "29.45",
                     "tax_total": "4.61", "tax_inclusive": "34.06", "payable": "34.06"},
          "taxes": [{"category": "S", "rate": "21", "taxable_amount": "18.95", "tax_amount": "3.98"},
                    {"category": "S", "rate": "6.00", "taxable_amount": "10.50", "tax_amount": "0.63"}]}


def _connector(runner: Any, *options: str) -> dict[str, str]:
    args = ["hub", "connector-add", "erp", "--key", "poll", "--doc-type", "purchase_order"]
    for option in options:
        args += ["--option", option]
    assert runner.invoke(args=args).exit_code == 0
    token = runner.invoke(args=["hub", "connector-token", "erp"]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {token}"}


def _problems(answer: Any) -> dict[str, str]:
    return {p["element"]: p["message"] for p in answer.get_json()["error"]["problems"]}


def test_an_erp_issues_an_invoice_for_its_company_and_a_retry_gives_it_back(
        app: Flask, client: FlaskClient, runner: Any, invoicing: dict[str, Any]) -> None:
    erp = _connector(runner, "company=Ponte Seller SA")
    body = {"invoices": [invoice_body(external_id="ERP-1", **STATED)]}
    first = client.post(URL, json=body, headers=erp)
    assert first.status_code == 201, first.get_json()
    (item,) = first.get_json()["items"]
    assert (item["number"], item["state"], item["payable"], item["duplicate"]) == (
        "INV-2026-000001", "issued", "34.06", False)
    retry = client.post(URL, json=body, headers=erp)
    assert retry.status_code == 200 and retry.get_json()["items"][0] == {**item, "duplicate": True}
    detail = client.get(f"/api/v1/invoicing/invoices/{item['id']}", headers=invoicing["auditor"]).get_json()
    assert detail["exchange"]["state"] == "pending"  # rendered, validated and queued for the buyer
    with app.app_context(), new_session() as session:
        assert session.query(Exchange).filter(Exchange.direction == "outbound").count() == 1
    # the connector issues for its own company only; staff tokens do not post here
    other = client.post(URL, json={"invoices": [invoice_body(external_id="ERP-2", company="Other")]},
                        headers=erp)
    assert other.status_code == 422 and "invoices[0].company" in _problems(other)
    assert client.post(URL, json=body, headers=invoicing["admin"]).status_code == 403


@pytest.mark.parametrize(("stated", "element", "message"), [
    ({"totals": {"payable": "121.00"}}, "invoices[1].totals.payable", "stated 121.00, computed 34.06"),
    ({"taxes": [{"category": "S", "rate": "21", "taxable_amount": "18.95", "tax_amount": "3.98"}]},
     "invoices[1].taxes", "category S at rate 6"),
    ({"lines": [{**invoice_body()["lines"][0], "line_amount": "15.50"}, invoice_body()["lines"][1]]},
     "invoices[1].lines[0].line_amount", "stated 15.50, computed 13.95"),
])
def test_figures_that_disagree_refuse_the_whole_batch_naming_the_field_and_both_values(
        app: Flask, client: FlaskClient, runner: Any, invoicing: dict[str, Any], stated: dict[str, Any],
        element: str, message: str) -> None:
    erp = _connector(runner)
    body = {"invoices": [invoice_body(external_id="ERP-1"), invoice_body(external_id="ERP-2", **stated)]}
    refused = client.post(URL, json=body, headers=erp)
    assert refused.status_code == 422, refused.get_json()
    assert message in _problems(refused)[element]
    # nothing of the batch was issued, and no number was used
    ok = client.post(URL, json={"invoices": [invoice_body(external_id="ERP-3")]}, headers=erp)
    assert ok.get_json()["items"][0]["number"] == "INV-2026-000001"


def test_a_request_without_the_erp_id_or_with_a_bad_line_names_its_field(
        client: FlaskClient, runner: Any, invoicing: dict[str, Any]) -> None:
    erp = _connector(runner)
    no_id = client.post(URL, json={"invoices": [invoice_body()]}, headers=erp)
    assert no_id.status_code == 422 and "invoices[0].external_id" in _problems(no_id)
    bad = invoice_body(external_id="E", lines=[{"description": "x", "quantity": "1", "price": "abc",
                                                "tax_category": "S", "tax_rate": "21"}])
    answer = client.post(URL, json={"invoices": [bad]}, headers=erp)
    assert answer.status_code == 422
    assert _problems(answer)["invoices[0].lines[0].price"].startswith("invoices[0].lines[0].price: ")
    assert client.post(URL, json={"invoices": "no"}, headers=erp).status_code == 422


def test_an_erp_names_the_buyer_by_an_identifier_it_knows(
        client: FlaskClient, runner: Any, invoicing: dict[str, Any]) -> None:
    erp = _connector(runner)
    posted = client.post(URL, json={"invoices": [invoice_body("gln:5790000435968", external_id="G-1"),
                                                 invoice_body("vat:DE 123 456 788", external_id="G-2")]},
                         headers=erp)
    assert posted.status_code == 201, posted.get_json()
    buyers = {client.get(f"/api/v1/invoicing/invoices/{i['id']}", headers=invoicing["auditor"]).get_json()[
        "buyer_id"] for i in posted.get_json()["items"]}
    assert len(buyers) == 1  # both name peppol-buyer
    unknown = client.post(URL, json={"invoices": [invoice_body("gln:4000000000006", external_id="G-3")]},
                          headers=erp)
    assert unknown.status_code == 422 and "invoices[0].buyer" in _problems(unknown)


def test_the_first_format_still_stores_a_canonical_invoice_without_issuing(
        client: FlaskClient, runner: Any, invoicing: dict[str, Any]) -> None:
    erp = _connector(runner)
    old = client.post("/api/v1/erp/invoices", headers=erp, json={"invoices": [
        {"id": "R-1", "customer": "5790000435968", "amount": "121.00", "currency": "EUR"}]})
    assert old.status_code == 201 and old.get_json()["items"][0]["duplicate"] is False
    listed = client.get("/api/v1/invoicing/invoices", headers=invoicing["auditor"]).get_json()["items"]
    assert listed == []


@pytest.fixture
def live_hub(app: Flask) -> Iterator[str]:
    with ErpServer(app) as server:
        yield server.url.rstrip("/")


def test_soap_issue_invoices_v2_from_the_live_wsdl(app: Flask, live_hub: str, runner: Any,
                                                    invoicing: dict[str, Any]) -> None:
    soap = soap_client(live_hub, _connector(runner, "company=Ponte Seller SA"))
    assert {"SubmitInvoices", "IssueInvoicesV2"} <= set(soap.service._operations)
    invoice, line, charge, totals = (soap.get_type(f"ns0:{name}") for name in (
        "InvoiceV2", "InvoiceLineV2", "AllowanceChargeV2", "TotalsV2"))
    address = soap.get_type("ns0:AddressV2")

    def request(external_id: str, payable: str) -> Any:
        return invoice(
            ExternalId=external_id, Buyer="peppol-buyer", Currency="EUR", Issued="2026-05-04",
            OrderNumber="PO-1", BuyerAddress=address(City="Berlin", PostalCode="10115", Country="DE"),
            Lines={"InvoiceLineV2": [
                line(Description="Widget", Quantity=Decimal(3), Price=Decimal("10.333"),
                     BaseQuantity=Decimal(2), TaxCategory="S", TaxRate=Decimal(21),
                     AllowancesCharges={"AllowanceChargeV2": [charge(Charge=False, Percent=Decimal(10),
                                                                     Reason="Discount")]}),
                line(Description="Bolt", Quantity=Decimal("1.5"), Price=Decimal(7), Unit="KGM",
                     TaxCategory="S", TaxRate=Decimal(6))]},
            AllowancesCharges={"AllowanceChargeV2": [charge(Charge=True, Amount=Decimal(5), Reason="Freight",
                                                            TaxCategory="S", TaxRate=Decimal(21))]},
            Totals=totals(TaxTotal=Decimal("4.61"), Payable=Decimal(payable)))

    (issued,) = soap.service.IssueInvoicesV2(Invoices={"InvoiceV2": [request("S-1", "34.06")]})
    assert (issued.Number, issued.State, issued.Payable, issued.Duplicate) == (
        "INV-2026-000001", "issued", Decimal("34.06"), False)
    (again,) = soap.service.IssueInvoicesV2(Invoices={"InvoiceV2": [request("S-1", "34.06")]})
    assert (again.Id, again.Duplicate) == (issued.Id, True)
    with pytest.raises(zeep.exceptions.Fault) as fault:
        soap.service.IssueInvoicesV2(Invoices={"InvoiceV2": [request("S-2", "121.00")]})
    assert "totals.payable: stated 121.00, computed 34.06" in fault.value.message
    assert str(fault.value.code).endswith("VALIDATION_ERROR")
