"""The document's sender is the partner who posted it, in both syntaxes: another partner's seller
is refused and goes nowhere, roles are enforced, unknown sellers are warned about, and an invoice
to an unregistered payee account is flagged and, when the profile says so, held until released."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from hub.db import new_session
from hub.models import AuditEvent, Document, Exchange, OutboxEntry
from tests.support.exchanges import post, process, raw_interchange, shown

ROOT = Path(__file__).resolve().parents[3]
INVOIC = (ROOT / "fixtures" / "edifact" / "acme_invoic_d01b_allowances.edi").read_bytes()
UBL_INVOICE = (ROOT / "fixtures" / "ubl" / "ponte_invoice_peppol.xml").read_bytes()
EDI_SELLER, EDI_BUYER, EDI_ACCOUNT = "5498765000017", "5412345000013", "NL91ABNA0417164300"
UBL_SELLER, UBL_BUYER, UBL_ACCOUNT = "5790000435975", "5798000416604", "DK5000400440116243"
POSTER = "5400000000003"  # partner A's own GLN: the UNB sender of what it posts


def invoic_from(sender: str) -> bytes:
    """The INVOIC fixture in an interchange sent by `sender` (its NAD+SU still names the seller)."""
    return INVOIC.replace(f"UNB+UNOC:3+{EDI_SELLER}:14".encode(), f"UNB+UNOC:3+{sender}:14".encode())


def resent(body: bytes) -> bytes:
    """The same invoice in a new interchange (EDIFACT) or under a new number (UBL)."""
    return body.replace(b"INV7781", b"INV7782").replace(b"INV-2024-1001", b"INV-2024-1002")


def setup_erp(runner: FlaskCliRunner) -> None:
    out = runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll", "--doc-type", "invoice"])
    assert out.exit_code == 0, out.output


def outbox_size(app: Flask) -> int:
    with app.app_context(), new_session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def documents_count(app: Flask) -> int:
    with app.app_context(), new_session() as session:
        return int(session.scalar(select(func.count()).select_from(Document)) or 0)


def delivered_to(app: Any, partner: Any) -> list[str]:
    """What the hub routed to `partner` other than acknowledgements: sendable, or held `invalid`
    until the renderers write only what the target standard allows (either way it was routed)."""
    with app.app_context(), new_session() as session:
        rows = session.scalars(select(Exchange).where(Exchange.partner_id == partner.id,
                                                      Exchange.direction == "outbound")).all()
        return [r.state for r in rows if r.doc_type not in ("CONTRL", "APERAK")]


def set_profile(runner: FlaskCliRunner, partner: Any, *settings: str) -> None:
    args = ["hub", "partner-profile", partner.name]
    for setting in settings:
        args += ["--set", setting]
    out = runner.invoke(args=args)
    assert out.exit_code == 0, out.output


def problems(ex: dict[str, Any], code: str) -> list[dict[str, Any]]:
    found = (ex.get("error") or {}).get("problems", []) + ex.get("warnings", [])
    return [p for p in found if p["code"] == code]


def test_an_edifact_invoice_whose_seller_is_another_partner_is_rejected_and_goes_nowhere(
        app, client, runner, make_partner):
    setup_erp(runner)
    buyer = make_partner("buyer", edi_id=EDI_BUYER)
    make_partner("acme", edi_id="acme-edi", qualifier="ZZ", roles=("supplier",))
    # B is known by its GLN as such (no UNB qualifier): NAD agency 9 must find it
    out = runner.invoke(args=["hub", "partner-id-add", "acme", f"gln:{EDI_SELLER}"])
    assert out.exit_code == 0, out.output
    poster = make_partner("poster", edi_id=POSTER, roles=("supplier",))
    ex_id = post(client, poster, invoic_from(POSTER))
    process(app)
    ex = shown(client, poster, ex_id)
    assert ex["state"] == "failed"
    (problem,) = problems(ex, "SENDER_MISMATCH")
    assert (problem["segment_tag"], problem["element"], problem["message_ref"]) == (
        "NAD", "C082/3039", "INV7781")
    assert f"NAD+SU {EDI_SELLER}" in problem["message"] and "another partner" in problem["message"]
    assert "acme" not in problem["message"]  # the poster is not told who the other partner is
    (aperak_id,) = ex["error"]["acknowledgements"]
    message = raw_interchange(client, poster, aperak_id).messages[0]
    assert message.type == "APERAK" and any(s.tag == "ERC" for s in message.segments)
    assert delivered_to(app, buyer) == [] and outbox_size(app) == 0 and documents_count(app) == 0


def test_a_ubl_invoice_whose_seller_is_another_partner_is_rejected_and_goes_nowhere(
        app, client, runner, make_partner):
    setup_erp(runner)
    buyer = make_partner("buyer", edi_id=UBL_BUYER)
    seller = make_partner("seller", edi_id=UBL_SELLER, roles=("supplier",))
    poster = make_partner("poster", edi_id=POSTER, roles=("supplier",))
    rejected = post(client, poster, UBL_INVOICE)
    process(app)
    ex = shown(client, poster, rejected)
    assert ex["state"] == "failed"
    found = problems(ex, "SENDER_MISMATCH")
    assert [p["element"] for p in found] == [
        "/Invoice/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID",
        "/Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID"]
    assert all(UBL_SELLER in p["message"] for p in found)
    assert delivered_to(app, buyer) == [] and outbox_size(app) == 0 and documents_count(app) == 0
    # the same file from the seller itself is routed to the buyer and queued for the ERP
    accepted = post(client, seller, UBL_INVOICE)
    process(app)
    assert shown(client, seller, accepted)["state"] == "processed"
    assert len(delivered_to(app, buyer)) == 1 and outbox_size(app) == 1


@pytest.mark.parametrize("syntax", ["edifact", "ubl"])
def test_a_buyer_only_partner_cannot_send_an_invoice(app, client, make_partner, syntax):
    edi_id = EDI_SELLER if syntax == "edifact" else UBL_SELLER
    partner = make_partner("buyer-only", edi_id=edi_id, roles=("buyer",))
    ex_id = post(client, partner, INVOIC if syntax == "edifact" else UBL_INVOICE)
    process(app)
    ex = shown(client, partner, ex_id)
    assert ex["state"] == "failed"
    (problem,) = problems(ex, "ROLE_NOT_ALLOWED")
    assert "supplier role" in problem["message"] and "has: buyer" in problem["message"]
    assert problem["element"] == ("S009/0065" if syntax == "edifact" else "/Invoice")


def test_an_order_from_a_supplier_only_partner_is_refused_for_its_role(app, client, make_partner):
    orders = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()
    partner = make_partner("seller", edi_id="5412345000013", roles=("supplier",))
    ex_id = post(client, partner, orders)
    process(app)
    (problem,) = problems(shown(client, partner, ex_id), "ROLE_NOT_ALLOWED")
    assert "buyer role" in problem["message"]


@pytest.mark.parametrize("syntax", ["edifact", "ubl"])
def test_an_unknown_seller_is_a_warning_until_registered_and_an_error_when_required(
        app, client, runner, make_partner, syntax):
    body = invoic_from(POSTER) if syntax == "edifact" else UBL_INVOICE
    seller = EDI_SELLER if syntax == "edifact" else UBL_SELLER
    poster = make_partner("poster", edi_id=POSTER, roles=("supplier",))
    ex_id = post(client, poster, body)
    process(app)
    ex = shown(client, poster, ex_id)
    assert ex["state"] == "processed", ex["error"]
    (warning,) = problems(ex, "SENDER_PARTY_UNKNOWN")
    assert warning["severity"] == "warning" and seller in warning["message"]
    assert f"partner-id-add {poster.id} gln:{seller}" in warning["message"]
    set_profile(runner, poster, "require_known_sender=true")
    strict = post(client, poster, resent(body))
    process(app)
    ex = shown(client, poster, strict)
    assert ex["state"] == "failed" and problems(ex, "SENDER_PARTY_UNKNOWN")[0]["severity"] == "error"
    out = runner.invoke(args=["hub", "partner-id-add", str(poster.id), f"gln:{seller}"])
    assert out.exit_code == 0, out.output
    assert runner.invoke(args=["hub", "reprocess", strict]).exit_code == 0
    ex = shown(client, poster, strict)
    assert ex["state"] == "processed" and not problems(ex, "SENDER_PARTY_UNKNOWN")


def test_a_service_provider_posts_for_the_clients_its_profile_lists(app, client, runner,
                                                                   make_partner):
    make_partner("client", edi_id=EDI_SELLER, roles=("supplier",))
    provider = make_partner("provider", edi_id=POSTER, roles=("supplier",))
    bad = runner.invoke(args=["hub", "partner-profile", "provider", "--set", 'posts_for=["x"]'])
    assert bad.exit_code == 2 and "posts_for" in bad.output and "scheme:value" in bad.output
    set_profile(runner, provider, f'posts_for=["gln:{EDI_SELLER}"]')
    ex_id = post(client, provider, invoic_from(POSTER))
    process(app)
    ex = shown(client, provider, ex_id)
    assert ex["state"] == "processed", ex["error"]
    assert not problems(ex, "SENDER_MISMATCH") and not problems(ex, "SENDER_PARTY_UNKNOWN")


def doc_of(client: FlaskClient, partner: Any, ex: dict[str, Any]) -> dict[str, Any]:
    (item,) = ex["result"]["documents"]
    return dict(client.get(item["links"]["self"], headers=partner.headers).json)


@pytest.mark.parametrize("syntax", ["edifact", "ubl"])
def test_a_changed_payee_account_is_flagged_and_routed_when_no_hold_is_asked(
        app, client, runner, make_partner, syntax):
    setup_erp(runner)
    body = INVOIC if syntax == "edifact" else UBL_INVOICE
    seller_id, buyer_id, account = ((EDI_SELLER, EDI_BUYER, EDI_ACCOUNT) if syntax == "edifact"
                                    else (UBL_SELLER, UBL_BUYER, UBL_ACCOUNT))
    buyer = make_partner("buyer", edi_id=buyer_id)
    seller = make_partner("seller", edi_id=seller_id, roles=("supplier",))
    set_profile(runner, seller, 'bank_accounts=["NL44 RABO 0123 4567 89"]')
    ex_id = post(client, seller, body)
    process(app)
    ex = shown(client, seller, ex_id)
    assert ex["state"] == "processed", ex["error"]
    (warning,) = problems(ex, "PAYEE_ACCOUNT_CHANGED")
    assert account in warning["message"] and warning["element"] == (
        "C078/3194" if syntax == "edifact"
        else "/Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID")
    doc = doc_of(client, seller, ex)
    assert doc["flags"]["payee_account_changed"]["accounts"] == [account] and doc["held"] is None
    assert len(delivered_to(app, buyer)) == 1 and outbox_size(app) == 1
    # the account registered (written with spaces) is no change
    set_profile(runner, seller, f'bank_accounts=["{account[:4]} {account[4:]}"]')
    again = post(client, seller, resent(body))
    process(app)
    ex = shown(client, seller, again)
    assert ex["state"] == "processed" and not problems(ex, "PAYEE_ACCOUNT_CHANGED")
    assert doc_of(client, seller, ex)["flags"] == {}


@pytest.mark.parametrize("syntax", ["edifact", "ubl"])
def test_a_changed_payee_account_is_held_until_an_operator_releases_it(
        app, client, runner, make_partner, make_user, syntax):
    setup_erp(runner)
    body = INVOIC if syntax == "edifact" else UBL_INVOICE
    seller_id, buyer_id = (EDI_SELLER, EDI_BUYER) if syntax == "edifact" else (UBL_SELLER, UBL_BUYER)
    buyer = make_partner("buyer", edi_id=buyer_id)
    seller = make_partner("seller", edi_id=seller_id, roles=("supplier",))
    set_profile(runner, seller, 'bank_accounts=["NL44RABO0123456789"]', "hold_on_payee_change=true")
    ex_id = post(client, seller, body)
    process(app)
    ex = shown(client, seller, ex_id)
    assert ex["state"] == "processed", ex["error"]
    assert "held until an operator releases it" in problems(ex, "PAYEE_ACCOUNT_CHANGED")[0]["message"]
    doc = doc_of(client, seller, ex)
    assert doc["held"] == "payee_account_changed"
    assert delivered_to(app, buyer) == [] and outbox_size(app) == 0
    operator = make_user("op", "operator")
    listed = client.get("/api/v1/documents?held=true", headers=operator).json["items"]
    assert [d["id"] for d in listed] == [doc["id"]]
    release = f"/api/v1/documents/{doc['id']}/release"
    assert client.post(release, headers=seller.headers).status_code == 403
    assert client.post(release, headers=make_user("aud", "auditor")).status_code == 403
    resp = client.post(release, headers=operator)
    assert resp.status_code == 200, resp.json
    assert resp.json["held"] is None and resp.json["flags"]["released"]["by"] == "user:op"
    assert len(delivered_to(app, buyer)) == 1 and outbox_size(app) == 1
    assert client.post(release, headers=operator).status_code == 409
    with app.app_context(), new_session() as session:
        actions = set(session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == doc["id"])))
    assert {"document.held", "document.released"} <= actions


def test_a_rejection_repeating_names_outside_the_declared_charset_is_answered_in_unoc(
        app, client, make_partner):
    """The partner declares UNOA but names itself 'München': its APERAK cannot be UNOA."""
    from tests.support.conformance import EDIFACT_CORPUS

    body = (EDIFACT_CORPUS / "staedi" / "invoic_d93a_una.edi").read_bytes()
    partner = make_partner("pedal", edi_id="FHPEDAL", qualifier="", roles=("buyer",))
    ex_id = post(client, partner, body)
    process(app)
    ex = shown(client, partner, ex_id)
    assert ex["state"] == "failed" and problems(ex, "ROLE_NOT_ALLOWED")
    (aperak_id,) = ex["error"]["acknowledgements"]
    aperak = raw_interchange(client, partner, aperak_id)
    assert aperak.syntax_id == "UNOC" and aperak.messages[0].type == "APERAK"
