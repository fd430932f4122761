"""An issued invoice followed after it left: sent when the buyer takes it from its mailbox, acknowledged or
rejected by the buyer's CONTRL, APERAK or Peppol Invoice Response (the reasons shown in its detail), and a
rejected one corrected by a credit note and a new invoice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import new_session
from hub.models import AuditEvent, Exchange
from tests.integration.invoicing.conftest import invoice_body
from tests.support.conformance import oracle_fatal, oracle_module
from tests.support.exchanges import post, process

URL = "/api/v1/invoicing/invoices"
EDI_BUYER = "4012345000009"


class Buyer:
    """A buyer of the invoicing fixture, with an API key to post its answers."""

    def __init__(self, runner: Any, name: str) -> None:
        out = runner.invoke(args=["hub", "key-add", name])
        assert out.exit_code == 0, out.output
        self.headers = {"Authorization": f"Bearer {out.output.strip().splitlines()[-1]}"}


def _issue(client: FlaskClient, invoicing: dict[str, Any], buyer: str) -> dict[str, Any]:
    answer = client.post(URL, json=invoice_body(buyer), headers=invoicing["admin"])
    assert answer.status_code == 201, answer.get_json()
    return dict(answer.get_json())


def _detail(client: FlaskClient, invoicing: dict[str, Any], invoice_id: int) -> dict[str, Any]:
    return dict(client.get(f"{URL}/{invoice_id}", headers=invoicing["auditor"]).get_json())


def _take_from_mailbox(client: FlaskClient, buyer: Buyer, exchange_id: str) -> None:
    listed = client.get("/api/v1/mailbox", headers=buyer.headers).get_json()["items"]
    assert exchange_id in [i["id"] for i in listed]
    taken = client.post("/api/v1/mailbox/ack", json={"ids": [exchange_id]}, headers=buyer.headers)
    assert taken.status_code == 200, taken.get_json()


def aperak(number: str, *, response: str = "27", errors: tuple[tuple[str, str], ...] = (),
           to: str = "5790000435975:14", ack_request: bool = False, ref: str = "APK1") -> bytes:
    """The EDIFACT buyer's APERAK about invoice `number` (27: not accepted), to the company's GLN."""
    body = [f"BGM+313+APK-{number}+9+{response}", "DTM+137:202611221300:203", f"RFF+IV:{number}"]
    for code, text in errors:
        body += [f"ERC+{code}::ZZZ", f"FTX+AAO+++{text}"]
    segments = "".join(s + "'" for s in body)
    return (f"UNA:+.? 'UNB+UNOC:3+{EDI_BUYER}:14+{to}+20261122:1300+{ref}{'++++1' if ack_request else ''}'"
            "UNH+1+APERAK:D:96A:UN'"
            f"{segments}UNT+{len(body) + 2}+1'UNZ+1+{ref}'").encode("latin-1")


def contrl(control_ref: str, action: str, *more: str) -> bytes:
    """The EDIFACT buyer's CONTRL about interchange `control_ref` (with `more` segments: UCM, UCS...)."""
    body = "".join(s + "'" for s in more)
    return (f"UNB+UNOC:3+{EDI_BUYER}:14+5790000435975:14+20261122:1200+CTL1'UNH+1+CONTRL:D:3:UN'"
            f"UCI+{control_ref}+5790000435975:14+{EDI_BUYER}:14+{action}'{body}UNT+{len(more) + 3}+1'"
            "UNZ+1+CTL1'"
            ).encode("latin-1")


def invoice_response(number: str, code: str, *, ref: str = "IR-1",
                     statuses: tuple[tuple[str, str, str], ...] = (), to: str = "5790000435975") -> bytes:
    """A Peppol Invoice Response (BIS 3) from peppol-buyer about invoice `number`; each status is
    (list, code, text): OPStatusReason or OPStatusAction with its clarification."""
    status = "".join(f'<cac:Status><cbc:StatusReasonCode listID="{lst}">{c}</cbc:StatusReasonCode>'
                     f"<cbc:StatusReason>{text}</cbc:StatusReason></cac:Status>" for lst, c, text in statuses)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ApplicationResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:invoice_response:3</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:invoice_response:3</cbc:ProfileID>
  <cbc:ID>{ref}</cbc:ID>
  <cbc:IssueDate>2026-05-10</cbc:IssueDate>
  <cac:SenderParty>
    <cbc:EndpointID schemeID="0088">5790000435968</cbc:EndpointID>
    <cac:PartyLegalEntity><cbc:RegistrationName>Peppol Buyer</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:SenderParty>
  <cac:ReceiverParty>
    <cbc:EndpointID schemeID="0088">{to}</cbc:EndpointID>
    <cac:PartyLegalEntity><cbc:RegistrationName>Ponte Seller SA</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:ReceiverParty>
  <cac:DocumentResponse>
    <cac:Response>
      <cbc:ResponseCode listID="UNCL4343OpSubset">{code}</cbc:ResponseCode>
      <cbc:EffectiveDate>2026-05-10</cbc:EffectiveDate>
      {status}
    </cac:Response>
    <cac:DocumentReference>
      <cbc:ID>{number}</cbc:ID>
      <cbc:DocumentTypeCode>380</cbc:DocumentTypeCode>
    </cac:DocumentReference>
    <cac:IssuerParty>
      <cac:PartyIdentification><cbc:ID schemeID="0088">5790000435975</cbc:ID></cac:PartyIdentification>
      <cac:PartyName><cbc:Name>Ponte Seller SA</cbc:Name></cac:PartyName>
    </cac:IssuerParty>
    <cac:RecipientParty>
      <cac:PartyIdentification><cbc:ID schemeID="0088">5790000435968</cbc:ID></cac:PartyIdentification>
      <cac:PartyName><cbc:Name>Peppol Buyer</cbc:Name></cac:PartyName>
    </cac:RecipientParty>
  </cac:DocumentResponse>
</ApplicationResponse>""".encode()


def _processed(app: Flask, client: FlaskClient, buyer: Buyer, body: bytes) -> dict[str, Any]:
    exchange_id = post(client, buyer, body)
    process(app)
    shown = client.get(f"/api/v1/exchanges/{exchange_id}", headers=buyer.headers).get_json()
    assert shown["state"] == "processed", shown["error"]
    return dict(shown)


def _reissue_and_check(app: Flask, client: FlaskClient, invoicing: dict[str, Any], invoice: dict[str, Any],
                       tmp_path: Path | None = None) -> dict[str, Any]:
    answer = client.post(f"{URL}/{invoice['id']}/reissue", headers=invoicing["admin"], json={
        "reason": "Wrong buyer reference", "corrections": {"buyer_reference": "DEPT-42"}})
    assert answer.status_code == 201, answer.get_json()
    note, new = answer.get_json()["credit_note"], answer.get_json()["invoice"]
    assert (note["number"], note["payable"], note["credit_of_id"]) == (
        "CN-2026-000001", "34.06", invoice["id"])
    assert (new["number"], new["state"], new["canonical"]["buyer_reference"]) == (
        "INV-2026-000002", "issued", "DEPT-42")
    references = {(r["kind"], r["number"]) for r in note["canonical"]["references"]}
    assert ("previous_invoice", invoice["number"]) in references  # the billing reference (BT-25)
    old = _detail(client, invoicing, invoice["id"])
    assert old["state"] == "credited"
    assert old["history"][-1] == {**old["history"][-1], "what": "reissued", "credit_note": "CN-2026-000001",
                                  "new_invoice": "INV-2026-000002"}
    with app.app_context(), new_session() as session:
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type.in_(
            ("invoice", "credit_note")))))
        assert {"credit_note.issued", "invoice.issued", "invoice.reissued", "invoice.rejected"} <= actions
        if tmp_path is not None:
            for issued in (note, new):
                exchange = session.get(Exchange, issued["exchange_id"])
                assert exchange is not None and exchange.state == "pending"
                assert oracle_fatal(oracle_module().Validator(peppol=True), bytes(exchange.raw), tmp_path,
                                    f"{issued['number']}.xml") == []
    return dict(new)


def test_an_edifact_buyer_takes_the_invoice_then_its_aperak_rejects_it_and_a_reissue_corrects_it(
        app, client, runner, invoicing):
    buyer = Buyer(runner, "edi-buyer")
    invoice = _issue(client, invoicing, "edi-buyer")
    _take_from_mailbox(client, buyer, invoice["exchange_id"])
    assert _detail(client, invoicing, invoice["id"])["state"] == "sent"
    # the syntax is accepted ...
    _processed(app, client, buyer, contrl("H00000001", "7"))
    assert _detail(client, invoicing, invoice["id"])["state"] == "acknowledged"
    # ... then the buyer's business system refuses it
    shown = _processed(app, client, buyer, aperak(invoice["number"], errors=(
        ("REF", "Order PO-1 is closed"), ("PRI", "Price of line 1 differs from the contract"))))
    assert shown["result"]["acknowledges"][0]["exchange_id"] == invoice["exchange_id"]
    detail = _detail(client, invoicing, invoice["id"])
    assert detail["state"] == "rejected"
    assert [h["what"] for h in detail["history"]] == ["issued", "sent", "acknowledged", "rejected"]
    said = detail["buyer_responses"][-1]
    assert (said["by"], said["response"], said["meaning"]) == ("APERAK", "27", "not accepted")
    assert said["reasons"] == [{"code": "REF", "agency": "ZZZ", "text": "Order PO-1 is closed"},
                               {"code": "PRI", "agency": "ZZZ",
                                "text": "Price of line 1 differs from the contract"}]
    assert client.get(f"{URL}?state=rejected", headers=invoicing["auditor"]).get_json()["items"][0][
        "id"] == invoice["id"]
    _reissue_and_check(app, client, invoicing, invoice)


def test_a_negative_contrl_rejects_the_invoice_naming_the_syntax_errors(app, client, runner, invoicing):
    buyer = Buyer(runner, "edi-buyer")
    invoice = _issue(client, invoicing, "edi-buyer")
    # not taken from the mailbox yet: an answer proves the buyer has it, so it is sent first
    _processed(app, client, buyer, contrl("H00000001", "4", "UCM+1+INVOIC:D:96A:UN+4", "UCS+5+13"))
    detail = _detail(client, invoicing, invoice["id"])
    assert detail["state"] == "rejected"
    assert [h["what"] for h in detail["history"]] == ["issued", "sent", "rejected"]
    assert detail["buyer_responses"][0]["reasons"] == [
        {"code": "13", "text": "missing", "message": "1", "segment_position": 5}]


def test_a_peppol_invoice_response_acknowledges_then_rejects_with_reasons_and_a_reissue_corrects_it(
        app, client, runner, invoicing, tmp_path: Path):
    buyer = Buyer(runner, "peppol-buyer")
    invoice = _issue(client, invoicing, "peppol-buyer")
    _take_from_mailbox(client, buyer, invoice["exchange_id"])
    _processed(app, client, buyer, invoice_response(invoice["number"], "AB"))
    assert _detail(client, invoicing, invoice["id"])["state"] == "acknowledged"
    _processed(app, client, buyer, invoice_response(invoice["number"], "RE", ref="IR-2", statuses=(
        ("OPStatusReason", "REF", "The order reference PO-1 is not ours"),
        ("OPStatusAction", "NIN", "Issue a new invoice with our department reference"))))
    detail = _detail(client, invoicing, invoice["id"])
    assert detail["state"] == "rejected"
    first, second = detail["buyer_responses"]
    assert (first["by"], first["response"], first["meaning"]) == ("InvoiceResponse", "AB", "received")
    assert (second["response"], second["meaning"]) == ("RE", "rejected")
    assert [(r["code"], r["text"]) for r in second["reasons"]] == [
        ("REF", "The order reference PO-1 is not ours"),
        ("NIN", "Issue a new invoice with our department reference")]
    _reissue_and_check(app, client, invoicing, invoice, tmp_path)


def test_a_paid_response_is_recorded_but_does_not_make_the_invoice_paid(app, client, runner, invoicing):
    buyer = Buyer(runner, "peppol-buyer")
    invoice = _issue(client, invoicing, "peppol-buyer")
    _processed(app, client, buyer, invoice_response(invoice["number"], "AP"))
    _processed(app, client, buyer, invoice_response(invoice["number"], "PD", ref="IR-2"))
    detail = _detail(client, invoicing, invoice["id"])
    assert (detail["state"], detail["paid"]) == ("acknowledged", "0.00")
    assert detail["history"][-1]["what"] == "buyer_response"
    assert detail["buyer_responses"][-1] == {**detail["buyer_responses"][-1], "response": "PD",
                                             "meaning": "paid", "buyer_reports_paid": True}


def test_a_paid_invoice_is_not_reissued_and_a_reissue_cannot_change_the_buyer(app, client, invoicing):
    invoice = _issue(client, invoicing, "peppol-buyer")
    refused = client.post(f"{URL}/{invoice['id']}/reissue", json={"corrections": {"buyer": "edi-buyer"}},
                          headers=invoicing["admin"])
    assert refused.status_code == 422
    assert [p["element"] for p in refused.get_json()["error"]["problems"]] == ["corrections.buyer"]
    client.post(f"{URL}/{invoice['id']}/credit-notes", json={}, headers=invoicing["admin"])
    again = client.post(f"{URL}/{invoice['id']}/reissue", json={}, headers=invoicing["admin"])
    assert again.status_code == 409
    # nothing was half-done: one credit note, no second invoice
    listed = client.get(URL, headers=invoicing["auditor"]).get_json()["items"]
    assert sorted(i["number"] for i in listed) == ["CN-2026-000001", "INV-2026-000001"]
