"""Each company's own EDI identity: what the hub issues for it goes out under it, inbound UNB recipients and
EndpointIDs select it (recorded on the exchange), acknowledgements answer under the identity the partner
wrote to, and a file addressed to an identity the hub does not have is refused naming where."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.integration.invoicing.conftest import invoice_body
from tests.integration.invoicing.test_buyer_responses import Buyer, aperak, invoice_response
from tests.support.exchanges import post, process, raw_interchange

URL = "/api/v1/invoicing/invoices"


def _second_company(runner: Any) -> int:
    out = runner.invoke(args=["hub", "company-add", "Ponte Brasil Ltda", "--country", "BR", "--id",
                              "edi:PONTEBR:ZZ", "--street", "Rua Augusta 100", "--city", "Sao Paulo",
                              "--postal-code", "01304-000"])
    assert out.exit_code == 0, out.output
    return int(out.output.split()[1].rstrip(":"))


def _shown(app: Flask, client: FlaskClient, buyer: Buyer, body: bytes) -> dict[str, Any]:
    exchange_id = post(client, buyer, body)
    process(app)
    return dict(client.get(f"/api/v1/exchanges/{exchange_id}", headers=buyer.headers).get_json())


def test_a_company_issues_under_its_own_identity_and_answers_come_back_to_it(
        app: Flask, client: FlaskClient, runner: Any, invoicing: dict[str, Any]) -> None:
    brasil = _second_company(runner)
    buyer = Buyer(runner, "edi-buyer")
    answer = client.post(URL, json=invoice_body("edi-buyer", company="Ponte Brasil Ltda"),
                         headers=invoicing["admin"])
    assert answer.status_code == 201, answer.get_json()
    invoice = answer.get_json()
    sent = raw_interchange(client, buyer, invoice["exchange_id"])
    assert (sent.sender, sent.sender_qualifier) == ("PONTEBR", "ZZ")
    # the buyer's APERAK, written to that identity and asking for a CONTRL
    shown = _shown(app, client, buyer, aperak(invoice["number"], to="PONTEBR:ZZ", ack_request=True))
    assert shown["state"] == "processed", shown["error"]
    assert shown["company_id"] == brasil
    detail = client.get(f"{URL}/{invoice['id']}", headers=invoicing["auditor"]).get_json()
    assert detail["state"] == "rejected"
    (contrl_id,) = shown["result"]["acknowledgements"]
    contrl = raw_interchange(client, buyer, contrl_id)
    assert (contrl.sender, contrl.sender_qualifier) == ("PONTEBR", "ZZ")  # from the identity written to
    # the other company is selected by its GLN, the hub's default identity selects none
    first = _shown(app, client, buyer, aperak("X-1", to="5790000435975:14", ref="APK2"))
    default = _shown(app, client, buyer, aperak("X-2", to="PONTEHUB", ref="APK3"))
    assert (first["state"], default["state"]) == ("processed", "processed")
    companies = client.get("/api/v1/invoicing/companies", headers=invoicing["auditor"]).get_json()["items"]
    seller = next(c["id"] for c in companies if c["name"] == "Ponte Seller SA")
    assert (first["company_id"], default["company_id"]) == (seller, None)


def test_an_interchange_to_an_identity_the_hub_does_not_have_is_refused_naming_unb_0010(
        app: Flask, client: FlaskClient, runner: Any, invoicing: dict[str, Any]) -> None:
    buyer = Buyer(runner, "edi-buyer")
    shown = _shown(app, client, buyer, aperak("X-1", to="SOMEONEELSE:ZZ"))
    assert shown["state"] == "failed"
    (problem,) = shown["error"]["problems"]
    assert (problem["code"], problem["segment_tag"], problem["element"]) == (
        "UNKNOWN_RECIPIENT", "UNB", "S003/0010")
    assert "SOMEONEELSE:ZZ" in problem["message"] and "PONTEHUB" in problem["message"]


def test_a_peppol_response_selects_the_company_by_its_endpoint_or_is_refused_naming_it(
        app: Flask, client: FlaskClient, runner: Any, invoicing: dict[str, Any]) -> None:
    buyer = Buyer(runner, "peppol-buyer")
    invoice = client.post(URL, json=invoice_body(), headers=invoicing["admin"]).get_json()
    shown = _shown(app, client, buyer, invoice_response(invoice["number"], "AP"))
    assert (shown["state"], shown["company_id"]) == ("processed", invoice["company_id"])
    refused = _shown(app, client, buyer, invoice_response(invoice["number"], "RE", ref="IR-2",
                                                          to="5790000000005"))
    assert refused["state"] == "failed"
    (problem,) = refused["error"]["problems"]
    assert (problem["code"], problem["element"]) == (
        "UNKNOWN_RECIPIENT", "/ApplicationResponse/cac:ReceiverParty/cbc:EndpointID")
    assert "0088:5790000000005" in problem["message"]
    assert client.get(f"{URL}/{invoice['id']}", headers=invoicing["auditor"]).get_json()["state"] == \
        "acknowledged"


def test_without_companies_recipients_are_not_checked_as_before(
        app: Flask, client: FlaskClient, make_partner: Any) -> None:
    partner = make_partner("buyer", edi_id="4012345000009")
    exchange_id = post(client, partner, aperak("X-1", to="SOMEONEELSE:ZZ"))
    process(app)
    shown = client.get(f"/api/v1/exchanges/{exchange_id}", headers=partner.headers).get_json()
    assert (shown["state"], shown["company_id"]) == ("processed", None)
    assert [w["code"] for w in shown["warnings"]] == ["ACK_UNMATCHED"]
