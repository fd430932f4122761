"""UBL through the whole hub: bad XML stored with its error, routing between syntaxes both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub.db import new_session
from hub.exchanges.processing import process_pending
from hub.models import Partner
from mappings.edifact.envelope import parse_interchange
from mappings.ubl import parse_ubl
from tests.support.conformance import EDIFACT_CORPUS, corpus_file
from tests.support.exchanges import held_or_sendable, rendered

ROOT = Path(__file__).resolve().parents[3]
UBL = ROOT / "fixtures" / "ubl"
CORPUS = EDIFACT_CORPUS
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"


def _run(app: Flask, client: FlaskClient, partner, body: bytes) -> dict:
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    assert resp.status_code == 202
    process_pending(lambda: new_session(app))
    return client.get(resp.headers["Location"], headers=partner.headers).json


def _prefers(app: Flask, partner_id: int, syntax: str) -> None:
    with app.app_context(), new_session() as session:
        session.get(Partner, partner_id).syntax = syntax
        session.commit()


BAD = {
    "xxe": (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<x>&e;</x>', "XML_DOCTYPE"),
    "billion_laughs": (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">'
                       b'<!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>', "XML_DOCTYPE"),
    "xinclude": (f'<Invoice xmlns="{INVOICE_NS}" xmlns:xi="http://www.w3.org/2001/XInclude">'
                 '<xi:include href="file:///etc/passwd" parse="text"/></Invoice>'.encode(),
                 "XML_SCHEMA"),
    "not_ubl": (b"<catalog><item/></catalog>", None),
    "malformed": (b"<Invoice><unclosed></Invoice>", "XML_SYNTAX"),
    "schema_invalid": (f'<Invoice xmlns="{INVOICE_NS}"><Nonsense/></Invoice>'.encode(),
                       "XML_SCHEMA"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_xml_is_stored_with_a_specific_error(app, client, make_partner, case):
    body, code = BAD[case]
    partner = make_partner("xml-sender")
    ex = _run(app, client, partner, body)
    assert ex["state"] == "failed"
    assert ex["error"]["message"]
    if code:
        assert code in {p["code"] for p in ex["error"]["problems"]}, ex["error"]
    assert "root:x:0:0" not in str(ex)  # /etc/passwd never leaks
    raw = client.get(ex["links"]["raw"], headers=partner.headers).data
    assert raw == body  # kept as received, for reprocessing after a fix


def test_oversized_xml_is_refused_by_the_api(client, make_partner):
    partner = make_partner("xml-sender")
    big = b"<Invoice>" + b"<x/>" * 300_000 + b"</Invoice>"
    assert client.post("/api/v1/exchanges", data=big, headers=partner.headers).status_code == 413


def _staff_outbound(client: FlaskClient, make_user, partner) -> list[dict]:
    staff = make_user("ops", "admin")
    return client.get(f"/api/v1/exchanges?direction=outbound&partner_id={partner.id}",
                      headers=staff).json["items"]


def test_a_ubl_order_reaches_an_edifact_supplier_as_orders(app, client, make_partner, make_user):
    buyer = make_partner("ubl-buyer", edi_id="5798000416604", qualifier="14")
    supplier = make_partner("edi-supplier", edi_id="5790000435975", qualifier="14")
    order = parse_ubl((UBL / "ponte_order_peppol.xml").read_bytes())
    ex = _run(app, client, buyer, (UBL / "ponte_order_peppol.xml").read_bytes())
    assert ex["state"] == "processed", ex["error"]
    (item,) = _staff_outbound(client, make_user, supplier)
    assert item["syntax"] == "edifact"
    held_or_sendable(item)
    interchange = parse_interchange(rendered(app, item))
    assert interchange.recipient == "5790000435975" and not [
        p for p in interchange.problems if p.severity == "error"]
    message = interchange.messages[0]
    assert message.type == "ORDERS"
    bgm = next(s for s in message.segments if s.tag == "BGM")
    assert bgm.get(1) == order.number


def test_an_invoice_that_is_not_valid_ubl_is_not_sent_and_says_why(app, client, make_partner,
                                                                   make_user):
    path = corpus_file("edifact/pydifact/invoice1.edi")
    ic = parse_interchange(path.read_bytes())
    seller = make_partner("old-seller", edi_id=ic.sender, qualifier=ic.sender_qualifier or "",
                          roles=("supplier",))
    buyer = make_partner("peppol-buyer", edi_id=ic.recipient, qualifier=ic.recipient_qualifier or "")
    _prefers(app, buyer.id, "ubl")
    ex = _run(app, client, seller, path.read_bytes())
    assert ex["state"] == "processed", ex["error"]
    assert client.get("/api/v1/exchanges?direction=outbound",
                      headers=buyer.headers).json["items"] == []  # never offered to the buyer
    (item,) = _staff_outbound(client, make_user, buyer)
    assert item["state"] == "invalid"
    rules = item["result"]["validation"]["rules"]
    assert rules[0] == "UBL 2.1 XSD" and rules[1].startswith("EN16931")
    # this 1999 credit note is valid UBL (its invoicee, NAD+BT, is the AccountingCustomerParty) but
    # names neither seller nor buyer, nor their addresses, and its totals do not add up: EN 16931 says so
    codes = {p["code"] for p in item["error"]["problems"]}
    assert {"BR-06", "BR-07", "BR-08", "BR-10", "BR-CO-15"} <= codes and "XML_SCHEMA" not in codes
    assert "EN16931" in item["error"]["message"]


def test_an_invoice_breaking_en16931_is_not_sent_and_names_the_rules(app, client, make_partner,
                                                                     make_user):
    # a Brazilian invoice taxed with ICMS is fine as EDIFACT but is no EN 16931 VAT invoice
    path = ROOT / "fixtures" / "edifact" / "brfoods_invoic_d96a_cnpj.edi"
    seller = make_partner("brfoods", edi_id="7891234000019", qualifier="14", roles=("supplier",))
    with app.app_context(), new_session() as session:  # its units (UN, CX) as Rec 20 codes
        session.get(Partner, seller.id).profile = {"unit_codes": {"UN": "C62", "CX": "XBX"}}
        session.commit()
    buyer = make_partner("peppol-buyer", edi_id="7899876000015", qualifier="14")
    _prefers(app, buyer.id, "ubl")
    ex = _run(app, client, seller, path.read_bytes())
    assert ex["state"] == "processed", ex["error"]
    (item,) = _staff_outbound(client, make_user, buyer)
    assert item["state"] == "invalid" and "EN16931 1.3.16" in item["error"]["message"]
    assert "EN16931 1.3.16" in item["result"]["validation"]["rules"]
    rules = {p["code"] for p in item["error"]["problems"]}
    assert {"BR-47", "BR-CO-17"} <= rules


def test_the_same_unrenderable_invoice_twice_is_recorded_twice(app, client, make_partner,
                                                               make_user):
    path = ROOT / "fixtures" / "edifact" / "brfoods_invoic_d96a_cnpj.edi"
    seller = make_partner("brfoods", edi_id="7891234000019", qualifier="14", roles=("supplier",))
    buyer = make_partner("peppol-buyer", edi_id="7899876000015", qualifier="14")
    _prefers(app, buyer.id, "ubl")
    first = path.read_bytes()
    again = first.replace(b"NF000981", b"NF000982")  # a re-sent interchange, same invoice inside
    assert _run(app, client, seller, first)["state"] == "processed"
    assert _run(app, client, seller, again)["state"] == "processed"
    items = _staff_outbound(client, make_user, buyer)
    assert [i["state"] for i in items] == ["invalid", "invalid"]
