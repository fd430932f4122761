"""Issuing invoices through the API: numbered without gaps, rendered in the buyer's syntax, validated and
queued in one transaction; refusals name their field; credit notes; payments and overdue invoices."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from hub.db import new_session
from hub.invoicing import service
from hub.invoicing.domain import InvoiceState
from hub.models import Exchange
from hub.numbering.service import issued_numbers
from tests.integration.invoicing.conftest import invoice_body
from tests.support.conformance import oracle_fatal, oracle_module

URL = "/api/v1/invoicing/invoices"


def _raw(app: Flask, exchange_id: str) -> bytes:
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, exchange_id)
        assert exchange is not None and exchange.state == "pending"
        return bytes(exchange.raw)


def test_an_invoice_is_numbered_rendered_in_peppol_ubl_and_valid_for_the_official_validator(
        app, client, invoicing, tmp_path: Path):
    answer = client.post(URL, json=invoice_body(), headers=invoicing["admin"])
    assert answer.status_code == 201, answer.get_json()
    invoice = answer.get_json()
    assert (invoice["number"], invoice["state"], invoice["syntax"]) == ("INV-2026-000001", "issued", "ubl")
    # 3 x 10.333 / 2 = 15.50 less 10 % = 13.95, + freight 5.00: 18.95 at 21 % = 3.98;
    # 1.5 x 7 = 10.50 at 6 % = 0.63
    totals = invoice["canonical"]["totals"]
    assert (totals["line_total"], totals["tax_total"], totals["payable"]) == ("24.45", "4.61", "34.06")
    assert invoice["payable"] == "34.06" and invoice["due_date"] == "2026-06-03"  # the company's 30 days
    raw = _raw(app, invoice["exchange_id"])
    assert b"<cbc:ID>BE71096123456769</cbc:ID>" in raw
    assert oracle_fatal(oracle_module().Validator(peppol=True), raw, tmp_path, "inv.xml") == []
    detail = client.get(f"{URL}/{invoice['id']}", headers=invoicing["auditor"]).get_json()
    assert detail["exchange"]["validation"]["rules"] == ["UBL 2.1 XSD", "EN16931 1.3.16",
                                                         "OpenPeppol 2026.5 BIS Billing 3"]
    assert [h["what"] for h in detail["history"]] == ["issued"]


def test_an_edifact_buyer_gets_an_invoic_that_passes_the_structure_check(app, client, invoicing):
    answer = client.post(URL, json=invoice_body("edi-buyer"), headers=invoicing["admin"])
    assert answer.status_code == 201, answer.get_json()
    raw = _raw(app, answer.get_json()["exchange_id"])
    assert b"UNH+1+INVOIC:D:96A:UN" in raw and b"MOA+9:34.06" in raw


@pytest.mark.parametrize(("change", "element"), [
    ({"lines": [{"description": "x", "quantity": "1", "price": "-2", "tax_category": "S", "tax_rate": "21"}]},
     "lines[0].price"),
    ({"lines": [{"description": "x", "quantity": "1", "price": "abc", "tax_category": "S",
                 "tax_rate": "21"}]},
     "lines[0].price"),
    ({"lines": [{"description": "x", "quantity": "1", "price": "2", "tax_category": "S"}]},
     "lines[0].tax_rate"),
    ({"lines": []}, "lines"),
    ({"buyer_address": None}, "buyer_address"),
    ({"currency": "EURO"}, "currency"),
])
def test_an_inconsistent_request_is_refused_naming_the_field_and_takes_no_number(
        app, client, invoicing, change: dict[str, Any], element: str):
    refused = client.post(URL, json=invoice_body(**change), headers=invoicing["admin"])
    assert refused.status_code == 422
    assert element in [p["element"] for p in refused.get_json()["error"]["problems"]]
    assert client.post(URL, json=invoice_body(), headers=invoicing["admin"]).get_json()["number"] == \
        "INV-2026-000001"


def test_an_invoice_failing_the_outbound_validation_is_not_issued_and_leaves_no_gap(app, client, invoicing):
    first = client.post(URL, json=invoice_body(), headers=invoicing["admin"]).get_json()
    # a buyer with no electronic address: PEPPOL-EN16931-R010 is fatal, so nothing is issued
    refused = client.post(URL, json=invoice_body("nobody-buyer"), headers=invoicing["admin"])
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "INVOICE_NOT_ISSUABLE"
    assert "PEPPOL-EN16931-R010" in {p["code"] for p in refused.get_json()["error"]["problems"]}
    second = client.post(URL, json=invoice_body(), headers=invoicing["admin"]).get_json()
    assert (first["number"], second["number"]) == ("INV-2026-000001", "INV-2026-000002")
    with app.app_context(), new_session() as session:
        assert issued_numbers(session, f"invoice:{first['company_id']}:2026") == [
            "INV-2026-000001", "INV-2026-000002"]
        assert session.query(Exchange).filter(Exchange.state == "invalid").count() == 0


def test_an_erp_legal_number_is_kept_and_refused_twice(app, client, invoicing):
    answer = client.post(URL, json=invoice_body(number="NFE-000123"), headers=invoicing["admin"])
    assert answer.status_code == 201 and answer.get_json()["number"] == "NFE-000123"
    again = client.post(URL, json=invoice_body(number="NFE-000123"), headers=invoicing["admin"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "DUPLICATE_NUMBER"


def test_an_erp_connector_issues_with_its_token_and_its_id_makes_a_retry_harmless(app, client, runner,
                                                                                   invoicing):
    assert runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll"]).exit_code == 0
    token = runner.invoke(args=["hub", "connector-token", "erp"]).output.strip().splitlines()[-1]
    erp = {"Authorization": f"Bearer {token}"}
    first = client.post(URL, json=invoice_body(external_id="ERP-9"), headers=erp)
    retry = client.post(URL, json=invoice_body(external_id="ERP-9"), headers=erp)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.get_json()["id"] == retry.get_json()["id"]
    assert client.post(URL, json=invoice_body(), headers=invoicing["auditor"]).status_code == 403


def test_a_credit_note_for_some_lines_refers_to_the_invoice_and_passes_the_rules(app, client, invoicing,
                                                                                  tmp_path: Path):
    invoice = client.post(URL, json=invoice_body(), headers=invoicing["admin"]).get_json()
    answer = client.post(f"{URL}/{invoice['id']}/credit-notes", json={"lines": [2], "reason": "Damaged"},
                         headers=invoicing["admin"])
    assert answer.status_code == 201, answer.get_json()
    note = answer.get_json()
    assert (note["number"], note["type"], note["payable"]) == ("CN-2026-000001", "credit_note", "11.13")
    raw = _raw(app, note["exchange_id"])
    assert b"<CreditNote" in raw and b"<cbc:ID>INV-2026-000001</cbc:ID>" in raw
    assert oracle_fatal(oracle_module().Validator(peppol=True), raw, tmp_path, "cn.xml") == []
    whole = client.post(f"{URL}/{invoice['id']}/credit-notes", json={}, headers=invoicing["admin"])
    assert whole.get_json()["payable"] == "34.06"
    assert client.get(f"{URL}/{invoice['id']}", headers=invoicing["admin"]).get_json()["state"] == "credited"


def test_payments_make_an_invoice_partially_paid_then_paid(app, client, invoicing):
    invoice = client.post(URL, json=invoice_body(), headers=invoicing["admin"]).get_json()
    with app.app_context(), new_session() as session:
        part = service.record_payment(session, invoice["id"], Decimal("10.00"), actor="test", reference="RF1")
        assert part.state == InvoiceState.partially_paid.value
        rest = service.record_payment(session, invoice["id"], Decimal("24.06"), actor="test")
        assert (rest.state, rest.paid) == ("paid", Decimal("34.06"))
        session.commit()
    listed = client.get(f"{URL}?state=paid&min_amount=34&max_amount=35", headers=invoicing["auditor"])
    assert [i["id"] for i in listed.get_json()["items"]] == [invoice["id"]]


def test_open_invoices_past_their_due_date_become_overdue_once_a_day(app, client, invoicing):
    late = client.post(URL, json=invoice_body(due_date="2026-05-10"), headers=invoicing["admin"]).get_json()
    later = client.post(URL, json=invoice_body(due_date="2099-01-01"), headers=invoicing["admin"]).get_json()
    day = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with app.app_context(), new_session() as session:
        assert service.mark_overdue(session, day) == [late["number"]]
        session.commit()
        assert service.mark_overdue(session, day.replace(hour=20)) is None  # the day's run happened
    states = {i["id"]: i["state"] for i in client.get(URL, headers=invoicing["admin"]).get_json()["items"]}
    assert states == {late["id"]: "overdue", later["id"]: "issued"}
