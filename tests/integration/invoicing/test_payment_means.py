"""Payment means on issued invoices: each one rendered in Peppol UBL (0 fatal with the official
validator) and in an INVOIC that passes the hub's structure validation; the references kept on the
invoice for reconciliation, and shown by the API."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from lxml import etree

from hub.invoicing import pix
from hub.invoicing.payment_means import is_rf_reference
from tests.integration.invoicing.conftest import invoice_body
from tests.integration.invoicing.test_issue import _raw
from tests.support.conformance import oracle_fatal, oracle_module

URL = "/api/v1/invoicing/invoices"
BOLETO = "02192.14871 80500.001229 23334.021815 7 59470000295295"
PIX_KEY = "123e4567-e12b-12d1-a456-426655440000"
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
DEBIT = {"mandate": "MANDATE-42", "creditor_id": "BE68ZZZ0123456789", "debtor_iban": "DE89370400440532013000"}


@pytest.fixture
def brazil(invoicing: dict[str, Any], runner: Any) -> dict[str, Any]:
    """A Brazilian company with an IBAN and a Pix key, beside the Belgian one."""
    result = runner.invoke(args=["hub", "company-add", "Ponte Brasil Ltda", "--country", "BR",
                                 "--id", "cnpj:11.222.333/0001-81", "--id", "gln:7891000000014",
                                 "--street", "Av. Paulista 1000",
                                 "--city", "São Paulo", "--postal-code", "01310-100",
                                 "--iban", "BR1800360305000010009795493C1", "--pix-key", PIX_KEY])
    assert result.exit_code == 0, result.output
    return invoicing


def _brl(buyer: str = "peppol-buyer", **changes: Any) -> dict[str, Any]:
    return invoice_body(buyer, company="Ponte Brasil Ltda", currency="BRL", **changes)


def _means(raw: bytes) -> list[etree._Element]:
    return etree.fromstring(raw).findall("cac:PaymentMeans", NS)


@pytest.mark.parametrize(("company", "body", "codes"), [
    (None, {"company": "Ponte Seller SA"}, ["58"]),
    ("br", {}, ["30", "30"]),
    ("br", {"payment_means": ["pix"]}, ["30"]),
    ("br", {"payment_means": ["boleto"], "boleto": BOLETO}, ["ZZZ"]),
    (None, {"company": "Ponte Seller SA", "payment_means": ["direct_debit"], "direct_debit": DEBIT}, ["59"]),
])
def test_every_payment_means_renders_in_peppol_ubl_with_no_fatal_finding(
        app: Flask, client: Any, brazil: dict[str, Any], tmp_path: Path, company: str | None,
        body: dict[str, Any], codes: list[str]):
    request = _brl(**body) if company else invoice_body(**body)
    answer = client.post(URL, json=request, headers=brazil["admin"])
    assert answer.status_code == 201, answer.get_json()
    invoice = answer.get_json()
    raw = _raw(app, invoice["exchange_id"])
    assert [m.findtext("cbc:PaymentMeansCode", namespaces=NS) for m in _means(raw)] == codes
    assert oracle_fatal(oracle_module().Validator(peppol=True), raw, tmp_path, "inv.xml") == []
    payment = invoice["payment"]
    assert is_rf_reference(payment["payment_reference"])
    ids = [m.findtext("cbc:PaymentID", namespaces=NS) for m in _means(raw)]
    assert payment["payment_reference"] in ids or ids == [payment["boleto_number"]]


def test_a_pix_invoice_carries_a_br_code_for_its_amount_and_txid(app: Flask, client: Any,
                                                                 brazil: dict[str, Any]):
    invoice = client.post(URL, json=_brl(), headers=brazil["admin"]).get_json()
    payment = invoice["payment"]
    code = pix.decode(payment["pix_payload"])
    assert (code.amount, code.txid, code.key) == (Decimal(invoice["payable"]), "INV2026000001", PIX_KEY)
    assert payment["pix_txid"] == "INV2026000001" and code.merchant_city == "Sao Paulo"
    root = etree.fromstring(_raw(app, invoice["exchange_id"]))
    by_pix = root.findall("cac:PaymentMeans", NS)[1]
    assert by_pix.find("cbc:PaymentMeansCode", NS).get("name") == "Pix"
    assert by_pix.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == PIX_KEY
    assert payment["pix_payload"] in root.findtext("cac:PaymentTerms/cbc:Note", namespaces=NS)
    detail = client.get(f"{URL}/{invoice['id']}", headers=brazil["auditor"]).get_json()
    assert detail["payment"]["pix_txid"] == "INV2026000001"


def test_a_direct_debit_names_mandate_creditor_and_debtor(app: Flask, client: Any, brazil: dict[str, Any]):
    body = invoice_body(company="Ponte Seller SA", payment_means=["direct_debit"], direct_debit=DEBIT)
    issued = client.post(URL, json=body, headers=brazil["admin"]).get_json()
    root = etree.fromstring(_raw(app, issued["exchange_id"]))
    assert root.findtext("cac:PaymentMeans/cac:PaymentMandate/cbc:ID", namespaces=NS) == "MANDATE-42"
    assert root.findtext("cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID",
                         namespaces=NS) == "DE89370400440532013000"
    assert root.find("cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID[@schemeID='SEPA']",
                     NS).text == "BE68ZZZ0123456789"


@pytest.mark.parametrize("body", [{"payment_means": ["credit_transfer", "pix"]}, {"payment_means": ["pix"]}])
def test_an_invoic_carries_means_account_and_payment_reference(app: Flask, client: Any,
                                                               brazil: dict[str, Any], body: dict[str, Any]):
    answer = client.post(URL, json=_brl("edi-buyer", **body), headers=brazil["admin"])
    assert answer.status_code == 201, answer.get_json()  # issued: the INVOIC passed the structure check
    invoice = answer.get_json()
    raw = _raw(app, invoice["exchange_id"]).decode("latin-1")  # UNOC
    assert f"RFF+PQ:{invoice['payment']['payment_reference']}'" in raw
    assert "FTX+PMD+++" in raw and "PAI+::30'" in raw
    assert ("FII+RB+BR1800360305000010009795493C1'" in raw) == ("credit_transfer" in body["payment_means"])


@pytest.mark.parametrize(("body", "element"), [
    ({"payment_means": ["pix"]}, "payment_means"),  # the Belgian company has no Pix key
    ({"payment_means": ["boleto"], "boleto": "1234"}, "boleto"),
    ({"payment_means": ["direct_debit"]}, "direct_debit.mandate"),
    ({"payment_means": ["wire"]}, "payment_means[0]"),
    # 58 and 59: one invoice offers one payment means code
    ({"payment_means": ["credit_transfer", "direct_debit"], "direct_debit": DEBIT}, "payment_means"),
])
def test_a_bad_payment_means_is_refused_naming_the_field_and_takes_no_number(
        client: Any, brazil: dict[str, Any], body: dict[str, Any], element: str):
    refused = client.post(URL, json=invoice_body(company="Ponte Seller SA", **body), headers=brazil["admin"])
    assert refused.status_code == 422
    assert element in [p["element"] for p in refused.get_json()["error"]["problems"]]
    body = invoice_body(company="Ponte Seller SA")
    assert client.post(URL, json=body, headers=brazil["admin"]).get_json()["number"] == "INV-2026-000001"


@pytest.mark.parametrize(("company", "body", "expected"), [
    ("Ponte Brasil Ltda", {"currency": "BRL", "payment_means": ["boleto"], "boleto": BOLETO},
     ["PAI+::ZZZ'", "FTX+PMD+++02192148718050000122923334021815759470000295295'"]),
    ("Ponte Seller SA", {"payment_means": ["direct_debit"], "direct_debit": DEBIT},
     ["PAI+::59'", "RFF+PQ:RF"]),
])
def test_boleto_and_direct_debit_invoics_pass_the_structure_check(
        app: Flask, client: Any, brazil: dict[str, Any], company: str, body: dict[str, Any],
        expected: list[str]):
    request = invoice_body("edi-buyer", company=company, **body)
    answer = client.post(URL, json=request, headers=brazil["admin"])
    assert answer.status_code == 201, answer.get_json()
    raw = _raw(app, answer.get_json()["exchange_id"]).decode("latin-1")
    assert all(part in raw for part in expected), raw
    assert "FII+RB" not in raw  # neither pays into the seller's account by transfer

