"""Write the data snapshot the upgrade test starts from (run by hand, at the schema revision it is named for).

    .venv/bin/python tests/integration/upgrade/make_snapshot.py

Builds a hub on a fresh SQLite database at the current head, drives it as users do (partners and keys, a
processed order, a rejected file with its CONTRL, an ERP connector with a queued delivery, stock levels, a
sealed audit trail), then writes every row of every table to `snapshot_<revision>.json`, values tagged
by type so they insert on SQLite and PostgreSQL alike. The keys it issued are written with it (they are
test secrets) so the test can read the upgraded data through the API.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from sqlalchemy import MetaData, create_engine, select  # noqa: E402

from hub import create_app  # noqa: E402
from hub.config import Settings  # noqa: E402
from hub.migrate import current_revision, upgrade  # noqa: E402

FIXTURES = ROOT / "fixtures" / "edifact"


def tagged(value: Any) -> Any:
    """A JSON value that says its type when JSON alone would lose it."""
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1].strip()


def drive(app: Any) -> dict[str, str]:
    """Use the hub as its users do; the secrets issued, by who holds them."""
    cli, client = app.test_cli_runner(), app.test_client()

    def run(*args: str) -> str:
        result = cli.invoke(args=["hub", *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("partner-add", "Acme Buyer", "--edi-id", "5412345000013", "--qualifier", "14", "--role", "buyer")
    run("partner-add", "Our Supplier Side", "--edi-id", "5498765000019", "--qualifier", "14",
        "--role", "supplier")
    run("partner-profile", "Acme Buyer", "--set", "ack_contrl=true")
    keys = {"partner": last_line(run("key-add", "Acme Buyer"))}
    run("user-add", "auditor1", "--role", "auditor")
    keys["auditor"] = last_line(run("token-add", "auditor1"))
    run("connector-add", "erp", "--key", "rest", "--endpoint", "https://erp.example.com/hub",
        "--doc-type", "purchase_order", "--token", "env:SNAPSHOT_ERP_TOKEN")
    keys["connector"] = last_line(run("connector-token", "erp"))
    auth = {"Authorization": f"Bearer {keys['partner']}"}
    good = (FIXTURES / "demo_orders_d96a_basic.edi").read_bytes()
    bad = good.replace(b"QTY+21:", b"QTY+21:X", 1)
    for body in (good, bad.replace(b"ORD0001", b"ORD0002")):
        assert client.post("/api/v1/exchanges", data=body, headers=auth).status_code == 202
    run("process")
    levels = {"items": [{"item": "4000862141404", "location": "WH1", "quantity": "12", "unit": "PCE",
                         "as_of": "2026-11-30T08:00:00+00:00"}]}
    resp = client.post("/api/v1/erp/stock-levels", json=levels,
                       headers={"Authorization": f"Bearer {keys['connector']}"})
    assert resp.status_code < 300, resp.json
    run("audit-verify")
    return keys


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/hub.db"
        upgrade(create_engine(url))
        app = create_app(Settings(database_url=url, testing=True), start_scheduler=False)
        keys = drive(app)
        engine = app.extensions["hub.engine"]
        revision = current_revision(engine)
        meta = MetaData()
        meta.reflect(engine)
        tables = {}
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                if table.name == "alembic_version":
                    continue
                rows = conn.execute(select(table)).mappings().all()
                tables[table.name] = [{k: tagged(v) for k, v in row.items()} for row in rows]
        engine.dispose()
    out = Path(__file__).with_name(f"snapshot_{revision}.json")
    out.write_text(json.dumps({"revision": revision, "keys": keys, "tables": tables}, indent=1) + "\n")
    print(f"{out.name}: revision {revision}, " + ", ".join(f"{t} {len(r)}" for t, r in tables.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
