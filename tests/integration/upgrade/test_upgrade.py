"""A database of an earlier release, with data in it, upgrades to the latest schema and stays readable.

The snapshot (make_snapshot.py) holds every row a hub at revision 0006 wrote while in use. The test
migrates an empty database to that revision, loads the rows, upgrades to head and reads everything back
as users do: through the API, the CLI's audit check, and by processing a new file beside the old ones.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import MetaData, create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url

from hub import create_app
from hub.config import Settings
from hub.migrate import current_revision, upgrade
from tests.conftest import ON_POSTGRES, PG_URL, TEST_AUDIT_KEY
from tests.support.exchanges import process

HERE = Path(__file__).resolve().parent
SNAPSHOT = json.loads((HERE / "snapshot_0006.json").read_text())
FIXTURES = HERE.parents[2] / "fixtures" / "edifact"


def untagged(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        if tag == "$bytes":
            return base64.b64decode(raw)
        if tag == "$datetime":
            return datetime.fromisoformat(raw)
        if tag == "$date":
            return date.fromisoformat(raw)
        if tag == "$decimal":
            return Decimal(raw)
    return value


@pytest.fixture
def old_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (a new PostgreSQL database, or an SQLite file)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    url = make_url(PG_URL)
    name = f"{url.database}_upgrade"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def load_snapshot(engine: Engine) -> None:
    """Insert the snapshot's rows into a database at the snapshot's revision."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        for table in meta.sorted_tables:
            stored = SNAPSHOT["tables"].get(table.name, [])
            rows = [{k: untagged(v) for k, v in row.items()} for row in stored]
            if rows:
                conn.execute(table.insert(), rows)
            identity = table.c.get("id")
            if rows and engine.dialect.name == "postgresql" and identity is not None and \
                    isinstance(rows[0]["id"], int):
                top = conn.execute(select(func.max(identity))).scalar_one()
                conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                             {"t": table.name, "n": top})


@pytest.fixture
def upgraded(old_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    engine = create_engine(old_database)
    upgrade(engine, SNAPSHOT["revision"])
    load_snapshot(engine)
    upgrade(engine)
    assert _is_head(engine)
    engine.dispose()
    monkeypatch.chdir(tmp_path)
    app = create_app(Settings(database_url=old_database, testing=True, audit_key=TEST_AUDIT_KEY),
                     start_scheduler=False)
    yield app
    app.extensions["hub.engine"].dispose()


def _is_head(engine: Engine) -> bool:
    from alembic.script import ScriptDirectory

    from hub.migrate import alembic_config
    return current_revision(engine) == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {SNAPSHOT['keys'][role]}"}


def test_the_snapshot_covers_what_a_hub_in_use_holds() -> None:
    tables = SNAPSHOT["tables"]
    for name in ("partners", "partner_identifiers", "users", "api_credentials", "exchanges", "documents",
                 "document_lines", "audit_events", "connectors", "deliveries", "stock_levels"):
        assert tables[name], f"the snapshot has no {name}"


def test_exchanges_and_documents_are_readable_after_the_upgrade(upgraded: Flask) -> None:
    client = upgraded.test_client()
    partner, auditor = bearer("partner"), bearer("auditor")
    everything = client.get("/api/v1/exchanges?per_page=50", headers=auditor)
    assert everything.status_code == 200
    states = sorted((e["direction"], e["state"]) for e in everything.json["items"])
    assert ("inbound", "failed") in states and ("inbound", "processed") in states
    assert len(states) == len(SNAPSHOT["tables"]["exchanges"])
    (done,) = [e for e in client.get("/api/v1/exchanges?direction=inbound&state=processed",
                                     headers=partner).json["items"]]
    raw = client.get(f"/api/v1/exchanges/{done['id']}/raw", headers=partner)
    # the bytes as the snapshot stored them (the fixture has changed since: a valid GLN check digit)
    assert hashlib.sha256(raw.data).hexdigest() == done["sha256"] and b"+ORD0001'" in raw.data
    (failed,) = client.get("/api/v1/exchanges?state=failed", headers=partner).json["items"]
    detail = client.get(f"/api/v1/exchanges/{failed['id']}", headers=partner).json
    assert detail["error"]["problems"], "the rejection's problems survive"
    (doc,) = client.get("/api/v1/documents", headers=partner).json["items"]
    shown = client.get(f"/api/v1/documents/{doc['id']}", headers=partner).json
    assert len(shown["document"]["lines"]) == len(SNAPSHOT["tables"]["document_lines"])
    rendered = client.get(f"/api/v1/documents/{doc['id']}/render?syntax=edifact", headers=partner)
    assert rendered.status_code == 200


def test_audit_trail_and_deliveries_survive_the_upgrade(upgraded: Flask) -> None:
    client, auditor = upgraded.test_client(), bearer("auditor")
    events = client.get("/api/v1/audit?per_page=200", headers=auditor).json["items"]
    assert len(events) >= len(SNAPSHOT["tables"]["audit_events"])
    result = upgraded.test_cli_runner().invoke(args=["hub", "audit-verify"])
    assert result.exit_code == 0, result.output
    # the unkeyed chain of 0006 is vouched for by a keyed marker, then continues keyed
    legacy = max(e["seq"] or 0 for e in SNAPSHOT["tables"]["audit_events"])
    (marker,) = client.get("/api/v1/audit?action=audit.chain_keyed", headers=auditor).json["items"]
    assert marker["details"]["legacy_until_seq"] == legacy > 0
    again = upgraded.test_cli_runner().invoke(args=["hub", "audit-verify"])
    assert again.exit_code == 0 and "1 checkpoints agree" in again.output
    (delivery,) = client.get("/api/v1/outbox/deliveries", headers=auditor).json["items"]
    assert delivery["state"] in ("pending", "retrying")


def test_the_upgraded_hub_keeps_working(upgraded: Flask) -> None:
    client, partner = upgraded.test_client(), bearer("partner")
    body = (FIXTURES / "demo_orders_d96a_basic.edi").read_bytes().replace(b"ORD0001", b"ORD0009")
    body = body.replace(b"BGM+220+", b"BGM+220+NEW", 1)
    resp = client.post("/api/v1/exchanges", data=body, headers=partner)
    assert resp.status_code == 202, resp.json
    process(upgraded)
    assert client.get(resp.headers["Location"], headers=partner).json["state"] == "processed"
    assert len(client.get("/api/v1/documents", headers=partner).json["items"]) == 2
    stock = client.post("/api/v1/erp/stock-levels", headers=bearer("connector"), json={"items": [
        {"item": "4000862141404", "location": "WH1", "quantity": "7", "unit": "PCE",
         "as_of": "2026-12-01T08:00:00+00:00"}]})
    assert stock.status_code < 300, stock.json
