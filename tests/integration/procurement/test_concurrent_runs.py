"""Two replenishment runs in two real processes at once produce one purchase-order line per need."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from hub.db import new_session
from hub.exchanges.erp_inbound import StockInput, record_stock_levels
from hub.procurement.models import PurchaseOrder, PurchaseOrderLine

RULES = 300  # enough work that two unserialised runs overlap


def _run_in_process(url: str, barrier: Any, results: Any) -> None:
    from hub import create_app
    from hub.config import Settings
    from hub.procurement import service
    from tests.conftest import TEST_AUDIT_KEY

    app = create_app(Settings(database_url=url, testing=True, audit_key=TEST_AUDIT_KEY),
                     start_scheduler=False)
    barrier.wait(timeout=60)
    results.put(service.replenish(lambda: new_session(app), app.config["HUB_SETTINGS"].procurement,
                                  at=datetime.now(UTC), scheduled=False, actor="test:process"))


def _catalogue(app: Flask, client: Any, make_user: Any, make_partner: Any, runner: Any) -> None:
    supplier = make_partner("bulk-supplier", roles=("supplier",))
    admin = make_user("ana", "admin")
    skus = [f"SKU{n:05d}" for n in range(RULES)]
    for kind, rows in (
            ("items", [{"sku": s} for s in skus]),
            ("supplier-terms", [{"sku": s, "supplier": supplier.name, "price": "1.00", "currency": "EUR"}
                                for s in skus]),
            ("reorder-rules", [{"sku": s, "location": "WH1", "min": "5", "max": "20"} for s in skus])):
        resp = client.post(f"/api/v1/procurement/{kind}", json={"rows": rows}, headers=admin)
        assert resp.status_code == 200 and not resp.json["refused"], resp.json
    assert runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll"]).exit_code == 0
    with new_session(app) as session:
        from hub.erp.connectors import find_connector
        levels = [StockInput(s, "WH1", Decimal(1), "C62", datetime(2026, 12, 2, tzinfo=UTC)) for s in skus]
        record_stock_levels(session, levels, connector=find_connector(session, "erp"), actor="test")
        session.commit()


def test_two_processes_at_once_order_each_need_once(
        app: Flask, client: Any, make_user: Any, make_partner: Any, runner: Any, database_url: str) -> None:
    _catalogue(app, client, make_user, make_partner, runner)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_run_in_process, args=(database_url, barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    outcomes = sorted(results.get(timeout=5)["lines"] for _ in procs)
    assert outcomes == [0, RULES], "the second run waited for the first and found everything in flight"
    with new_session(app) as session:
        assert session.scalar(select(func.count()).select_from(PurchaseOrder)) == 1
        assert session.scalar(select(func.count()).select_from(PurchaseOrderLine)) == RULES
        total = session.scalar(select(func.sum(PurchaseOrderLine.quantity)))
    assert Decimal(total) == Decimal(19 * RULES)
