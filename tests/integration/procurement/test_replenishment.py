"""Replenishment through the hub's own doors: CSV import, ERP stock, runs by API and CLI, approvals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time

from hub.db import new_session
from hub.procurement import service
from tests.integration.procurement.conftest import post_stock, write


def _orders(client: FlaskClient, headers: dict[str, str], **filters: Any) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    listed = client.get(f"/api/v1/procurement/purchase-orders?{query}", headers=headers).json["items"]
    base = "/api/v1/procurement/purchase-orders"
    return [client.get(f"{base}/{o['id']}", headers=headers).json for o in listed]


def _lines(orders: list[dict[str, Any]]) -> dict[str, Decimal]:
    return {ln["sku"]: Decimal(ln["quantity"]) for o in orders for ln in o["lines"] if ln["state"] == "open"}


def test_a_run_orders_what_is_missing_from_the_right_supplier_once(
        client: FlaskClient, catalogue: dict[str, Any], erp: dict[str, str], make_user: Any) -> None:
    admin = make_user("ana", "admin")
    post_stock(client, erp, "2026-12-02T08:00:00+00:00", WIDGET=(8, 2), BOLT=150, NUT=8)
    dry = client.post("/api/v1/procurement/runs", json={"dry_run": True}, headers=admin)
    assert dry.status_code == 200 and dry.json["lines"] == 2 and _orders(client, admin) == []

    run = client.post("/api/v1/procurement/runs", json={}, headers=admin)
    assert run.status_code == 201, run.json
    orders = _orders(client, admin)
    by_supplier = {o["supplier_id"]: o for o in orders}
    assert set(by_supplier) == {catalogue["acme"].id, catalogue["bolts"].id}, "one order per supplier"
    # WIDGET: projected 8 - 2 = 6 <= 10, up to 50 = 44, acme (priority 1) in multiples of 6 -> 48
    # BOLT: 150 <= 100? no -> nothing. NUT: 8 <= 20, lots of 12 until above 20 -> 24
    assert _lines(orders) == {"WIDGET": Decimal(48), "NUT": Decimal(24)}
    widget = next(ln for ln in by_supplier[catalogue["acme"].id]["lines"])
    assert widget["explanation"]["projected"] == "6" and widget["explanation"]["terms"]["priority"] == 1
    assert all(o["state"] == "released" for o in orders), "no threshold: released at once"
    assert by_supplier[catalogue["acme"].id]["total"] == "120.00"

    again = client.post("/api/v1/procurement/runs", json={}, headers=admin)
    assert again.json["lines"] == 0, "what is in flight is not ordered twice"
    post_stock(client, erp, "2026-12-02T09:00:00+00:00", BOLT=90)
    client.post("/api/v1/procurement/runs", json={}, headers=admin)
    assert _lines(_orders(client, admin)) == {"WIDGET": Decimal(48), "NUT": Decimal(24), "BOLT": Decimal(500)}
    detail = client.get(f"/api/v1/procurement/runs/{run.json['run_id']}", headers=admin).json
    assert detail["details"]["lines"] == 2 and len(detail["orders"]) == 2


def test_orders_above_the_threshold_wait_for_an_approver(app: Flask, client: FlaskClient, catalogue: Any,
                                                         erp: dict[str, str], make_user: Any) -> None:
    app.config["HUB_SETTINGS"].procurement.approval_thresholds = {"BRL": Decimal("100")}
    admin, operator = make_user("ana", "admin"), make_user("otto", "operator")
    auditor = make_user("aud", "auditor")
    post_stock(client, erp, "2026-12-02T08:00:00+00:00", WIDGET=0, BOLT=1000, NUT=100)
    client.post("/api/v1/procurement/runs", json={}, headers=operator)
    (order,) = _orders(client, auditor)
    assert order["state"] == "awaiting_approval" and order["total"] == "135.00"  # 54 x 2.50
    url = f"/api/v1/procurement/purchase-orders/{order['id']}"
    assert client.post(f"{url}/approve", headers=auditor).status_code == 403
    assert client.post(f"{url}/reject", json={}, headers=admin).status_code == 409  # a reason is needed
    approved = client.post(f"{url}/approve", headers=admin)
    assert approved.status_code == 200 and approved.json["state"] == "released"
    assert [h["action"] for h in approved.json["history"]] == ["created", "awaiting_approval", "released"]
    assert client.post(f"{url}/approve", headers=admin).status_code == 409
    events = client.get(f"/api/v1/audit?object_type=purchase_order&object_id={order['id']}",
                        headers=admin).json["items"]
    assert {e["action"] for e in events} >= {"purchase_order.state_changed", "purchase_order.lines_proposed"}


def test_partners_cannot_touch_procurement(client: FlaskClient, make_partner: Any) -> None:
    partner = make_partner("buyer-co")
    assert client.get("/api/v1/procurement/items", headers=partner.headers).status_code == 403
    assert client.post("/api/v1/procurement/runs", json={}, headers=partner.headers).status_code == 403


def test_import_refusals_name_their_line_and_column(runner: Any, tmp_path: Path, make_partner: Any) -> None:
    bad = "sku,gtin,description,unit\nGOOD,,ok,C62\nBADGTIN,4006381333932,x,C62\n,,no sku,C62\nU,,x,pieces\n"
    result = runner.invoke(args=["hub", "import", "items", str(write(tmp_path, "items.csv", bad))])
    assert result.exit_code == 2
    assert "items: 1 created, 0 updated, 0 unchanged, 3 refused" in result.output
    assert "line 3, column gtin: gtin '4006381333932' is not a valid GTIN" in result.output
    assert "line 4, column sku: sku is required" in result.output
    assert "line 5, column unit" in result.output
    good = write(tmp_path, "ok.csv", "sku,gtin,description,unit\nGOOD,,ok,C62\n")
    again = runner.invoke(args=["hub", "import", "items", str(good)])
    assert "0 created, 0 updated, 1 unchanged" in again.output


def test_bulk_upsert_by_api_names_the_row(client: FlaskClient, make_user: Any) -> None:
    admin = make_user("ana", "admin")
    resp = client.post("/api/v1/procurement/items", headers=admin, json={"rows": [
        {"sku": "A1", "unit": "C62"}, {"sku": "A2", "gtin": "123"}]})
    assert resp.status_code == 200 and resp.json["created"] == 1
    assert resp.json["refused"][0]["field"] == "rows[1].gtin"
    assert [i["sku"] for i in client.get("/api/v1/procurement/items", headers=admin).json["items"]] == ["A1"]


def test_paused_and_snoozed_rules_are_honoured(
        client: FlaskClient, catalogue: dict[str, Any], erp: dict[str, str], make_user: Any) -> None:
    admin = make_user("ana", "admin")
    post_stock(client, erp, "2026-12-02T08:00:00+00:00", WIDGET=0, BOLT=0, NUT=100)
    client.post("/api/v1/procurement/reorder-rules", headers=admin, json={"rows": [
        {"sku": "WIDGET", "location": "WH1", "min": "10", "max": "50", "paused": "true"},
        {"sku": "BOLT", "location": "WH1", "min": "100", "max": "500", "snoozed_until": "2026-12-05"}]})
    with freeze_time("2026-12-05 12:00:00+00:00"):
        dry = client.post("/api/v1/procurement/runs", json={"dry_run": True}, headers=admin)
        assert dry.json["lines"] == 0
    with freeze_time("2026-12-06 12:00:00+00:00"):
        proposals = client.post("/api/v1/procurement/runs", json={"dry_run": True}, headers=admin).json
    assert [p["sku"] for p in proposals["proposals"]] == ["BOLT"]


def test_the_scheduled_run_happens_once_per_slot(
        app: Flask, client: FlaskClient, catalogue: dict[str, Any], erp: dict[str, str]) -> None:
    post_stock(client, erp, "2026-12-02T08:00:00+00:00", WIDGET=0, BOLT=1000, NUT=100)
    settings = app.config["HUB_SETTINGS"].procurement

    def scheduled() -> dict[str, Any]:
        return service.scheduled_replenishment(lambda: new_session(app), settings)

    with freeze_time("2026-12-02 10:05:00+00:00"):
        first = scheduled()
    with freeze_time("2026-12-02 10:55:00+00:00"):  # a second leader, or a restart, in the same slot
        assert scheduled() == {"skipped": True,
                               "reason": "the run of slot 2026-12-02T10:00:00+00:00 has already been made"}
    with freeze_time("2026-12-02 11:00:00+00:00"):
        assert scheduled()["lines"] == 0, "the next slot runs, and finds the need already in flight"
    assert first["lines"] == 1 and first["slot"] == "2026-12-02T10:00:00+00:00"
