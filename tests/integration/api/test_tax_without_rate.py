"""An invoice whose VAT categories have no rate (E exempt, O not subject to VAT) is stored, read back and
rendered in both syntaxes: UBL that the official validator passes with the Peppol rules, EDIFACT that the
hub's own inbound validation accepts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub.db import new_session
from hub.domain.documents import Invoice, TaxSubtotal, Totals
from hub.exchanges.processing import process_pending
from mappings.edifact import invoic
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Message
from mappings.edifact.profile import PartnerProfile
from mappings.edifact.serializer import Envelope, render_interchange
from mappings.edifact.structure import validate_message
from mappings.ubl import render_ubl
from tests.support.conformance import oracle_fatal, oracle_module
from tests.unit.ubl import samples

D = Decimal


def _untaxed_invoice(category: str) -> Invoice:
    """The sample invoice with every line and the breakdown in `category`, without a rate."""
    doc = samples.invoice()
    doc.allowances_charges = []
    for line in doc.lines:
        line.tax_category, line.tax_rate = category, None
    total = sum((line.line_amount or D(0) for line in doc.lines), D("0.00"))
    reason = "Exempt under article 132" if category == "E" else None  # O gets VATEX-EU-O from the hub
    doc.tax_subtotals = [TaxSubtotal(category, None, total, D("0.00"), exemption_reason=reason)]
    doc.totals = Totals(line_total=total, tax_exclusive=total, tax_total=D("0.00"), tax_inclusive=total,
                        payable=total)
    doc.payment_terms[0].means_code = "58"  # SEPA credit transfer: what DK-R-005 allows a Danish seller
    if category == "O":  # BR-O-02: no VAT identifiers on an invoice not subject to VAT
        for party in doc.parties:
            party.tax_ids = []
    return doc


def _as_invoic(doc: Invoice, *, sender: str, recipient: str) -> bytes:
    """The invoice as the seller's EDIFACT INVOIC D.01B (TAX with an empty rate)."""
    body = invoic.render(doc, PartnerProfile(directory="D01B"))
    message = Message("1", "INVOIC", "D", "01B", "UN", None, body)
    return render_interchange(Envelope(sender, recipient, "TAX1", "14", "14"), [message])


def _post(app: Flask, client: FlaskClient, seller: Any, body: bytes) -> dict[str, Any]:
    """Post as the seller, process, and return the stored invoice's document detail."""
    resp = client.post("/api/v1/exchanges", data=body, headers=seller.headers)
    assert resp.status_code == 202
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    exchange = client.get(resp.headers["Location"], headers=seller.headers).json
    assert exchange["state"] == "processed", exchange["error"]
    (doc,) = client.get("/api/v1/documents?type=invoice", headers=seller.headers).json["items"]
    detail: dict[str, Any] = client.get(f"/api/v1/documents/{doc['id']}", headers=seller.headers).json
    return detail


def _assert_valid_edifact(client: FlaskClient, seller: Any, detail: dict[str, Any], category: str) -> None:
    edifact = client.get(detail["links"]["edifact"], headers=seller.headers)
    assert edifact.status_code == 200, edifact.json
    interchange = parse_interchange(edifact.data)
    (message,) = interchange.messages
    problems = interchange.problems + validate_message(message)
    assert [p for p in problems if p.severity == "error"] == []
    taxes = [s.elements for s in message.segments if s.tag == "TAX"]
    assert taxes and all(t[-1] == [category] for t in taxes)


@pytest.mark.parametrize("category", ["E", "O"])
def test_a_peppol_invoice_exempt_or_not_subject_to_vat_renders_in_both_syntaxes(
        app: Flask, client: FlaskClient, make_partner: Any, tmp_path: Path, category: str) -> None:
    seller = make_partner("dk-seller", edi_id="5790000435975", roles=("supplier",))
    make_partner("dk-buyer", edi_id="5798000416604")
    detail = _post(app, client, seller, render_ubl(_untaxed_invoice(category)))
    stored = detail["document"]["tax_subtotals"]
    assert [(s["category"], s.get("rate")) for s in stored] == [(category, "0" if category == "E" else None)]

    ubl = client.get(detail["links"]["ubl"], headers=seller.headers)
    assert ubl.status_code == 200, ubl.json
    fatal = oracle_fatal(oracle_module().Validator(peppol=True), ubl.data, tmp_path, "invoice.xml")
    assert fatal == []
    text = ubl.data.decode()
    assert ("<cbc:Percent>" in text) == (category == "E")  # BR-O-05: no rate at all for O
    assert ("VATEX-EU-O" in text) == (category == "O")  # BR-O-10: the reason O always has
    _assert_valid_edifact(client, seller, detail, category)


@pytest.mark.parametrize("category", ["E", "O"])
def test_an_invoic_without_a_tax_rate_is_stored_without_one_and_renders(
        app: Flask, client: FlaskClient, make_partner: Any, tmp_path: Path, category: str) -> None:
    seller = make_partner("dk-seller", edi_id="5790000435975", roles=("supplier",))
    make_partner("dk-buyer", edi_id="5798000416604")
    body = _as_invoic(_untaxed_invoice(category), sender=seller.edi_id, recipient="5798000416604")
    detail = _post(app, client, seller, body)
    stored = detail["document"]
    assert [(s["category"], s.get("rate")) for s in stored["tax_subtotals"]] == [(category, None)]
    assert {(line["tax_category"], line.get("tax_rate")) for line in stored["lines"]} == {(category, None)}
    _assert_valid_edifact(client, seller, detail, category)

    ubl = client.get(detail["links"]["ubl"], headers=seller.headers)
    assert ubl.status_code == 200, ubl.json
    # EN 16931 (the Peppol endpoint an EDIFACT invoice lacks is the routing's to add, not the tax's)
    assert oracle_fatal(oracle_module().Validator(), ubl.data, tmp_path, "invoice.xml") == []
    assert ("<cbc:Percent>" in ubl.data.decode()) == (category == "E")
    if category == "E":  # the INVOIC carries the exemption reason (FTX+TXD): BR-E-10 holds
        assert stored["tax_subtotals"][0]["exemption_reason"] == "Exempt under article 132"
        assert "Exempt under article 132" in ubl.data.decode()
