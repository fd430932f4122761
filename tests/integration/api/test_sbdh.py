"""Peppol envelopes through the hub: an SBDH is opened on receipt (its InstanceIdentifier is the
exchange's control reference, its header checked against the document and the poster, hostile XML
refused as any XML) and written around the UBL a partner with `sbdh=true` is sent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from lxml import etree

from hub.db import new_session
from hub.domain.errors import Problem
from hub.domain.validation import Validation
from hub.exchanges.outbound import add_outbound
from hub.models import Exchange
from hub.routing.to_partners import render_again
from hub.xmlsafe import parse_xml
from mappings.ubl import sbdh
from mappings.ubl.mlr import refused_in, render_mlr
from tests.support.conformance import oracle_fatal, oracle_module
from tests.support.exchanges import post, process, shown, use_syntax

UBL = Path(__file__).resolve().parents[3] / "fixtures" / "ubl"
INVOICE = (UBL / "ponte_invoice_peppol.xml").read_bytes()
ORDER = (UBL / "ponte_order_peppol.xml").read_bytes()
SELLER, BUYER, OTHER = "5790000435975", "5798000416604", "5412345000013"
INSTANCE = "0b8e4f7a-2c1d-4e9b-8a55-7d3c6e1f9a20"


def _wrapped(data: bytes = INVOICE) -> bytes:
    return sbdh.wrap(parse_xml(data), created=datetime(2026, 12, 2, 9, 0, tzinfo=UTC), instance_id=INSTANCE)


def _files(client: FlaskClient, partner: Any) -> list[bytes]:
    items = client.get("/api/v1/mailbox", headers=partner.headers).json["items"]
    return [client.get(i["links"]["file"], headers=partner.headers).data for i in items]


def test_an_enveloped_invoice_is_opened_and_processed(app: Flask, client: FlaskClient, make_partner) -> None:
    seller = make_partner("seller", edi_id=SELLER, roles=("supplier",))
    buyer = make_partner("buyer", edi_id=BUYER)
    ex = shown(client, seller, post(client, seller, _wrapped()))
    assert ex["control_ref"] == INSTANCE and ex["type"] == "Invoice"
    process(app)
    ex = shown(client, seller, ex["id"])
    assert ex["state"] == "processed", ex["error"]
    assert [d["number"] for d in ex["result"]["documents"]] == ["INV-2024-1001"]
    assert len(_files(client, buyer)) == 1  # routed as any invoice
    again = client.post("/api/v1/exchanges", data=_wrapped(), headers=seller.headers)
    assert again.status_code == 200 and again.json["id"] == ex["id"]  # the same instance: a duplicate


def test_an_envelope_whose_sender_is_another_partner_is_refused_with_an_mlr(
        app: Flask, client: FlaskClient, make_partner) -> None:
    make_partner("other", edi_id=OTHER, roles=("supplier",))
    poster = use_syntax(app, make_partner("seller", edi_id=SELLER, roles=("supplier",)), "ubl")
    body = _wrapped().replace(f">0088:{SELLER}<".encode(), f">0088:{OTHER}<".encode(), 1)
    ex = shown(client, poster, post(client, poster, body))
    process(app)
    ex = shown(client, poster, ex["id"])
    assert ex["state"] == "failed"
    header = "/StandardBusinessDocument/StandardBusinessDocumentHeader/Sender/Identifier"
    assert {(p["code"], p["element"]) for p in ex["error"]["problems"]} == {
        ("SBDH_SENDER_MISMATCH", header), ("SENDER_MISMATCH", header)}
    (mlr,) = _files(client, poster)
    assert b"<cbc:LineID>" + header.encode() + b"</cbc:LineID>" in mlr
    assert b"<cbc:ID>INV-2024-1001</cbc:ID>" in mlr  # the document inside the envelope is named


def test_hostile_xml_in_an_envelope_is_refused_as_any_xml(app: Flask, client: FlaskClient,
                                                          make_partner) -> None:
    seller = make_partner("seller", edi_id=SELLER, roles=("supplier",))
    body = _wrapped().replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1)
    ex = shown(client, seller, post(client, seller, body))
    process(app)
    ex = shown(client, seller, ex["id"])
    assert ex["state"] == "failed" and ex["error"]["problems"][0]["code"] == "XML_DOCTYPE"


@pytest.mark.parametrize("setting", ["true", "false"])
def test_a_partner_with_sbdh_gets_its_ubl_in_an_envelope(app: Flask, client: FlaskClient,
                                                          runner: FlaskCliRunner, make_partner,
                                                          setting: str, tmp_path: Path) -> None:
    buyer = make_partner("buyer", edi_id=BUYER)
    supplier = use_syntax(app, make_partner("supplier", edi_id=SELLER, roles=("supplier",)), "ubl")
    out = runner.invoke(args=["hub", "partner-profile", "supplier", "--set", f"sbdh={setting}"])
    assert out.exit_code == 0, out.output
    post(client, buyer, ORDER)
    process(app)
    (sent,) = _files(client, supplier)
    root = parse_xml(sent)
    if setting == "false":
        assert not sbdh.is_sbdh(root)
        return
    envelope, payload = sbdh.unwrap(root)
    assert (envelope.sender, envelope.receiver) == (f"0088:{BUYER}", f"0088:{SELLER}")
    assert envelope.document_id == ("urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order##"
                                    "urn:fdc:peppol.eu:poacc:trns:order:3::2.1")
    assert envelope.process_id == "urn:fdc:peppol.eu:poacc:bis:ordering:3" and envelope.instance_id
    assert sbdh.check(envelope, payload) == []
    data = etree.tostring(payload, xml_declaration=True, encoding="UTF-8")
    assert oracle_fatal(oracle_module().Validator(peppol=True), data, tmp_path, "payload.xml") == []


def test_an_mlr_goes_in_an_envelope_too(app: Flask, client: FlaskClient, runner: FlaskCliRunner,
                                        make_partner) -> None:
    poster = use_syntax(app, make_partner("seller", edi_id=SELLER, roles=("buyer",)), "ubl")
    assert runner.invoke(args=["hub", "partner-profile", "seller", "--set", "sbdh=true"]).exit_code == 0
    post(client, poster, INVOICE)  # a buyer's invoice: refused for its role
    process(app)
    (sent,) = _files(client, poster)
    envelope, payload = sbdh.unwrap(parse_xml(sent))
    assert etree.QName(payload).localname == "ApplicationResponse"
    assert (envelope.sender, envelope.receiver) == (f"0088:{BUYER}", f"0088:{SELLER}")
    assert envelope.document_id and envelope.document_id.endswith("##urn:fdc:peppol.eu:poacc:trns:mlr:3::2.1")


def test_a_held_ubl_acknowledgement_goes_out_in_its_envelope_once_it_passes(
        app: Flask, runner: FlaskCliRunner, make_partner) -> None:
    partner = make_partner("seller", edi_id=SELLER, roles=("supplier",))
    assert runner.invoke(args=["hub", "partner-profile", "seller", "--set", "sbdh=true"]).exit_code == 0
    mlr = render_mlr("M1", datetime(2026, 12, 2, 9, 0, tzinfo=UTC), refused_in(INVOICE, None),
                     [Problem(code="X", message="x")], sender=None, receiver=None)
    failing = Validation()
    failing.add("rules of the day", [Problem(code="BROKEN", message="a rule the hub had wrong")])
    with app.app_context(), new_session() as session:
        held, _ = add_outbound(session, partner.id, doc_type="ApplicationResponse", syntax="ubl", raw=mlr,
                               content_type="application/xml", control_ref="M1", sender=None,
                               recipient=None, reply_to=None, actor="test", validation=failing)
        assert held.state == "invalid" and not sbdh.is_sbdh(parse_xml(held.raw))
        assert render_again(session, held, actor="test",
                            settings=app.config["HUB_SETTINGS"]).value == "pending"  # the rules were fixed
        session.commit()
        again = session.get(Exchange, held.id)
        assert again is not None
        envelope, payload = sbdh.unwrap(parse_xml(again.raw))
        assert etree.QName(payload).localname == "ApplicationResponse" and envelope.sender == f"0088:{BUYER}"
