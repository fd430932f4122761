"""A purchase order's life: sent to the supplier as EDIFACT, answered by ORDRSP (a line cut by half),
shipped per DESADV, received by the ERP; each run in between orders exactly what is still missing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from hub.db import new_session
from hub.procurement import service
from mappings.edifact.envelope import parse_interchange
from tests.integration.procurement.conftest import post_stock
from tests.support.conformance import oracle_fatal, oracle_module
from tests.support.exchanges import process

SUPPLIER_GLN = "5498765000017"  # the fixtures' supplier (its check digit is wrong: EDIFACT does not care)
PEPPOL_SUPPLIER_GLN = "5498765000017"  # a GLN the Peppol rules accept (GS1 check digit)


def _answer(kind: str, number: str, bgm: str, ref: str, *quantities: str) -> bytes:
    """A supplier's ORDRSP or DESADV (D.96A) about our order `number`, one line for the WIDGET."""
    packing = ["CPS+1"] if kind == "DESADV" else []  # a despatch advice's lines sit in a packing level
    segments = [f"UNH+1+{kind}:D:96A:UN", bgm, "DTM+137:20261202:102", f"RFF+ON:{number}", *packing,
                "LIN+1++4006381333931:EN", *quantities, *([] if packing else ["UNS+S"])]
    body = "'".join([*segments, f"UNT+{len(segments) + 1}+1"])
    return (f"UNA:+.? 'UNB+UNOC:3+{SUPPLIER_GLN}:14+PONTEHUB:ZZ+261202:1000+{ref}'{body}'UNZ+1+{ref}'"
            ).encode()


def _order(client: FlaskClient, admin: dict[str, str]) -> dict[str, Any]:
    (listed,) = client.get("/api/v1/procurement/purchase-orders", headers=admin).json["items"]
    return dict(client.get(f"/api/v1/procurement/purchase-orders/{listed['id']}", headers=admin).json)


def _run(client: FlaskClient, admin: dict[str, str]) -> int:
    return int(client.post("/api/v1/procurement/runs", json={}, headers=admin).json["lines"])


def test_an_order_goes_out_is_cut_shipped_received_and_reordered_exactly(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any, erp: dict[str, str],
        runner: Any, tmp_path: Any) -> None:
    supplier = make_partner("acme-supplies", edi_id=SUPPLIER_GLN, roles=("supplier",))
    admin = make_user("ana", "admin")
    for kind, rows in (("items", [{"sku": "WIDGET", "gtin": "4006381333931", "unit": "C62"}]),
                       ("supplier-terms", [{"sku": "WIDGET", "supplier": supplier.name, "price": "2.50",
                                            "supplier_sku": "A-W1", "currency": "BRL", "multiple": "6"}]),
                       ("reorder-rules", [{"sku": "WIDGET", "location": "WH1", "min": "40", "max": "50"}])):
        assert client.post(f"/api/v1/procurement/{kind}", json={"rows": rows}, headers=admin).json["created"]
    post_stock(client, erp, "2026-12-02T08:00:00+00:00", WIDGET=0)
    assert _run(client, admin) == 1  # 50 wanted, 54 in multiples of 6

    result = service.send_released(lambda: new_session(app), app.config["HUB_SETTINGS"])
    (sent,) = result["sent"]
    assert sent["number"].startswith("PO-") and sent["number"].endswith("-000001")
    order = _order(client, admin)
    assert order["state"] == "sent"
    (out,) = client.get("/api/v1/exchanges?direction=outbound", headers=supplier.headers).json["items"]
    raw = client.get(f"/api/v1/exchanges/{out['id']}/raw", headers=supplier.headers).data
    interchange = parse_interchange(raw)
    assert not [p for p in interchange.problems if p.severity == "error"], interchange.problems
    (message,) = interchange.messages
    assert message.type == "ORDERS" and any(s.tag == "BGM" and s.get(1) == order["number"]
                                            for s in message.segments)
    assert _run(client, admin) == 0, "the sent order is in flight"

    ordrsp = _answer("ORDRSP", order["number"], "BGM+231+RSP-1+4+AC", "R1", "QTY+21:54:PCE",
                     "QTY+113:27:PCE")
    assert client.post("/api/v1/exchanges", data=ordrsp, headers=supplier.headers).status_code == 202
    process(app)
    order = _order(client, admin)
    assert order["state"] == "acknowledged"
    assert order["lines"][0]["confirmed_quantity"] == "27.000000"
    assert order["history"][-2]["action"] == "order_response" and order["history"][-2]["document"] == "RSP-1"
    assert _run(client, admin) == 1, "the cut is picked up"
    orders = client.get("/api/v1/procurement/purchase-orders", headers=admin).json["items"]
    newest = client.get(f"/api/v1/procurement/purchase-orders/{orders[0]['id']}", headers=admin).json
    assert Decimal(newest["lines"][0]["quantity"]) == Decimal(24), "50 - 27 = 23, in multiples of 6"
    assert newest["lines"][0]["explanation"]["in_flight"] == "27"

    desadv = _answer("DESADV", order["number"], "BGM+351+DES-1+9", "D1", "QTY+12:27:PCE")
    posted = client.post("/api/v1/exchanges", data=desadv, headers=supplier.headers)
    process(app)
    shown = client.get(posted.headers["Location"], headers=supplier.headers).json
    assert shown["state"] == "processed", shown["error"]
    shipped = client.get(f"/api/v1/procurement/purchase-orders/{order['id']}", headers=admin).json
    assert shipped["lines"][0]["shipped_quantity"] == "27.000000"

    received = client.post(f"/api/v1/procurement/purchase-orders/{order['id']}/receipts", headers=erp,
                           json={"lines": [{"line_no": 1, "quantity": "27"}]})
    assert received.status_code == 200, received.json
    assert received.json["state"] == "closed" and received.json["lines"][0]["state"] == "received"
    assert received.json["history"][-2]["by"] == "connector:erp"



def test_an_order_its_supplier_could_not_read_is_held_and_sent_once_fixed(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any, erp: dict[str, str],
        runner: Any) -> None:
    supplier = make_partner("acme-supplies", edi_id=SUPPLIER_GLN, roles=("supplier",))
    admin = make_user("ana", "admin")
    for kind, rows in (("items", [{"sku": "WIDGET", "gtin": "4006381333931"}]),
                       ("supplier-terms", [{"sku": "WIDGET", "supplier": supplier.name, "price": "2.50",
                                            "currency": "BRL"}]),
                       ("reorder-rules", [{"sku": "WIDGET", "location": "WH1", "min": "40", "max": "50"}])):
        client.post(f"/api/v1/procurement/{kind}", json={"rows": rows}, headers=admin)
    # the supplier's profile turns the unit C62 into a name D.96A 6411 (an..3) cannot carry
    profile = runner.invoke(args=["hub", "partner-profile", supplier.name, "--set",
                                  'unit_codes={"PIECES": "C62"}'])
    assert profile.exit_code == 0, profile.output
    post_stock(client, erp, "2026-12-02T08:00:00+00:00", WIDGET=0)
    _run(client, admin)
    sessions, settings = (lambda: new_session(app)), app.config["HUB_SETTINGS"]
    assert service.send_released(sessions, settings)["failed"]
    order = _order(client, admin)
    assert order["state"] == "send_failed" and order["number"] is None
    failure = order["history"][-1]
    # refused by the code lists while rendering (CODE_LIST) or by the outbound validation
    assert failure["code"] in ("CODE_LIST", "ORDER_NOT_SENDABLE") and "6411" in str(failure)
    assert client.get("/api/v1/exchanges?direction=outbound", headers=admin).json["items"] == []
    assert _run(client, admin) == 0, "the held order still covers the need"

    runner.invoke(args=["hub", "partner-profile", supplier.name, "--set", "unit_codes={}"])
    released = client.post(f"/api/v1/procurement/purchase-orders/{order['id']}/release", headers=admin)
    assert released.status_code == 200 and released.json["state"] == "released"
    (sent,) = service.send_released(sessions, settings)["sent"]
    assert sent["number"].endswith("-000001"), "the failed attempt gave its number back"


def test_an_order_to_a_peppol_supplier_goes_out_as_ubl_that_passes_the_peppol_rules(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any, erp: dict[str, str],
        runner: Any, tmp_path: Any) -> None:
    supplier = make_partner("peppol-supplies", edi_id=PEPPOL_SUPPLIER_GLN, roles=("supplier",))
    for args in (["partner-profile", supplier.name, "--set",
                  'address={"legal_name": "Peppol Supplies AB", "street": "Storgatan 1", '
                  '"city": "Stockholm", "postcode": "11122", "country": "SE"}'],
                 ["company-add", "Ponte Buyer Ltda", "--country", "BR", "--id", "gln:5790000435975",
                  "--street", "Rua Augusta 100", "--city", "Sao Paulo", "--postal-code", "01304-000"]):
        result = runner.invoke(args=["hub", *args])
        assert result.exit_code == 0, result.output
    with new_session(app) as session:
        from hub.models import Partner
        row = session.get(Partner, supplier.id)
        assert row is not None
        row.syntax = "ubl"
        session.commit()
    admin = make_user("ana", "admin")
    for kind, rows in (("items", [{"sku": "WIDGET", "gtin": "4006381333931"}]),
                       ("supplier-terms", [{"sku": "WIDGET", "supplier": supplier.name, "price": "2.50",
                                            "currency": "EUR", "supplier_sku": "P-W1"}]),
                       ("reorder-rules", [{"sku": "WIDGET", "location": "WH1", "min": "40", "max": "50"}])):
        client.post(f"/api/v1/procurement/{kind}", json={"rows": rows}, headers=admin)
    post_stock(client, erp, "2026-12-02T08:00:00+00:00", WIDGET=0)
    _run(client, admin)
    result = service.send_released(lambda: new_session(app), app.config["HUB_SETTINGS"])
    assert result["sent"], (result["failed"], _problems(client, admin))
    (out,) = client.get("/api/v1/exchanges?direction=outbound", headers=supplier.headers).json["items"]
    xml = client.get(f"/api/v1/exchanges/{out['id']}/raw", headers=supplier.headers).data
    assert b"urn:fdc:peppol.eu:poacc:trns:order:3" in xml and b"5790000435975" in xml
    oracle = oracle_module().Validator(peppol=True)
    assert oracle_fatal(oracle, xml, tmp_path, "order.xml") == []


def _problems(client: FlaskClient, admin: dict[str, str]) -> Any:
    """The rules the last failed send of the order named."""
    return [(p.get("element"), p.get("message")) for p in _order(client, admin)["history"][-1]["problems"]]
