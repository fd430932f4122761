"""A replenishment run over 100,000 items with rules and 20 suppliers (SQLite, or DATABASE_URL).

Generates its own catalogue straight into a fresh database (items, two supplier terms per item with price
breaks, a rule per item, stock for every item with about a third at or below its trigger, some open
orders in flight), then times one real run (`service.replenish`: on PostgreSQL lock, five reads,
decisions, one bulk insert, commit; on SQLite lease, the same reads and decisions, the lines staged in
short transactions, then moved onto the orders in one) and a second run (which finds everything in
flight), counting the SQL statements each issued and the process's peak memory.

    .venv/bin/python bench/replenishment.py [--items 100000] [--suppliers 20]
    DATABASE_URL=postgresql://postgres@127.0.0.1/hub_bench .venv/bin/python bench/replenishment.py
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, insert, text  # noqa: E402

from bench.common import BENCH_AUDIT_KEY, fresh_database_url  # noqa: E402
from hub import create_app  # noqa: E402
from hub.config import Settings  # noqa: E402
from hub.db import new_session, utcnow  # noqa: E402
from hub.exchanges.models import StockLevel  # noqa: E402
from hub.migrate import upgrade  # noqa: E402
from hub.partners.models import Partner  # noqa: E402
from hub.procurement import service, staging  # noqa: E402
from hub.procurement.models import Item, PurchaseOrder, PurchaseOrderLine, ReorderRule, SupplierTerm  # noqa: E402

# a bench needs an audit key like any hub on PostgreSQL; its value does not matter here


def generate(url: str, items: int, suppliers: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    engine = create_engine(url)
    upgrade(engine)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(Partner), [{"id": n, "name": f"supplier-{n}", "roles": ["supplier"],
                                        "syntax": "edifact", "profile": {}, "active": True, "created_at": now}
                                       for n in range(1, suppliers + 1)])
        conn.execute(insert(Item), [{"id": n, "sku": f"SKU{n:07d}", "gtin": None, "description": "",
                                     "unit": "C62", "updated_at": now} for n in range(1, items + 1)])
        terms = []
        for n in range(1, items + 1):
            for supplier in rnd.sample(range(1, suppliers + 1), 2):
                price = Decimal(rnd.randint(100, 10_000)) / 100
                terms.append({"item_id": n, "supplier_id": supplier, "supplier_sku": f"S{n}", "price": price,
                              "currency": "BRL", "min_qty": Decimal(rnd.choice((0, 10, 50))),
                              "multiple": Decimal(rnd.choice((0, 6, 12))),
                              "lead_time_days": rnd.randint(1, 20),
                              "priority": rnd.randint(1, 3), "valid_from": None, "valid_to": None,
                              "price_breaks": [["100", str(price * Decimal("0.9"))]], "updated_at": now})
        conn.execute(insert(SupplierTerm), terms)
        conn.execute(insert(ReorderRule), [
            {"item_id": n, "location": "WH1", "kind": "min_max" if n % 4 else "reorder_point",
             "minimum": Decimal(20), "maximum": Decimal(100) if n % 4 else Decimal(24), "paused": n % 50 == 0,
             "snoozed_until": None, "updated_at": now} for n in range(1, items + 1)])
        conn.execute(insert(StockLevel), [
            {"item": f"SKU{n:07d}", "location": "WH1", "quantity": Decimal(rnd.randint(0, 60)),
             "reserved": Decimal(rnd.randint(0, 5)), "unit": "C62", "as_of": now, "updated_at": now}
            for n in range(1, items + 1)])
        conn.execute(insert(PurchaseOrder), [{"id": 1, "supplier_id": 1, "state": "sent", "currency": "BRL",
                                              "total": Decimal(0), "history": [], "created_at": now,
                                              "updated_at": now}])
        conn.execute(insert(PurchaseOrderLine), [
            {"order_id": 1, "line_no": k, "item_id": n, "location": "WH1", "quantity": Decimal(30),
             "confirmed_quantity": Decimal(15) if k % 2 else None, "shipped_quantity": Decimal(0),
             "received_quantity": Decimal(0), "unit": "C62", "unit_price": Decimal(1), "supplier_sku": "",
             "state": "open", "explanation": {}} for k, n in enumerate(range(1, items + 1, 10), 1)])
        if engine.dialect.name == "postgresql":  # rows were given their ids: move the sequences past them
            for table in ("partners", "items", "purchase_orders"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
    engine.dispose()


def timed_run(app: Any) -> tuple[float, int, dict[str, Any]]:
    engine = app.extensions["hub.engine"]
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    start = time.perf_counter()
    result = service.replenish(lambda: new_session(app), app.config["HUB_SETTINGS"].procurement,
                               at=datetime(2026, 12, 2, 10, tzinfo=UTC), scheduled=False)
    elapsed = time.perf_counter() - start
    event.remove(engine, "before_cursor_execute", count)
    return elapsed, statements, result


def _time_sqlite_writes(held: list[float]) -> Any:
    """On SQLite, time each transaction the staged run writes in (how long it holds the write lock):
    every staging chunk, then the last one, from claiming the slot to its commit. Returns the undo."""
    originals = (staging.insert_values, staging.claim_slot, staging._give_back)
    began: list[float] = []

    def chunk(*args: Any) -> None:
        begun = time.perf_counter()
        originals[0](*args)
        held.append(time.perf_counter() - begun)

    def claim(*args: Any, **kwargs: Any) -> Any:
        began.append(time.perf_counter())
        return originals[1](*args, **kwargs)

    def give_back(*args: Any) -> None:
        if began:
            held.append(time.perf_counter() - began.pop())
        originals[2](*args)
    staging.insert_values, staging.claim_slot, staging._give_back = chunk, claim, give_back  # type: ignore

    def restore() -> None:
        staging.insert_values, staging.claim_slot, staging._give_back = originals
    return restore


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--suppliers", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database_url(tmp)
        start = time.perf_counter()
        generate(url, args.items, args.suppliers)
        print(f"generated {args.items} items, {2 * args.items} terms, {args.items} rules, stock, "
              f"{len(range(1, args.items + 1, 10))} lines in flight on {url.split(':')[0]} "
              f"in {time.perf_counter() - start:.1f} s")
        os.chdir(tmp)
        app = create_app(Settings(database_url=url, audit_key=BENCH_AUDIT_KEY), start_scheduler=False)
        for label in ("first run", "second run"):
            held: list[float] = []
            restore = _time_sqlite_writes(held)
            elapsed, statements, result = timed_run(app)
            restore()
            print(f"{label}: {elapsed:.2f} s, {statements} SQL statements, {result['rules_checked']} rules, "
                  f"{result['lines']} lines on {len(result['orders'])} orders, {result['skipped']} skipped")
            if held:
                print(f"  SQLite write transactions: {len(held)}, the longest {max(held):.2f} s "
                      f"(the run's last, showing its lines: {held[-1]:.2f} s)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:.0f} MB")
        app.extensions["hub.engine"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
