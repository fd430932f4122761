"""Routing rules as data: two partners and two ERPs, a partner-to-partner route, and a document no
rule takes held `no_route` until a rule is added and it is released."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from bench.edifact_parse import generate
from hub.db import new_session
from hub.models import AuditEvent, Document, Exchange
from tests.support.exchanges import post, process

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "edifact"
BUYER, ACME, SUPPLIER = "5412345000013", "5498765000017", "4012345000009"


def _rule(client, admin, **body):  # type: ignore[no-untyped-def]
    resp = client.post("/api/v1/routing/rules", json=body, headers=admin)
    assert resp.status_code == 201, resp.json
    return resp.json


def _outbound(app: Flask, partner_id: int) -> list[Exchange]:
    with app.app_context(), new_session() as session:
        return list(session.scalars(select(Exchange).where(
            Exchange.partner_id == partner_id, Exchange.direction == "outbound",
            Exchange.doc_type != "CONTRL")))


def test_rules_send_a_orders_to_erp1_and_a_partner_and_b_invoices_to_erp2_only(
        app, client, make_partner, make_user, make_erp, queued) -> None:
    buyer = make_partner("buyer", edi_id=BUYER)
    acme = make_partner("acme", edi_id=ACME, roles=("supplier",))
    supplier = make_partner("supplier", edi_id=SUPPLIER, roles=("supplier",))
    erp1, erp2 = make_erp("erp1"), make_erp("erp2")
    admin = make_user("root", "admin")
    orders = _rule(client, admin, **{"from": "buyer", "type": "purchase_order",
                                     "connectors": ["erp1"], "partners": ["supplier"]})
    invoices = _rule(client, admin, **{"from": "acme", "type": "invoice", "connectors": ["erp2"]})
    assert [r["id"] for r in client.get("/api/v1/routing/rules", headers=admin).json["items"]] \
        == [orders["id"], invoices["id"]]

    order_file = post(client, buyer, generate(3, 1))
    invoice_file = post(client, acme, (FIXTURES / "acme_invoic_d01b_allowances.edi").read_bytes())
    process(app)

    assert [t for t, _ in queued(erp1)] == ["purchase_order"] * 3
    assert queued(erp2) == [("invoice", "INV-2024-7781")]
    # partner to partner: the supplier's mailbox has the three orders; the invoice, addressed to
    # the buyer, did not reach it, because the invoices' rule names no partner
    assert len(_outbound(app, supplier.id)) == 3
    assert _outbound(app, buyer.id) == []
    with app.app_context(), new_session() as session:
        docs = {d.exchange_id: d for d in session.scalars(select(Document))}
        assert docs[order_file].route == {"rule_id": orders["id"], "connector_ids": [erp1],
                                          "partner_ids": [supplier.id]}
        assert docs[invoice_file].route["rule_id"] == invoices["id"]
        routed = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "exchange.routed", AuditEvent.object_id == invoice_file)).one()
        assert routed.details["decisions"] == [{"rule_id": invoices["id"], "connector_ids": [erp2],
                                                "partner_ids": [], "documents": 1}]


def test_a_document_no_rule_takes_is_held_then_released_once_a_rule_is_added(
        app, client, make_partner, make_user, make_erp, queued) -> None:
    buyer = make_partner("buyer", edi_id=BUYER)
    make_partner("acme", edi_id=ACME, roles=("supplier",))
    erp1, erp2 = make_erp("erp1"), make_erp("erp2")
    admin = make_user("root", "admin")
    _rule(client, admin, **{"from": "buyer", "type": "purchase_order", "connectors": ["erp1"]})
    post(client, buyer, (FIXTURES / "demo_remadv_d96a_basic.edi").read_bytes())
    process(app)

    held = client.get("/api/v1/documents?held=true", headers=admin).json["items"]
    assert len(held) == 1
    doc = client.get(held[0]["links"]["self"], headers=admin).json
    assert doc["held"] == "no_route" and held[0]["type"] == "remittance_advice"
    assert doc["route"] == {"rule_id": None, "connector_ids": [], "partner_ids": [],
                            "held": "no_route"}
    assert queued(erp1) == queued(erp2) == []
    refused = client.post(f"/api/v1/documents/{doc['id']}/release", headers=admin)
    assert refused.status_code == 409 and "no routing rule" in refused.json["error"]["message"]

    _rule(client, admin, **{"from": "buyer", "type": "remittance_advice", "connectors": ["erp2"]})
    released = client.post(f"/api/v1/documents/{doc['id']}/release", headers=admin)
    assert released.status_code == 200, released.json
    assert queued(erp2) == [("remittance_advice", held[0]["number"])] and queued(erp1) == []
    assert client.get(held[0]["links"]["self"], headers=admin).json["held"] is None


def test_without_rules_every_connector_of_the_type_and_the_addressee_get_it(
        app, client, make_partner, make_erp, queued) -> None:
    buyer = make_partner("buyer", edi_id=BUYER)
    supplier = make_partner("supplier", edi_id=SUPPLIER, roles=("supplier",))
    orders_erp, invoices_erp = make_erp("orders", ("purchase_order",)), make_erp("inv", ("invoice",))
    post(client, buyer, generate(2, 1))
    process(app)
    assert len(queued(orders_erp)) == 2 and queued(invoices_erp) == []
    assert len(_outbound(app, supplier.id)) == 2
    with app.app_context(), new_session() as session:
        assert {d.held for d in session.scalars(select(Document))} == {None}


def test_a_spoofed_document_is_never_routed(app, client, make_partner, make_user, make_erp,
                                            queued) -> None:
    make_partner("buyer", edi_id=BUYER)
    spoofer = make_partner("spoofer", edi_id="4000000000006")
    erp = make_erp("erp1")
    admin = make_user("root", "admin")
    _rule(client, admin, **{"type": "purchase_order", "test": "any", "connectors": ["erp1"]})
    body = generate(1, 1).replace(b"UNB+UNOC:3+5412345000013:14", b"UNB+UNOC:3+4000000000006:14")
    exchange = post(client, spoofer, body)
    process(app)
    shown = client.get(f"/api/v1/exchanges/{exchange}", headers=spoofer.headers).json
    assert shown["state"] == "failed" and "SENDER_MISMATCH" in str(shown["error"])
    assert queued(erp) == []
