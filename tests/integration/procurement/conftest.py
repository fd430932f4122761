"""A catalogue to replenish: two suppliers, items with terms and rules, stock posted by an ERP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

ITEMS = """sku,gtin,description,unit
WIDGET,4006381333931,Widget,C62
BOLT,,Bolt M6,C62
NUT,,Nut M6,C62
"""
RULES = """sku,location,min,max
WIDGET,WH1,10,50
BOLT,WH1,100,500
"""
ROP_RULES = """sku,location,reorder_point,reorder_qty
NUT,WH1,20,12
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def catalogue(app: Flask, runner: Any, make_partner: Any, tmp_path: Path) -> dict[str, Any]:
    """Suppliers acme (preferred for WIDGET) and bolts-r-us, imported through the CLI as users do."""
    acme = make_partner("acme-supplies", roles=("supplier",))
    bolts = make_partner("bolts-r-us", roles=("supplier",))
    terms = (
        "sku,supplier,supplier_sku,price,currency,min_qty,multiple,lead_time_days,priority,valid_from,valid_to\n"
        f"WIDGET,{acme.name},A-W1,2.50,BRL,,6,3,1,,\n"
        f"WIDGET,{bolts.name},B-W1,2.00,BRL,,,5,2,,\n"
        f"BOLT,{bolts.name},B-B6,0.10,BRL,200,100,2,1,,\n"
        f"NUT,{bolts.name},B-N6,0.05,BRL,,,2,1,,\n")
    for kind, text in (("items", ITEMS), ("supplier-terms", terms), ("reorder-rules", RULES),
                       ("reorder-rules", ROP_RULES)):
        result = runner.invoke(args=["hub", "import", kind, str(write(tmp_path, f"{kind}.csv", text))])
        assert result.exit_code == 0, result.output
    return {"acme": acme, "bolts": bolts}


@pytest.fixture
def erp(app: Flask, runner: Any) -> dict[str, str]:
    """An ERP connector's bearer headers, for posting stock levels."""
    assert runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll"]).exit_code == 0
    token = runner.invoke(args=["hub", "connector-token", "erp"]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {token}"}


def post_stock(client: FlaskClient, erp: dict[str, str], as_of: str, **levels: Any) -> None:
    items = [{"item": sku, "location": "WH1", "quantity": str(q if not isinstance(q, tuple) else q[0]),
              "reserved": str(0 if not isinstance(q, tuple) else q[1]), "unit": "C62", "as_of": as_of}
             for sku, q in levels.items()]
    resp = client.post("/api/v1/erp/stock-levels", json={"items": items}, headers=erp)
    assert resp.status_code < 300, resp.json
