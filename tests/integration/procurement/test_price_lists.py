"""Suppliers' price lists (PRICAT, Peppol Catalogue) update their terms, and partners' inventory reports
(INVRPT, UBL InventoryReport) update the stock, through the normal exchange pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.integration.procurement.conftest import post_stock
from tests.support.conformance import oracle_fatal, oracle_module
from tests.support.exchanges import process

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
EDI_SUPPLIER = "5498765000017"  # the EDIFACT fixtures' supplier
PEPPOL_SUPPLIER = "5790000435951"  # the Peppol catalogue's provider


def _setup(client: FlaskClient, admin: dict[str, str], supplier: Any, *terms: dict[str, str]) -> None:
    items = [{"sku": sku, "unit": "C62"} for sku in ("SKU-BOLT-M8", "NUT", "WASHER")]
    assert client.post("/api/v1/procurement/items", json={"rows": items}, headers=admin).status_code == 200
    rows = [{"supplier": supplier.name, "currency": "EUR", **t} for t in terms]
    if rows:
        assert client.post("/api/v1/procurement/supplier-terms", json={"rows": rows},
                           headers=admin).json["created"] == len(rows)


def _post(app: Flask, client: FlaskClient, partner: Any, path: Path) -> dict[str, Any]:
    posted = client.post("/api/v1/exchanges", data=path.read_bytes(), headers=partner.headers)
    assert posted.status_code == 202, posted.json
    process(app)
    return dict(client.get(posted.headers["Location"], headers=partner.headers).json)


def _terms(client: FlaskClient, admin: dict[str, str]) -> dict[str, dict[str, Any]]:
    rows = client.get("/api/v1/procurement/supplier-terms?per_page=100", headers=admin).json["items"]
    items = {i["id"]: i["sku"] for i in client.get("/api/v1/procurement/items", headers=admin).json["items"]}
    return {items[r["item_id"]]: r for r in rows}


def _actions(client: FlaskClient, admin: dict[str, str], prefix: str) -> list[str]:
    events = client.get("/api/v1/audit?per_page=200", headers=admin).json["items"]
    return sorted(e["action"] for e in events if e["action"].startswith(prefix))


def test_a_pricat_creates_changes_and_ends_the_suppliers_terms(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any) -> None:
    supplier = make_partner("acme-supplies", edi_id=EDI_SUPPLIER, roles=("supplier",))
    admin = make_user("ana", "admin")
    _setup(client, admin, supplier, {"sku": "NUT", "supplier_sku": "NUT-M8", "price": "0.05"},
           {"sku": "WASHER", "supplier_sku": "WASHER-M8", "price": "0.02"})
    shown = _post(app, client, supplier, FIXTURES / "edifact" / "demo_pricat_d96a_pricelist.edi")
    assert shown["state"] == "processed", shown["error"]
    assert not [w for w in shown["warnings"] if w["code"].startswith("CATALOGUE")], shown["warnings"]
    terms = _terms(client, admin)
    bolt = terms["SKU-BOLT-M8"]  # quoted by our number (PIA IN): a new term
    assert (bolt["supplier_sku"], bolt["currency"], bolt["valid_from"], bolt["valid_to"]) == (
        "BOLT-M8", "EUR", "2026-03-01", "2026-12-31")
    assert [float(bolt[k]) for k in ("price", "min_qty", "multiple")] == [0.12, 100, 50]
    assert bolt["price_breaks"] == [["1000", "0.1"], ["5000", "0.09"]]
    nut = terms["NUT"]  # found by the supplier's own number on the term it had
    assert (float(nut["price"]), float(nut["min_qty"])) == (0.04, 200)
    assert terms["WASHER"]["valid_to"] == "2026-02-28"  # deleted by the list issued on 2026-03-01
    assert _actions(client, admin, "supplier_term.") == [
        "supplier_term.created", "supplier_term.ended", "supplier_term.updated"]

    again = client.post("/api/v1/exchanges", headers=supplier.headers,
                        data=(FIXTURES / "edifact" / "demo_pricat_d96a_pricelist.edi").read_bytes())
    process(app)
    assert again.status_code == 200 and again.json["duplicate"]  # the same list: applied once
    assert len(_actions(client, admin, "supplier_term.")) == 3


def test_a_peppol_catalogue_updates_terms_and_is_answered_by_a_catalogue_response(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any, tmp_path: Path) -> None:
    supplier = make_partner("nordic-fasteners", edi_id=PEPPOL_SUPPLIER, roles=("supplier",))
    admin = make_user("ana", "admin")
    _setup(client, admin, supplier)
    shown = _post(app, client, supplier, FIXTURES / "ubl" / "ponte_catalogue_peppol.xml")
    assert shown["state"] == "processed", shown["error"]
    (unknown,) = [w for w in shown["warnings"] if w["code"] == "CATALOGUE_ITEM_UNKNOWN"]
    assert "line 2" in unknown["message"] and "NF-NUT-M8" in unknown["message"]
    bolt = _terms(client, admin)["SKU-BOLT-M8"]
    assert (float(bolt["price"]), bolt["price_breaks"], float(bolt["multiple"])) == (
        0.12, [["1000", "0.1"]], 50)

    (out,) = client.get("/api/v1/exchanges?direction=outbound", headers=supplier.headers).json["items"]
    detail = client.get(f"/api/v1/exchanges/{out['id']}", headers=admin).json
    assert detail["state"] == "pending" and "OpenPeppol 2026.5 T58" in detail["result"]["validation"]["rules"]
    raw = client.get(f"/api/v1/exchanges/{out['id']}/raw", headers=admin).data
    assert b"<cbc:ResponseCode>AP</cbc:ResponseCode>" in raw and b"CAT-2026-07" in raw
    assert oracle_fatal(oracle_module().Validator(peppol=True), raw, tmp_path, "t58.xml") == []


def test_a_catalogue_from_a_partner_who_is_no_supplier_is_rejected_and_answered_so(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any) -> None:
    buyer = make_partner("nordic-fasteners", edi_id=PEPPOL_SUPPLIER, roles=("buyer",))
    admin = make_user("ana", "admin")
    shown = _post(app, client, buyer, FIXTURES / "ubl" / "ponte_catalogue_peppol.xml")
    assert shown["state"] == "failed" and shown["error"]["problems"][0]["code"] == "ROLE_NOT_ALLOWED"
    (out,) = client.get("/api/v1/exchanges?direction=outbound", headers=buyer.headers).json["items"]
    raw = client.get(f"/api/v1/exchanges/{out['id']}/raw", headers=admin).data
    assert b"<cbc:ResponseCode>RE</cbc:ResponseCode>" in raw and b"supplier role" in raw
    assert client.get("/api/v1/procurement/supplier-terms", headers=admin).json["items"] == []


def test_an_invrpt_updates_stock_by_location_and_ignores_an_older_level_saying_so(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any, erp: dict[str, str]) -> None:
    supplier = make_partner("acme-supplies", edi_id=EDI_SUPPLIER, roles=("supplier",))
    admin = make_user("ana", "admin")
    _setup(client, admin, supplier, {"sku": "NUT", "supplier_sku": "NUT-M8", "price": "0.05"})
    items = [{"item": "SKU-BOLT-M8", "location": "EAST", "quantity": "7", "unit": "C62",
              "as_of": "2026-03-02T05:30:00+00:00"}]
    assert client.post("/api/v1/erp/stock-levels", json={"items": items}, headers=erp).status_code < 300
    shown = _post(app, client, supplier, FIXTURES / "edifact" / "demo_invrpt_d96a_vmi.edi")
    assert shown["state"] == "processed", shown["error"]
    (stale,) = [w for w in shown["warnings"] if w["code"] == "STOCK_LEVEL_STALE"]
    assert "SKU-BOLT-M8 at EAST" in stale["message"] and "older" in stale["message"]
    levels = {(r["item"], r["location"]): r for r in
              client.get("/api/v1/procurement/stock-levels", headers=admin).json["items"]}
    main = levels[("SKU-BOLT-M8", "MAIN")]
    assert (float(main["quantity"]), main["source"]) == (420, "partner:acme-supplies")
    assert main["as_of"].startswith("2026-03-02 06:00") or main["as_of"].startswith("2026-03-02T06:00")
    assert float(levels[("SKU-BOLT-M8", "EAST")]["quantity"]) == 7  # the ERP's newer level stays
    assert levels[("SKU-BOLT-M8", "EAST")]["source"] == "erp:erp"
    assert float(levels[("NUT", "MAIN")]["quantity"]) == 0  # found by the supplier's number


def test_a_ubl_inventory_report_updates_stock_and_an_unknown_item_is_reported(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any, erp: dict[str, str]) -> None:
    supplier = make_partner("nordic-fasteners", edi_id=PEPPOL_SUPPLIER, roles=("supplier",))
    admin = make_user("ana", "admin")
    _setup(client, admin, supplier)
    post_stock(client, erp, "2026-03-01T00:00:00+00:00")
    shown = _post(app, client, supplier, FIXTURES / "ubl" / "ponte_inventoryreport_vmi.xml")
    assert shown["state"] == "processed", shown["error"]
    (unknown,) = [w for w in shown["warnings"] if w["code"] == "STOCK_ITEM_UNKNOWN"]
    assert "5410000100023" in unknown["message"]
    (level,) = client.get("/api/v1/procurement/stock-levels", headers=admin).json["items"]
    assert (level["item"], level["location"], float(level["quantity"])) == ("SKU-BOLT-M8", "MAIN", 420)
    assert _actions(client, admin, "stock_level.") == ["stock_level.updated"]


def _pricat(*segments: str) -> bytes:
    body = ["UNH+1+PRICAT:D:96A:UN", "BGM+9+PL-NEW-1+9", "DTM+137:20261201:102", "CUX+2:EUR:9", "PGI+5",
            *segments]
    text = "'".join([*body, f"UNT+{len(body) + 1}+1"])
    return (f"UNA:+.? 'UNB+UNOC:3+{EDI_SUPPLIER}:14+PONTEHUB:ZZ+261201:0900+PLNEW1'{text}'UNZ+1+PLNEW1'"
            ).encode()


def test_an_unknown_item_is_created_when_the_suppliers_profile_says_so(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any, runner: Any,
        tmp_path: Path) -> None:
    supplier = make_partner("acme-supplies", edi_id=EDI_SUPPLIER, roles=("supplier",))
    admin = make_user("ana", "admin")
    result = runner.invoke(args=["hub", "partner-profile", supplier.name, "--set",
                                 'extra={"create_catalogue_items": true}'])
    assert result.exit_code == 0, result.output
    path = tmp_path / "pricat.edi"
    path.write_bytes(_pricat("LIN+1+1+4006381333931:SRV", "PIA+1+W-1:SA", "IMD+F++:::Widget", "PRI+AAA:2.5",
                             "LIN+2+1+4006381333932:SRV", "PIA+1+W-2:SA", "PRI+AAA:3"))
    shown = _post(app, client, supplier, path)
    assert shown["state"] == "processed", shown["error"]
    (bad,) = [w for w in shown["warnings"] if w["code"] == "CATALOGUE_ITEM_UNKNOWN"]
    assert "4006381333932" in bad["message"]  # a GTIN with a wrong check digit creates nothing
    (item,) = client.get("/api/v1/procurement/items", headers=admin).json["items"]
    assert (item["sku"], item["gtin"], item["description"]) == ("4006381333931", "4006381333931", "Widget")
    (term,) = client.get("/api/v1/procurement/supplier-terms", headers=admin).json["items"]
    assert (term["supplier_sku"], float(term["price"])) == ("W-1", 2.5)
    assert "procurement.item.created" in _actions(client, admin, "procurement.item")


def test_a_pricat_from_a_partner_who_is_no_supplier_gets_an_aperak(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any) -> None:
    buyer = make_partner("acme-supplies", edi_id=EDI_SUPPLIER, roles=("buyer",))
    admin = make_user("ana", "admin")
    shown = _post(app, client, buyer, FIXTURES / "edifact" / "demo_pricat_d96a_pricelist.edi")
    assert shown["state"] == "failed" and shown["error"]["problems"][0]["code"] == "ROLE_NOT_ALLOWED"
    outbound = client.get("/api/v1/exchanges?direction=outbound", headers=buyer.headers).json["items"]
    assert [o["type"] for o in outbound] == ["APERAK"]
    assert client.get("/api/v1/procurement/supplier-terms", headers=admin).json["items"] == []
