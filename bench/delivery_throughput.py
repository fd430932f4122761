"""Delivery throughput: N documents queued, delivered to the REST test ERP by W concurrent workers.

Each worker is a thread calling `deliver_due` (claim + commit `sending`, HTTP POST outside any
transaction, record `sent` in a new transaction, two audit events per document), as the scheduler does.

    .venv/bin/python bench/delivery_throughput.py [--documents 1000] [--workers 4]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python bench/delivery_throughput.py

Without DATABASE_URL it uses a fresh SQLite file in a temporary folder. On PostgreSQL it empties the
database's public schema first: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from sqlalchemy import func, select

from bench.common import BENCH_AUDIT_KEY, fresh_database_url
from hub import create_app
from hub.config import Settings
from hub.db import new_session
from hub.domain.documents import Line, PurchaseOrder, Quantity
from hub.erp.connectors import ConnectorSpec, add_connector
from hub.erp.delivery import DeliveryPolicy, deliver_due
from hub.erp.models import OutboundDelivery
from hub.erp.outbox import enqueue_document
from hub.exchanges.documents import store
from hub.migrate import upgrade
from hub.partners import service as partners
from hub.records.models import Exchange
from tests.support.servers import running_rest_erp

# a bench needs an audit key like any hub on PostgreSQL; its value does not matter here


def _queue(app: Flask, count: int, erp_url: str) -> None:
    from decimal import Decimal

    with new_session(app) as session:
        partner = partners.add_partner(session, "bench-buyer", edi_id="4000000000006", qualifier="14",
                                       roles=["buyer"], actor="bench")
        add_connector(session, ConnectorSpec(name="erp", key="rest", endpoint=erp_url,
                                             options={"allow_loopback": True}), actor="bench",
                      secret_key=app.config["HUB_SETTINGS"].secret_key)
        for n in range(count):
            raw = f"bench-{n}".encode()
            exchange = Exchange(direction="inbound", partner_id=partner.id, state="processed",
                                syntax="edifact", sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
                                raw=raw, warnings=[], result={})
            session.add(exchange)
            session.flush()
            doc = PurchaseOrder(number=f"PO-{n}", currency="EUR",
                                lines=[Line(number="1", quantities=[Quantity(Decimal(n % 9 + 1))])])
            row, _ = store(session, doc, exchange_id=exchange.id, partner_id=partner.id,
                           direction="inbound", actor="bench", message_type=None)
            enqueue_document(session, row, actor="bench")
        session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_rest_erp() as (erp, server):
        workdir = Path(tmp)
        os.chdir(workdir)
        url = fresh_database_url(workdir)
        app = create_app(Settings(database_url=url, audit_key=BENCH_AUDIT_KEY),
                         start_scheduler=False)
        upgrade(app.extensions["hub.engine"])
        _queue(app, args.documents, server.url)
        policy = DeliveryPolicy(batch=args.documents)
        started = time.perf_counter()
        threads = [threading.Thread(target=deliver_due, args=(lambda: new_session(app),),
                                    kwargs={"limit": args.documents, "policy": policy,
                                            "secret_key": app.config["HUB_SETTINGS"].secret_key})
                   for _ in range(args.workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        with new_session(app) as session:
            sent = session.scalar(select(func.count()).where(OutboundDelivery.state == "sent")) or 0
        backend = url.split(":", 1)[0]
        print(f"{backend}: {sent}/{args.documents} documents sent by {args.workers} workers in "
              f"{elapsed:.2f} s = {sent / elapsed:.0f} documents/s; ERP received {erp.unique_count} "
              f"unique, {erp.duplicate_count} duplicate calls")
        app.extensions["hub.engine"].dispose()


if __name__ == "__main__":
    main()
