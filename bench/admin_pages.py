"""Admin page times over a big database: 100,000 exchanges (with their documents) and 1,000,000 audit
events by default, on SQLite or DATABASE_URL (PostgreSQL: the target is every list and detail page
under 300 ms).

Generates its rows straight into a fresh database (bulk inserts, COPY on PostgreSQL: the DROP SCHEMA
of DATABASE_URL's database comes first, so give it a database of its own), enrols an admin through the
real service, signs in through the forms, then requests each page several times with Flask's test
client (the whole request: session, role check, queries, template) and prints the median and worst.

    .venv/bin/python bench/admin_pages.py [--exchanges 100000] [--events 1000000] [--repeat 5]
    DATABASE_URL=postgresql://postgres@127.0.0.1/hub_bench .venv/bin/python bench/admin_pages.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from bench.common import BENCH_AUDIT_KEY, fresh_database_url  # noqa: E402
from hub import create_app  # noqa: E402
from hub.audit.models import AuditEvent  # noqa: E402
from hub.bulk import insert_values, sqlite_time  # noqa: E402
from hub.config import Settings  # noqa: E402
from hub.db import new_session, utcnow  # noqa: E402
from hub.migrate import upgrade  # noqa: E402
from hub.partners.models import Partner  # noqa: E402
from hub.records.models import Document, Exchange  # noqa: E402
from tests.support.admin import enrolled_user, sign_in  # noqa: E402

# a bench needs an audit key like any hub on PostgreSQL; its value does not matter here
STATES = ["processed"] * 17 + ["failed", "received", "processing"]
BATCH = 20_000
EXCHANGE_COLUMNS = ("id", "direction", "partner_id", "state", "syntax", "doc_type", "control_ref", "sha256",
                    "size", "raw", "received_at", "updated_at", "attempts", "error", "warnings", "result")
DOCUMENT_COLUMNS = ("id", "exchange_id", "position", "partner_id", "direction", "doc_type", "number",
                    "canonical", "created_at", "test")
EVENT_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "partner_id", "details")
RAW = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()


def generate(app: Any, exchanges: int, events: int, seed: int = 7) -> list[str]:
    """Rows spread over the last 30 days; returns the ids of a few failed exchanges."""
    rnd = random.Random(seed)
    with app.app_context(), new_session() as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        stamp = sqlite_time if sqlite else (lambda t: t)
        now = utcnow()
        session.execute(insert(Partner), [{"id": n, "name": f"partner-{n}", "roles": ["buyer"],
                                           "syntax": "edifact", "profile": {}, "active": True,
                                           "created_at": now} for n in range(1, 21)])
        failed: list[str] = []
        for start in range(0, exchanges, BATCH):
            rows, docs = [], []
            for n in range(start, min(start + BATCH, exchanges)):
                xid, state = str(uuid.uuid4()), rnd.choice(STATES)
                at = stamp(now - timedelta(seconds=rnd.uniform(0, 30 * 86400)))
                error = json.dumps({"message": "CNT says 5", "problems": [
                    {"code": "CNT_MISMATCH", "message": "CNT says 5 line items, the message has 3",
                     "message_ref": "1", "segment_position": 39, "segment_tag": "CNT"}]}) \
                    if state == "failed" else None
                if state == "failed" and len(failed) < 5:
                    failed.append(xid)
                rows.append((xid, "inbound", 1 + n % 20, state, "edifact", "ORDERS", f"ICR{n:08d}",
                             uuid.uuid4().hex + uuid.uuid4().hex, len(RAW), RAW, at, at, 1, error, "[]",
                             "{}"))
                docs.append((str(uuid.uuid4()), xid, 1, 1 + n % 20, "inbound", "purchase_order",
                             f"PO-{n:08d}", "{}", at, False))
            insert_values(session, Exchange, EXCHANGE_COLUMNS, rows)
            insert_values(session, Document, DOCUMENT_COLUMNS, docs)
            session.commit()
        for start in range(0, events, BATCH):
            insert_values(session, AuditEvent, EVENT_COLUMNS, [
                (stamp(now - timedelta(seconds=(events - n) * 2)), f"user:u{n % 7}",
                 "exchange.state_changed", "exchange", str(uuid.uuid4()), 1 + n % 20,
                 '{"from": "processing", "to": "processed"}')
                for n in range(start, min(start + BATCH, events))])
            session.commit()
        if not sqlite:
            session.execute(text("ANALYZE"))
            session.commit()
    return failed


def deep_cursor(app: Any, depth: int) -> str:
    """The cursor of the `depth`-th newest exchange: the 'older' link a hundred pages down."""
    with app.app_context(), new_session() as session:
        row = session.execute(select(Exchange.received_at, Exchange.id)
                              .order_by(Exchange.received_at.desc(), Exchange.id.desc())
                              .offset(depth).limit(1)).first()
    return f"{row[0].isoformat()}|{row[1]}" if row else ""


def measure(client: Any, path: str, repeat: int) -> tuple[float, float, int]:
    times, status = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        status = answer.status_code
    return statistics.median(times), max(times), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database_url(tmp)
        upgrade(create_engine(url))
        os.chdir(tmp)
        app = create_app(Settings(database_url=url, audit_key=BENCH_AUDIT_KEY), start_scheduler=False)
        started = time.perf_counter()
        failed = generate(app, args.exchanges, args.events)
        print(f"generated {args.exchanges} exchanges and {args.events} audit events "
              f"in {time.perf_counter() - started:.1f} s on {url.split(':')[0]}")
        client = app.test_client()
        sign_in(client, app, enrolled_user(app, "bench", "admin"))
        middle = args.exchanges // 2
        pages = ["/", "/admin/exchanges", "/admin/exchanges?state=failed",
                 "/admin/exchanges?partner=3&direction=inbound&type=ORDERS",
                 f"/admin/exchanges?q=PO-{middle:08d}", f"/admin/exchanges?q=ICR{middle:08d}",
                 "/admin/exchanges?after=" + quote(deep_cursor(app, 5000)),
                 f"/admin/exchanges/{failed[0]}" if failed else "/",
                 "/admin/audit", "/admin/audit?actor=user:u3", "/admin/audit?action=exchange.state_changed"
                 "&object_type=exchange", "/admin/audit?before=500000", "/admin/deliveries",
                 "/admin/purchase-orders", "/admin/partners", "/admin/partners/3", "/admin/connectors",
                 "/admin/reconciliation", "/admin/reconciliation/matched",
                 "/admin/exchanges?ack=overdue"]
        print(f"{'page':72} {'median ms':>10} {'worst ms':>9}")
        for path in pages:
            median, worst, status = measure(client, path, args.repeat)
            print(f"{path[:72]:72} {median:10.1f} {worst:9.1f}" + ("" if status == 200 else f"  [{status}]"))
        app.extensions["hub.engine"].dispose()


if __name__ == "__main__":
    main()
