"""What the hub sends is validated before it is queued: a file that fails is held `invalid`, named,
never offered to its partner, and rendered again by `reprocess` after a fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from hub.db import new_session
from hub.models import Exchange, Partner
from tests.support.conformance import oracle_fatal, oracle_module
from tests.support.exchanges import post, process, raw_interchange, shown

ROOT = Path(__file__).resolve().parents[3]
ORDERS = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()
BUYER_GLN, SUPPLIER_GLN = "5412345000013", "5498765000017"


def _set(app: Flask, partner_id: int, **values: Any) -> None:
    with app.app_context(), new_session() as session:
        partner = session.get(Partner, partner_id)
        assert partner is not None
        for key, value in values.items():
            setattr(partner, key, value)
        session.commit()


def _outbound(client: FlaskClient, headers: dict[str, str], **filters: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in {"direction": "outbound", **filters}.items())
    return list(client.get(f"/api/v1/exchanges?{query}", headers=headers).json["items"])


def _audit(client: FlaskClient, admin: dict[str, str], exchange_id: str) -> list[dict[str, Any]]:
    return list(client.get(f"/api/v1/audit?object_id={exchange_id}", headers=admin).json["items"])


def test_a_routed_order_breaking_its_directory_is_held_invalid_until_a_profile_fix(
        app, client, make_partner, make_user):
    admin = make_user("ops", "admin")
    buyer = make_partner("buyer", edi_id=BUYER_GLN)
    supplier = make_partner("supplier", edi_id=SUPPLIER_GLN, roles=("supplier",))
    # the supplier's profile translates the unit C62 (piece) to a name D.96A 6411 (an..3) cannot carry
    _set(app, supplier.id, profile={"unit_codes": {"PIECES": "C62"}})
    posted = post(client, buyer, ORDERS)
    process(app)
    assert shown(client, buyer, posted)["state"] == "processed"

    (held,) = _outbound(client, admin, state="invalid")
    assert held["partner"]["id"] == supplier.id and held["error"]["code"] == "OUTBOUND_INVALID"
    broken = [p for p in held["error"]["problems"] if p["segment_tag"] == "QTY"]
    assert broken and broken[0]["element"] == "C186/6411", held["error"]
    # the code lists refuse the unit while rendering (before the structure check would): either way held
    assert set(held["result"]["validation"]["rules"]) & {"rendering", "D.96A structure"}
    assert held["result"]["validation"]["fatal"] >= 1
    # never offered to the supplier: not in its list, not readable, not downloadable
    assert _outbound(client, supplier.headers) == []
    assert client.get(f"/api/v1/exchanges/{held['id']}", headers=supplier.headers).status_code == 404
    assert client.get(f"/api/v1/exchanges/{held['id']}/raw",
                      headers=supplier.headers).status_code == 404
    created = next(e for e in _audit(client, admin, held["id"]) if e["action"] == "exchange.created")
    assert created["details"]["state"] == "invalid" and created["details"]["rules_broken"]

    # reprocess before the fix: still invalid, the attempt audited
    again = client.post(f"/api/v1/exchanges/{held['id']}/reprocess", headers=admin)
    assert again.status_code == 200 and again.json["state"] == "invalid"
    assert "exchange.revalidated" in {e["action"] for e in _audit(client, admin, held["id"])}

    _set(app, supplier.id, profile={})  # the fix
    fixed = client.post(f"/api/v1/exchanges/{held['id']}/reprocess", headers=admin)
    assert fixed.status_code == 200 and fixed.json["state"] == "pending"
    (item,) = _outbound(client, supplier.headers)
    assert item["id"] == held["id"] and item["state"] == "pending" and item["error"] is None
    assert item["result"]["validation"]["fatal"] == 0
    interchange = raw_interchange(client, supplier, item["id"])
    assert interchange.control_ref == held["control_ref"]  # never sent: the same number is reused
    qty = next(s for s in interchange.messages[0].segments if s.tag == "QTY")
    assert qty.get(0, 2) == "C62"
    changes = [e["details"] for e in _audit(client, admin, held["id"])
               if e["action"] == "exchange.state_changed"]
    assert changes[-1]["from"] == "invalid" and changes[-1]["to"] == "pending"

    # a pending exchange is not rendered again
    assert client.post(f"/api/v1/exchanges/{held['id']}/reprocess",
                       headers=admin).status_code == 409


def test_the_cli_renders_an_invalid_exchange_again(app, client, make_partner, make_user):
    make_user("ops", "admin")
    buyer = make_partner("buyer", edi_id=BUYER_GLN)
    supplier = make_partner("supplier", edi_id=SUPPLIER_GLN, roles=("supplier",))
    _set(app, supplier.id, profile={"unit_codes": {"PIECES": "C62"}})
    post(client, buyer, ORDERS)
    process(app)
    with app.app_context(), new_session() as session:
        held = session.query(Exchange).filter_by(partner_id=supplier.id).one()
        assert held.state == "invalid"
        held_id = held.id
    _set(app, supplier.id, profile={})
    out = app.test_cli_runner().invoke(args=["hub", "reprocess", held_id])
    assert out.exit_code == 0, out.output
    assert f"exchange {held_id}: pending" in out.output


def test_contrl_and_aperak_the_hub_sends_are_validated(app, client, make_partner, make_user):
    admin = make_user("ops", "admin")
    buyer = make_partner("buyer", edi_id=BUYER_GLN)
    _set(app, buyer.id, profile={"ack_contrl": True, "ack_aperak": True})
    first = post(client, buyer, ORDERS)
    process(app)
    # the same order number again, in a new interchange: a business rejection, answered by APERAK
    post(client, buyer, ORDERS.replace(b"ORD0001", b"ORD0002"))
    process(app)
    assert shown(client, buyer, first)["state"] == "processed"
    sent = {i["type"]: i for i in _outbound(client, admin)}
    assert {"CONTRL", "APERAK"} <= set(sent)
    for kind, structure in (("CONTRL", "CONTRL D3 structure"), ("APERAK", "D.96A structure")):
        item = sent[kind]
        assert item["state"] == "pending", item["error"]
        validation = item["result"]["validation"]
        assert structure in validation["rules"] and validation["fatal"] == 0, validation


def test_a_peppol_order_the_hub_renders_is_checked_with_the_t01_rules(
        app, client, make_partner, make_user, tmp_path):
    admin = make_user("ops", "admin")
    buyer = make_partner("buyer", edi_id=BUYER_GLN)
    supplier = make_partner("supplier", edi_id=SUPPLIER_GLN, roles=("supplier",))
    _set(app, supplier.id, syntax="ubl")
    post(client, buyer, ORDERS)
    process(app)
    (item,) = _outbound(client, admin)
    assert "OpenPeppol 2026.5 T01" in item["result"]["validation"]["rules"]
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, item["id"])
        assert exchange is not None
        raw = exchange.raw
    # when invalid, what the hub rendered is kept beside the canonical document
    rendered = json.loads(raw)["rendered"].encode() if item["state"] == "invalid" else raw
    expected = {f.split()[0] for f in oracle_fatal(oracle_module().Validator(peppol=True),
                                                    rendered, tmp_path, "order.xml")}
    found = {p["code"] for p in (item["error"] or {}).get("problems", [])}
    assert found == expected  # the hub's verdict is the independent validator's
    assert item["state"] == ("invalid" if expected else "pending")


def test_en16931_example2_routed_to_a_peppol_buyer_is_held_for_its_own_vat_numbers_only(
        app, client, runner, make_partner, make_user, tmp_path):
    """EDIFACT_EXAMPLE2 (EN 16931 INVOIC D14B) routed out as Peppol UBL: its party registrations and
    accounting references now sit where Peppol wants them (no UBL-SR-16/UBL-SR-20, BR-42 or R002 any more);
    what still holds it is its own VAT numbers without the NO prefix (BR-CO-09), as the independent
    validator finds too. Routed to an EDIFACT buyer it is sent."""
    from tests.support.conformance import corpus_file
    from tests.support.exchanges import rendered

    admin = make_user("ops", "admin")
    body = corpus_file("edifact/en16931-invoic-d14b/EDIFACT_EXAMPLE2.TXT").read_bytes()
    seller = make_partner("salescompany", edi_id="4000001000005", roles=("supplier",))
    # its UNZ counts the package after UNT and names another reference: tolerated, with a warning
    runner.invoke(args=["hub", "partner-profile", seller.name, "--set", "tolerate_count_mismatch=true"])
    buyer = make_partner("buyercompany", edi_id="3456789012098")
    _set(app, buyer.id, syntax="ubl")
    # its UNB names the seller as recipient too: a rule routes its invoices to the buyer
    added = runner.invoke(args=["hub", "route-add", "--from", seller.name, "--type", "invoice", "--partner",
                                buyer.name])
    assert added.exit_code == 0, added.output
    posted = post(client, seller, body)
    process(app)
    assert shown(client, seller, posted)["state"] == "processed"
    (held,) = _outbound(client, admin, state="invalid")
    assert held["partner"]["id"] == buyer.id
    assert {p["code"] for p in held["error"]["problems"]} == {"BR-CO-09"}
    official = oracle_fatal(oracle_module().Validator(peppol=True), rendered(app, held), tmp_path, "ex2.xml")
    assert {f.split()[0] for f in official} == {"BR-CO-09"}

    _set(app, buyer.id, syntax="edifact")  # the same invoice for an EDIFACT buyer: valid, sent
    assert runner.invoke(args=["hub", "reprocess", str(held["id"])]).exit_code == 0
    (sent,) = _outbound(client, admin, state="pending")
    assert sent["partner"]["id"] == buyer.id and sent["result"]["validation"]["fatal"] == 0
