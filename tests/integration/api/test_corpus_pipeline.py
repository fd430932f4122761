"""The conformance corpus through the whole hub, as tests/conformance/corpus/README.md says."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from hub.db import new_session
from hub.exchanges.processing import process_pending
from mappings.edifact.envelope import parse_interchange
from tests.support.conformance import CORPUS

# file -> (codes that reject it by default, what it maps to once accepted)
EDIFACT = {
    "pydifact/order.edi": (set(), "purchase_order"),
    "pydifact/order2.edi": (set(), "purchase_order"),
    "pydifact/invoice1.edi": (set(), "invoice"),
    "pydifact/wikipedia_de.edi": ({"UNZ_REFERENCE"}, "purchase_order"),
    "staedi/invoic_d93a_una.edi": (set(), "invoice"),
    "staedi/invoic_d97b.edi": (set(), "invoice"),
    "staedi/orders-with-group.edi": ({"UNT_COUNT"}, "purchase_order"),
    "smooks/ORDERS_D.03B_Interchange.txt": (set(), "purchase_order"),
    "smooks/INVOIC_D.03B_Interchange_with_UNA.txt": ({"UNT_COUNT"}, "invoice"),
    "en16931-invoic-d14b/EDIFACT_EXAMPLE1.TXT": ({"UNZ_REFERENCE"}, "invoice"),
}


# the partner role that sends each document type (a supplier invoices, a buyer orders)
SENDER_ROLE = {"purchase_order": "buyer", "invoice": "supplier", "order_response": "supplier"}


def _partner_for(make_partner, path: Path, doc_type: str = "purchase_order"):
    ic = parse_interchange(path.read_bytes())
    return make_partner(path.stem[:40], edi_id=ic.sender, qualifier=ic.sender_qualifier or "",
                        roles=(SENDER_ROLE[doc_type],))


def _run(app: Flask, client: FlaskClient, partner, body: bytes) -> dict:
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    assert resp.status_code == 202
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    return client.get(resp.headers["Location"], headers=partner.headers).json


@pytest.mark.parametrize("name", sorted(EDIFACT))
def test_corpus_edifact(app, client, runner: FlaskCliRunner, make_partner, name):
    rejected_by, doc_type = EDIFACT[name]
    path = CORPUS / "edifact" / name
    partner = _partner_for(make_partner, path, doc_type)
    ex = _run(app, client, partner, path.read_bytes())
    if rejected_by:
        assert ex["state"] == "failed"
        assert {p["code"] for p in ex["error"]["problems"]} == rejected_by
        runner.invoke(args=["hub", "partner-profile", partner.name, "--set",
                            "tolerate_count_mismatch=true"])
        assert runner.invoke(args=["hub", "reprocess", ex["id"]]).exit_code == 0
        ex = client.get(f"/api/v1/exchanges/{ex['id']}", headers=partner.headers).json
        assert rejected_by <= {w["code"] for w in ex["warnings"]}
    assert ex["state"] == "processed", ex["error"]
    assert ex["result"]["documents"]
    assert {d["type"] for d in ex["result"]["documents"]} == {doc_type}


def test_corpus_bad_orders_is_rejected_with_the_errors_it_has(app, client, make_partner):
    path = CORPUS / "edifact" / "smooks" / "BAD_ORDERS_D.03B_Interchange.txt"
    ex = _run(app, client, _partner_for(make_partner, path), path.read_bytes())
    assert ex["state"] == "failed"
    found = {(p["code"], p.get("segment_tag")) for p in ex["error"]["problems"]}
    assert ("TOO_MANY_REPEATS", "DTM") in found and ("UNT_COUNT", "UNT") in found


@pytest.mark.parametrize(("name", "doc_type"), [
    ("en16931/ubl-tc434-example1.xml", "invoice"), ("en16931/ubl-tc434-creditnote1.xml", "invoice"),
    ("oasis-2.1/UBL-Order-2.1-Example.xml", "purchase_order"),
    ("oasis-2.1/UBL-OrderResponse-2.1-Example.xml", "order_response")])
def test_corpus_ubl_accepted(app, client, make_partner, name, doc_type):
    partner = make_partner("ubl-sender", roles=(SENDER_ROLE[doc_type],))
    ex = _run(app, client, partner, (CORPUS / "ubl" / name).read_bytes())
    assert ex["state"] == "processed", ex["error"]
    (doc,) = ex["result"]["documents"]
    shown = client.get(doc["links"]["self"], headers=partner.headers).json["document"]
    assert shown["number"] == doc["number"] and doc["type"] == doc_type


@pytest.mark.parametrize("name", ["oasis-2.1/UBL-OrderChange-2.1-Example.xml",
                                  "oasis-2.1/UBL-OrderCancellation-2.1-Example.xml"])
def test_corpus_ubl_order_change_and_cancellation_are_translated(app, client, make_partner, name):
    partner = make_partner("ubl-sender", roles=("buyer",))
    ex = _run(app, client, partner, (CORPUS / "ubl" / name).read_bytes())
    assert ex["state"] == "processed", ex["error"]
    (doc,) = ex["result"]["documents"]
    assert doc["type"] == ("order_change" if "OrderChange" in name else "order_cancellation")


def test_xxe_is_rejected_and_nothing_leaks(app, client, make_partner):
    partner = make_partner("evil")
    body = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&e;</Invoice>')
    ex = _run(app, client, partner, body)
    assert ex["state"] == "failed" and ex["error"]["problems"][0]["code"] == "XML_DOCTYPE"
    assert "root:" not in str(ex)
