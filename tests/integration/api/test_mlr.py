"""A Peppol partner whose UBL document the hub refuses gets a Message Level Response (T71) back:
RE, the refused document's id, one LineResponse per problem (its XPath or NA, SV/BV/BW), validated
with the T71 rules before it is queued; `ack_mlr=false` turns it off, and an EDIFACT partner gets none
unless its profile asks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from hub.db import new_session
from hub.models import Exchange
from hub.xmlsafe import parse_xml
from mappings.ubl import read_application_response
from mappings.ubl.common import NS
from tests.support.conformance import oracle_fatal, oracle_module
from tests.support.exchanges import post, process, shown, use_syntax

ROOT = Path(__file__).resolve().parents[3]
INVOICE = (ROOT / "fixtures" / "ubl" / "ponte_invoice_peppol.xml").read_bytes()
SELLER, BUYER, OTHER = "5790000435975", "5798000416604", "5412345000013"


@pytest.fixture(scope="module")
def peppol_oracle() -> Any:
    return oracle_module().Validator(peppol=True)


def _mlrs(client: FlaskClient, partner: Any) -> list[bytes]:
    items = client.get("/api/v1/mailbox", headers=partner.headers).json["items"]
    return [client.get(i["links"]["file"], headers=partner.headers).data for i in items
            if i["type"] == "ApplicationResponse"]


def _lines(mlr: bytes) -> list[tuple[str, str]]:
    root = parse_xml(mlr)
    return [(line.findtext("cac:LineReference/cbc:LineID", namespaces=NS) or "",
             line.findtext("cac:Response/cac:Status/cbc:StatusReasonCode", namespaces=NS) or "")
            for line in root.iterfind("cac:DocumentResponse/cac:LineResponse", NS)]


def test_a_schema_invalid_invoice_gets_an_mlr_with_syntax_violations(
        app: Flask, client: FlaskClient, make_partner, peppol_oracle: Any, tmp_path: Path) -> None:
    poster = use_syntax(app, make_partner("seller", edi_id=SELLER, roles=("supplier",)), "ubl")
    body = INVOICE.replace(b"<cbc:IssueDate>", b"<cbc:Bogus>x</cbc:Bogus><cbc:IssueDate>", 1)
    ex = shown(client, poster, post(client, poster, body))
    process(app)
    ex = shown(client, poster, ex["id"])
    assert ex["state"] == "failed" and ex["error"]["code"] == "VALIDATION_ERROR"
    (mlr,) = _mlrs(client, poster)
    assert oracle_fatal(peppol_oracle, mlr, tmp_path, "mlr.xml") == []
    root = parse_xml(mlr)
    assert root.findtext("cac:DocumentResponse/cac:Response/cbc:ResponseCode", namespaces=NS) == "RE"
    refused = root.findtext("cac:DocumentResponse/cac:DocumentReference/cbc:ID", namespaces=NS)
    assert refused == "INV-2024-1001"
    assert root.findtext("cac:ReceiverParty/cbc:EndpointID", namespaces=NS) == SELLER
    assert root.findtext("cac:SenderParty/cbc:EndpointID", namespaces=NS) == BUYER
    assert {code for _, code in _lines(mlr)} == {"SV"}
    ack = read_application_response(mlr)  # the hub reads its own MLR as a partner's
    assert ack.status.value == "rejected" and ack.references == [("DocumentReference", "INV-2024-1001")]


def test_a_sender_mismatch_gets_an_mlr_naming_the_xpath(app: Flask, client: FlaskClient, make_partner,
                                                       peppol_oracle: Any, tmp_path: Path) -> None:
    make_partner("seller", edi_id=SELLER, roles=("supplier",))
    poster = use_syntax(app, make_partner("poster", edi_id=OTHER, roles=("supplier",)), "ubl")
    post(client, poster, INVOICE)
    process(app)
    (mlr,) = _mlrs(client, poster)
    assert oracle_fatal(peppol_oracle, mlr, tmp_path, "mlr.xml") == []
    assert ("/Invoice/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", "BV") in _lines(mlr)
    assert b"SENDER_MISMATCH" in mlr


def test_an_mlr_that_cannot_name_its_parties_is_held_invalid_naming_the_t71_rules(
        app: Flask, client: FlaskClient, make_partner) -> None:
    poster = use_syntax(app, make_partner("poster", edi_id="POSTER1", qualifier="ZZ"), "ubl")
    post(client, poster, b"<not-xml")
    process(app)
    staff = client.get("/api/v1/exchanges?direction=outbound&state=invalid",
                       headers=poster.headers).json["items"]
    assert _mlrs(client, poster) == [] and staff == []  # held, never shown to the partner
    with app.app_context(), new_session() as session:
        (held,) = session.scalars(select(Exchange).where(Exchange.doc_type == "ApplicationResponse")).all()
        assert held.state == "invalid" and held.result["validation"]["rules"][-1] == "OpenPeppol 2026.5 T71"
        assert {(p["code"], p["element"]) for p in held.error["problems"]} >= {
            ("PEPPOL-T71-B00701", "/ApplicationResponse[1]/SenderParty[1]"),
            ("PEPPOL-T71-B01001", "/ApplicationResponse[1]/ReceiverParty[1]")}


@pytest.mark.parametrize(("syntax", "setting", "expected"), [
    ("ubl", None, 1), ("ubl", "false", 0), ("edifact", None, 0), ("edifact", "true", 1)])
def test_the_profile_decides(app: Flask, client: FlaskClient, runner: FlaskCliRunner, make_partner,
                             syntax: str, setting: str | None, expected: int) -> None:
    poster = use_syntax(app, make_partner("seller", edi_id=SELLER, roles=("buyer",)), syntax)
    if setting is not None:
        result = runner.invoke(args=["hub", "partner-profile", "seller", "--set", f"ack_mlr={setting}"])
        assert result.exit_code == 0, result.output
    post(client, poster, INVOICE)  # a buyer's invoice: ROLE_NOT_ALLOWED
    process(app)
    assert len(_mlrs(client, poster)) == expected
