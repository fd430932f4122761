"""Invoicing a buyer's purchase order the hub received (the demo ORDERS fixture): lines with the shipped
quantities at the order's prices, never beyond what was ordered, or from the despatch advice the hub
sent; then re-sending an invoice and cancelling one by a credit note."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hub import rendering
from hub.db import new_session
from hub.domain.documents import DespatchAdvice, Item, Line, Quantity, Reference
from hub.domain.errors import HubError
from hub.exchanges import outbound
from hub.exchanges.documents import store
from hub.invoicing import orders, service
from hub.invoicing.domain import InvoiceState
from hub.invoicing.models import InvoicedOrderLine, IssuedInvoice
from hub.models import AuditEvent, Document, Partner
from hub.partners import domain as profiles
from hub.routing import to_partners as routing
from tests.integration.invoicing.test_issue import _raw
from tests.support.conformance import oracle_fatal, oracle_module
from tests.support.exchanges import post, process, shown

ROOT = Path(__file__).resolve().parents[3]
ORDERS = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()
URL = "/api/v1/invoicing"
TAX = {"tax_category": "S", "tax_rate": "21"}


@pytest.fixture
def order(app: Flask, client: Any, make_partner: Any, invoicing: dict[str, Any]) -> dict[str, Any]:
    """The demo buyer's order PO-2024-0042 received by the hub (500 bolts at 0.12, 500 nuts at 3.00 per
    100, 24 sprays at 3.99), and the invoicing fixture's headers."""
    buyer = make_partner("demo-retail", edi_id="5412345000013")
    # addressed to the invoicing company (a hub with companies refuses files to no identity of its own)
    exchange_id = post(client, buyer, ORDERS.replace(b"+5498765000017:14+", b"+5790000435975:14+"))
    process(app)
    shown_exchange = shown(client, buyer, exchange_id)
    assert shown_exchange["state"] == "processed", shown_exchange["error"]
    (doc,) = shown_exchange["result"]["documents"]
    return {**invoicing, "id": doc["id"], "buyer": buyer}


def _invoice(client: Any, order: dict[str, Any], body: dict[str, Any], who: str = "admin") -> Any:
    return client.post(f"{URL}/orders/{order['id']}/invoice", json=body, headers=order[who])


def test_an_order_is_invoiced_with_the_shipped_quantities_at_its_prices(app: Flask, client: Any,
                                                                         order: dict[str, Any]):
    answer = _invoice(client, order, {"lines": [{"line": "1", "quantity": "200"},
                                                {"line": "2", "quantity": "500"}], **TAX})
    assert answer.status_code == 201, answer.get_json()
    invoice = answer.get_json()
    lines = invoice["canonical"]["lines"]
    # 200 x 0.12 = 24.00; 500 x 3.00 / 100 = 15.00; 39.00 at 21 % = 8.19
    assert [ln["line_amount"] for ln in lines] == ["24.00", "15.00"]
    assert invoice["payable"] == "47.19" and invoice["buyer_id"] == order["buyer"].id
    order_ref = invoice["canonical"]["references"][0]
    assert (order_ref["kind"], order_ref["number"]) == ("order", "PO-2024-0042")
    assert [ln["references"][0]["line"] for ln in lines] == ["1", "2"]
    assert b"RFF+ON:PO-2024-0042" in _raw(app, invoice["exchange_id"])  # BT-13 in the INVOIC


def test_an_order_is_never_invoiced_beyond_its_quantities(client: Any, order: dict[str, Any]):
    first = _invoice(client, order, {"lines": [{"line": "1", "quantity": "300"}], **TAX})
    assert first.status_code == 201
    refused = _invoice(client, order, {"lines": [{"line": "1", "quantity": "201"}], **TAX})
    assert refused.status_code == 422
    (problem,) = refused.get_json()["error"]["problems"]
    assert problem["element"] == "line 1" and "500 ordered and 300 invoiced already: at most 200" in \
        problem["message"]
    assert _invoice(client, order, {"lines": [{"line": "1", "quantity": "200"}], **TAX}).status_code == 201
    again = _invoice(client, order, {"lines": [{"line": "1", "quantity": "1"}], **TAX})
    assert again.status_code == 422 and "at most 0 is left" in again.get_json()["error"]["message"] + \
        again.get_json()["error"]["problems"][0]["message"]


@pytest.mark.parametrize(("body", "element"), [
    ({"lines": [{"line": "9", "quantity": "1"}], **TAX}, "lines[0].line"),
    ({"lines": [{"line": "1", "quantity": "-1"}], **TAX}, "lines[0].quantity"),
    ({"lines": [{"line": "1", "quantity": "abc"}], **TAX}, "lines[0].quantity"),
    ({"lines": [{"line": "1", "quantity": "1"}, {"line": "1", "quantity": "2"}], **TAX}, "lines[1].line"),
    ({"lines": [{"line": "1", "quantity": "1"}]}, "tax_category"),
    ({}, "lines"),
    ({"from": "despatch", **TAX}, "from"),  # the hub sent no despatch advice for it
    ({"from": "desadv", **TAX}, "from"),
])
def test_a_bad_request_is_refused_naming_the_field(client: Any, order: dict[str, Any], body: dict[str, Any],
                                                   element: str):
    refused = _invoice(client, order, body)
    assert refused.status_code == 422
    assert element in [p["element"] for p in refused.get_json()["error"]["problems"]]


def test_a_line_without_price_is_refused_naming_it(app: Flask, client: Any, order: dict[str, Any]):
    with app.app_context(), new_session() as session:
        row = session.get(Document, order["id"])
        assert row is not None
        canonical = dict(row.canonical)
        canonical["lines"] = [{**ln, "prices": []} if ln["number"] == "3" else ln
                              for ln in canonical["lines"]]
        row.canonical = canonical
        session.commit()
    refused = _invoice(client, order, {"lines": [{"line": "3", "quantity": "1"}], **TAX})
    assert refused.status_code == 422
    assert "PO-2024-0042 line 3 has no net price" in refused.get_json()["error"]["problems"][0]["message"]


def test_an_unknown_order_or_a_partner_key_is_refused(client: Any, order: dict[str, Any]):
    assert client.post(f"{URL}/orders/nope/invoice", json={"lines": []},
                       headers=order["admin"]).status_code == 404
    assert _invoice(client, order, {"lines": [{"line": "1", "quantity": "1"}], **TAX},
                    who="auditor").status_code == 403
    assert client.post(f"{URL}/orders/{order['id']}/invoice", json={},
                       headers=order["buyer"].headers).status_code == 403


def _send_despatch(app: Flask, buyer_id: int, number: str, shipped: dict[str, str]) -> None:
    """The hub sends the buyer a DESADV for PO-2024-0042 (as a routed despatch advice is sent)."""
    doc = DespatchAdvice(number=number, issued=date(2024, 3, 19), order_number="PO-2024-0042",
                         references=[Reference("order", "PO-2024-0042")],
                         lines=[Line(number=str(i), item=Item(gtin=gtin),
                                     quantities=[Quantity(Decimal(q), "C62", "despatched")])
                                for i, (gtin, q) in enumerate(shipped.items(), 1)])
    with app.app_context(), new_session() as session:
        buyer = session.get(Partner, buyer_id)
        assert buyer is not None
        settings = app.config["HUB_SETTINGS"]
        out = rendering.render(doc, buyer.syntax, profile=profiles.build(buyer.profile),
                               identity=routing.identity_for(settings, buyer), control_ref=f"H9{number[-4:]}",
                               message_ref="1", check=False)
        exchange, _ = outbound.add_outbound(
            session, buyer.id, doc_type=out.message_type, syntax=buyer.syntax, raw=out.data,
            content_type=out.content_type, control_ref=f"H9{number[-4:]}", sender=None, recipient=None,
            reply_to=None, actor="test", document={"type": "despatch_advice", "number": number})
        assert exchange.state == "pending", exchange.error
        store(session, doc, exchange_id=exchange.id, partner_id=buyer.id, direction="outbound",
              actor="test", message_type=exchange.doc_type)
        session.commit()


def test_an_order_is_invoiced_from_the_despatch_advices_the_hub_sent(app: Flask, client: Any,
                                                                      order: dict[str, Any]):
    # bolts and sprays matched to their order lines by GTIN
    _send_despatch(app, order["buyer"].id, "DES-0001", {"5410000100016": "120", "5410000100030": "24"})
    answer = _invoice(client, order, {"from": "despatch", **TAX})
    assert answer.status_code == 201, answer.get_json()
    lines = answer.get_json()["canonical"]["lines"]
    assert [(ln["references"][0]["line"], ln["quantities"][0]["value"]) for ln in lines] == \
        [("1", "120"), ("3", "24")]
    # nothing new shipped: nothing left to invoice; a second despatch is invoiced alone
    assert _invoice(client, order, {"from": "despatch", **TAX}).status_code == 422
    _send_despatch(app, order["buyer"].id, "DES-0002", {"5410000100016": "80"})
    second = _invoice(client, order, {"from": "despatch", **TAX}).get_json()
    assert [(ln["references"][0]["line"], ln["quantities"][0]["value"])
            for ln in second["canonical"]["lines"]] == [("1", "80")]


def test_an_erp_connector_invoices_an_order(client: Any, order: dict[str, Any], runner: Any):
    assert runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll"]).exit_code == 0
    token = runner.invoke(args=["hub", "connector-token", "erp"]).output.strip().splitlines()[-1]
    body = {"lines": [{"line": "2", "quantity": "100"}], **TAX}
    answer = client.post(f"{URL}/orders/{order['id']}/invoice", json=body,
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["payable"] == "3.63"  # 100 x 3.00 / 100 = 3.00 + 21 %
    # the ERP's retry with the same external_id gets the first invoice back, and takes nothing twice
    body["external_id"] = "ERP-7"
    first = client.post(f"{URL}/orders/{order['id']}/invoice", json=body,
                        headers={"Authorization": f"Bearer {token}"})
    retry = client.post(f"{URL}/orders/{order['id']}/invoice", json=body,
                        headers={"Authorization": f"Bearer {token}"})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.get_json()["number"] == first.get_json()["number"]
    rest = _invoice(client, order, {"lines": [{"line": "2", "quantity": "300"}], **TAX})
    assert rest.status_code == 201, rest.get_json()  # 500 ordered: 100 + 100 + 300


def test_a_connector_of_one_company_invoices_for_it_only(client: Any, order: dict[str, Any], runner: Any):
    added = runner.invoke(args=["hub", "connector-add", "seller-erp", "--key", "poll",
                                "--option", "company=Ponte Seller SA"])
    assert added.exit_code == 0, added.output
    token = runner.invoke(args=["hub", "connector-token", "seller-erp"]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"lines": [{"line": "1", "quantity": "10"}], **TAX}
    refused = client.post(f"{URL}/orders/{order['id']}/invoice", json={**body, "company": "Other SA"},
                          headers=headers)
    assert refused.status_code == 403 and "'Ponte Seller SA' only" in refused.get_json()["error"]["message"]
    issued = client.post(f"{URL}/orders/{order['id']}/invoice", json=body, headers=headers)
    (company,) = client.get(f"{URL}/companies", headers=order["admin"]).get_json()["items"]
    assert issued.status_code == 201 and issued.get_json()["company_id"] == company["id"]


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context(), new_session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _move_to_peppol(app: Flask, buyer_id: int) -> None:
    with app.app_context(), new_session() as session:
        buyer = session.get(Partner, buyer_id)
        assert buyer is not None
        buyer.syntax = "ubl"
        session.commit()


def test_a_resent_invoice_keeps_its_number_and_takes_the_buyers_new_syntax(
        app: Flask, client: Any, order: dict[str, Any], runner: Any, tmp_path: Path):
    added = runner.invoke(args=["hub", "partner-id-add", "demo-retail", "vat:BE0123456749"])
    assert added.exit_code == 0, added.output
    invoice = _invoice(client, order, {"lines": [{"line": "1", "quantity": "10"}], **TAX}).get_json()
    assert invoice["syntax"] == "edifact"
    _move_to_peppol(app, order["buyer"].id)
    answer = client.post(f"{URL}/invoices/{invoice['id']}/resend", headers=order["admin"])
    assert answer.status_code == 200, answer.get_json()
    again = answer.get_json()
    assert (again["number"], again["syntax"]) == (invoice["number"], "ubl")
    assert again["exchange_id"] != invoice["exchange_id"]
    raw = _raw(app, again["exchange_id"])
    assert f"<cbc:ID>{invoice['number']}</cbc:ID>".encode() in raw
    assert oracle_fatal(oracle_module().Validator(peppol=True), raw, tmp_path, "inv.xml") == []
    assert [h["what"] for h in again["history"]] == ["issued", "resent"]
    assert again["history"][1]["previous_exchange"] == invoice["exchange_id"]
    assert len(_events(app, "invoice.resent")) == 1
    assert client.post(f"{URL}/invoices/{invoice['id']}/resend", headers=order["auditor"]).status_code == 403


def test_a_resend_the_outbound_rules_refuse_sends_nothing_and_says_why(app: Flask, client: Any,
                                                                       order: dict[str, Any]):
    invoice = _invoice(client, order, {"lines": [{"line": "1", "quantity": "10"}], **TAX}).get_json()
    _move_to_peppol(app, order["buyer"].id)  # the buyer has no GLN: no Peppol endpoint
    refused = client.post(f"{URL}/invoices/{invoice['id']}/resend", headers=order["admin"])
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "INVOICE_NOT_SENDABLE"
    assert "PEPPOL-EN16931-R010" in refused.get_json()["error"]["problems"][0]["message"]
    kept = client.get(f"{URL}/invoices/{invoice['id']}", headers=order["auditor"]).get_json()
    assert (kept["exchange_id"], kept["syntax"], len(kept["history"])) == \
        (invoice["exchange_id"], "edifact", 1)


def test_cancelling_issues_a_full_credit_note_and_frees_the_order_lines(app: Flask, client: Any,
                                                                         order: dict[str, Any]):
    invoice = _invoice(client, order, {"lines": [{"line": "1", "quantity": "500"}], **TAX}).get_json()
    answer = client.post(f"{URL}/invoices/{invoice['id']}/cancel", json={"reason": "wrong quantities"},
                         headers=order["admin"])
    assert answer.status_code == 201, answer.get_json()
    note = answer.get_json()
    assert note["type"] == "credit_note" and note["credit_of_id"] == invoice["id"]
    assert note["payable"] == invoice["payable"] and note["number"].startswith("CN-")
    billing = [r for r in note["canonical"]["references"] if r["kind"] == "previous_invoice"]
    assert billing[0]["number"] == invoice["number"]
    assert client.get(f"{URL}/invoices/{invoice['id']}", headers=order["auditor"]).get_json()["state"] == \
        "credited"
    assert len(_events(app, "invoice.cancelled")) == 1
    # the order's quantities are free again, and a cancelled invoice is not cancelled twice
    assert _invoice(client, order, {"lines": [{"line": "1", "quantity": "500"}], **TAX}).status_code == 201
    twice = client.post(f"{URL}/invoices/{invoice['id']}/cancel", headers=order["admin"])
    assert twice.status_code == 409 and "credited already" in twice.get_json()["error"]["message"]
    resend = client.post(f"{URL}/invoices/{invoice['id']}/resend", headers=order["admin"])
    assert resend.status_code == 409


def test_a_paid_invoice_is_not_cancelled_and_the_answer_says_why(app: Flask, client: Any,
                                                                  order: dict[str, Any]):
    invoice = _invoice(client, order, {"lines": [{"line": "1", "quantity": "100"}], **TAX}).get_json()
    with app.app_context(), new_session() as session:
        service.record_payment(session, invoice["id"], Decimal("5.00"), actor="test")
        session.commit()
    refused = client.post(f"{URL}/invoices/{invoice['id']}/cancel", headers=order["admin"])
    assert refused.status_code == 409
    assert "is partially paid (5.00 of 14.52 EUR received)" in refused.get_json()["error"]["message"]
    with app.app_context(), new_session() as session:
        stored = session.get(IssuedInvoice, invoice["id"])
        assert stored is not None and stored.state == InvoiceState.partially_paid.value
        assert session.scalar(select(IssuedInvoice).where(IssuedInvoice.is_credit_note.is_(True))) is None
    assert client.post(f"{URL}/invoices/{invoice['id']}/cancel", data="[1]",
                       headers=order["admin"]).status_code == 422


def test_concurrent_invoices_of_one_order_never_take_more_than_was_ordered(app: Flask,
                                                                             order: dict[str, Any]):
    """Six threads each invoice 100 of the 500 bolts at once: five are issued, one refused naming line 1."""
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        with new_session(app) as session:
            try:
                body = {"lines": [{"line": "1", "quantity": "100"}], **TAX}
                orders.invoice_order(session, order["id"], body, actor="test",
                                     settings=app.config["HUB_SETTINGS"], today=date(2026, 5, 4))
                session.commit()
                outcomes.append("issued")
            except HubError as exc:
                session.rollback()
                outcomes.append(exc.problems[0].element if exc.problems else exc.code)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert sorted(outcomes) == ["issued"] * 5 + ["line 1"]
    with new_session(app) as session:
        taken = session.scalars(select(InvoicedOrderLine.quantity)).all()
    assert sum(taken) == 500
