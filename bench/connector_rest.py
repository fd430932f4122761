"""Delivery throughput to the REST test ERP: N documents from 4 threads, documents/s printed.

Run: `.venv/bin/python -m bench.connector_rest [N] [--workers 4]`. The test ERP (Flask on werkzeug's
threaded server) runs in the same process on loopback, so client and server share the GIL and the
2 cores: the figure is a floor for the connector, not a ceiling.
"""

from __future__ import annotations

import argparse
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from connectors.base import ConnectorSettings, Delivery
from connectors.registry import build_connector
from tests.support.servers import running_rest_erp


def _document(n: int) -> dict[str, object]:
    return {
        "doc_type": "invoice", "number": f"INV-{n:06d}", "currency": "EUR", "total": "1250.00",
        "lines": [{"number": str(i), "quantity": "2", "price": "62.50"} for i in range(1, 11)],
    }


def main() -> None:
    """Send N documents through the REST connector from W threads and print documents/s."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    deliveries = [Delivery(str(uuid.uuid4()), "invoice", _document(n)) for n in range(args.count)]

    with running_rest_erp() as (erp, server):
        settings = ConnectorSettings(endpoint=server.url, options={"allow_loopback": True})
        connector = build_connector("rest", settings)
        connector.send(Delivery("warm-up", "invoice", _document(0)))
        erp.clear()
        started = time.perf_counter()
        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(connector.send, deliveries))
        elapsed = time.perf_counter() - started
        if erp.unique_count != args.count or erp.duplicate_count:
            raise SystemExit(f"ERP recorded {erp.unique_count} unique, {erp.duplicate_count} duplicates")

    rate = args.count / elapsed
    print(f"{args.count} documents, {args.workers} workers: {elapsed:.2f} s, {rate:.0f} documents/s")


if __name__ == "__main__":
    main()
