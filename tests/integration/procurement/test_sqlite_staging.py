"""On SQLite a replenishment run stages its proposals in short transactions and shows them together at
its end: an upload beside a long run is answered at once, nothing of the run shows before it ends, and
a run that dies leaves nothing visible (the next one removes what it staged)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select

from hub.db import new_session
from hub.jobruns.models import JobRun
from hub.models import StockLevel
from hub.procurement import service, staging
from hub.procurement.models import (
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    RunLease,
    StagedLine,
    SupplierTerm,
)
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL keeps a run in one transaction under its "
                                                    "advisory lock: staging is SQLite's")
ITEMS = 6000
ORDERS = (b"UNA:+.? 'UNB+UNOC:3+4012345000009:14+PONTEHUB:ZZ+261202:1000+SMALL1'UNH+1+ORDERS:D:96A:UN'"
          b"BGM+220+PO-SMALL-1+9'DTM+137:20261202:102'NAD+BY+4012345000009::9'LIN+1++4006381333931:EN'"
          b"QTY+21:5:PCE'UNS+S'UNT+8+1'UNZ+1+SMALL1'")


def _catalogue(app: Flask, supplier_id: int) -> None:
    """ITEMS items, each below its minimum, with a term of the supplier: every rule triggers."""
    now = datetime(2026, 12, 2, tzinfo=UTC)
    with new_session(app) as session:
        session.execute(insert(Item), [{"sku": f"S{n:05d}", "description": "", "unit": "C62"}
                                       for n in range(ITEMS)])
        ids = dict(session.execute(select(Item.sku, Item.id)).all())
        session.execute(insert(SupplierTerm), [
            {"item_id": i, "supplier_id": supplier_id, "price": Decimal("1.5"), "currency": "EUR",
             "supplier_sku": sku, "price_breaks": []} for sku, i in ids.items()])
        session.execute(insert(ReorderRule), [{"item_id": i, "location": "WH1", "kind": "min_max",
                                               "minimum": Decimal(5), "maximum": Decimal(10)}
                                              for i in ids.values()])
        session.execute(insert(StockLevel), [{"item": sku, "location": "WH1", "quantity": Decimal(1),
                                              "unit": "C62", "as_of": now} for sku in ids])
        session.commit()


def _count(app: Flask, model: Any) -> int:
    with new_session(app) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _run(app: Flask) -> dict[str, Any]:
    return service.replenish(lambda: new_session(app), app.config["HUB_SETTINGS"].procurement,
                             at=datetime.now(UTC), scheduled=False, actor="test")


def test_an_upload_beside_a_long_run_is_answered_at_once_and_the_run_shows_only_at_its_end(
        app: Flask, client: FlaskClient, make_partner: Any, make_user: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    supplier = make_partner("bulk-supplier", roles=("supplier",))
    buyer = make_partner("small-buyer", edi_id="4012345000009")
    admin = make_user("ana", "admin")
    _catalogue(app, supplier.id)
    monkeypatch.setattr(staging, "STAGE_CHUNK", 25)  # many short transactions
    # the run pauses before its second chunk (no write begun: SQLite's lock is free) until we have looked
    real, calls, paused, go_on = staging.insert_values, [], threading.Event(), threading.Event()

    def pausing(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            paused.set()
            go_on.wait(timeout=120)
        real(*args)

    monkeypatch.setattr(staging, "insert_values", pausing)
    done: dict[str, Any] = {}
    runner = threading.Thread(target=lambda: done.update(_run(app)))
    started = time.monotonic()
    runner.start()
    assert paused.wait(timeout=120), "the run never staged its first chunk"
    assert _count(app, StagedLine) > 0

    before = time.monotonic()
    posted = client.post("/api/v1/exchanges", data=ORDERS, headers=buyer.headers)
    answered = time.monotonic() - before
    assert posted.status_code == 202 and answered < 5, (posted.status_code, answered)
    assert client.get("/api/v1/procurement/purchase-orders", headers=admin).json["items"] == []
    assert _count(app, PurchaseOrderLine) == 0
    assert runner.is_alive()  # all of the above happened while the run was staging
    go_on.set()

    runner.join(timeout=300)
    assert done["lines"] == ITEMS and time.monotonic() - started > answered
    assert _count(app, PurchaseOrderLine) == ITEMS and _count(app, StagedLine) == 0
    (order,) = client.get("/api/v1/procurement/purchase-orders", headers=admin).json["items"]
    assert order["state"] == "released" and order["total"] == f"{ITEMS * 9 * Decimal('1.5'):.2f}"


def test_a_run_that_dies_midway_leaves_nothing_visible_and_the_next_cleans_up(
        app: Flask, make_partner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    supplier = make_partner("bulk-supplier", roles=("supplier",))
    _catalogue(app, supplier.id)
    monkeypatch.setattr(staging, "STAGE_CHUNK", 1000)
    real, calls = staging.insert_values, []

    def dying(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the process died")
        real(*args)
    monkeypatch.setattr(staging, "insert_values", dying)
    with pytest.raises(RuntimeError):
        _run(app)
    assert _count(app, StagedLine) == 2000  # two chunks staged, then it died
    assert (_count(app, PurchaseOrder), _count(app, PurchaseOrderLine), _count(app, JobRun)) == (0, 0, 0)

    monkeypatch.setattr(staging, "insert_values", real)
    with new_session(app) as session:  # a run killed outright keeps its lease: it goes stale
        session.add(RunLease(name=staging.LEASE, token="dead-run",
                             since=datetime.now(UTC) - staging.STALE_AFTER - timedelta(seconds=1)))
        session.commit()
    assert _run(app)["lines"] == ITEMS
    assert (_count(app, PurchaseOrderLine), _count(app, StagedLine), _count(app, RunLease)) == (ITEMS, 0, 0)
    assert _run(app)["lines"] == 0  # everything is in flight now


def test_a_second_run_waits_for_the_lease_or_gives_up_saying_why(
        app: Flask, make_partner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with new_session(app) as session:
        session.add(RunLease(name=staging.LEASE, token="busy-run", since=datetime.now(UTC)))
        session.commit()
    monkeypatch.setattr(staging, "WAIT_SECONDS", 0.5)
    result = _run(app)
    assert result["skipped"] and "another replenishment run" in result["reason"]
