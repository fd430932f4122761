"""Routing one big interchange to another partner, with and without outbound batching.

One buyer's interchange of N ORDERS (default 15,514, the file of the issue) addressed to a supplier
of the hub; processed once for a supplier that takes one interchange per document and once for one
whose profile sets `batch_max_messages` (default 1,000). Prints, for each, the outbound
interchanges made, the processing time, and for the batched run that every file passes the hub's
own validation and is read back as its messages.

    .venv/bin/python bench/routing_batching.py [--messages 15514] [--lines 2] [--max 1000]
    DATABASE_URL=postgresql://postgres@127.0.0.1/hub_bench .venv/bin/python bench/routing_batching.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import BENCH_AUDIT_KEY, fresh_database_url  # noqa: E402
from bench.edifact_parse import generate  # noqa: E402


def run(data: bytes, batch_max: int | None) -> None:
    """Process the interchange on a fresh database; print what went out to the supplier."""
    from sqlalchemy import select

    from hub import create_app
    from hub.config import Settings
    from hub.db import new_session
    from hub.exchanges.outbound import validate_outbound
    from hub.exchanges.processing import process_exchange
    from hub.exchanges.receive import Upload, receive
    from hub.migrate import upgrade
    from hub.partners import credentials
    from hub.partners import service as partners
    from hub.records.models import Exchange
    from mappings.edifact.envelope import parse_interchange

    url = fresh_database_url(tempfile.mkdtemp())
    app = create_app(Settings(database_url=url, ingest_workers=0, audit_key=BENCH_AUDIT_KEY),
                     start_scheduler=False)
    upgrade(app.extensions["hub.engine"])
    with app.app_context(), new_session() as session:
        buyer = partners.add_partner(session, "buyer", edi_id="5412345000013", qualifier="14",
                                     roles=["buyer"], actor="bench")
        supplier = partners.add_partner(session, "supplier", edi_id="4012345000009",
                                        qualifier="14", roles=["supplier"], actor="bench")
        if batch_max:
            partners.update_profile(session, supplier, {"batch_max_messages": batch_max},
                                    actor="bench")
        session.commit()
        supplier_id = supplier.id
        principal = credentials.Principal(kind="partner", name="buyer", partner_id=buyer.id)
        exchange_id = receive(session, principal, Upload(data, "application/edifact")).exchange.id
    start = time.perf_counter()
    state = process_exchange(lambda: new_session(app), exchange_id, settings=app.config["HUB_SETTINGS"])
    elapsed = time.perf_counter() - start
    assert state == "processed", state
    with app.app_context(), new_session() as session:
        files = session.scalars(select(Exchange.id).where(Exchange.partner_id == supplier_id,
                                                          Exchange.direction == "outbound")).all()
        label = f"batch_max_messages={batch_max}" if batch_max else "no batching"
        print(f"{label}: {len(files)} outbound interchanges, processing {elapsed:.1f} s")
        if batch_max:
            t0 = time.perf_counter()
            messages = 0
            for file_id in files:
                raw = session.get(Exchange, file_id).raw  # type: ignore[union-attr]
                assert not validate_outbound(raw, "edifact").fatal
                messages += len(parse_interchange(raw).messages)
            print(f"  every file passes the hub's validation and reads back: {messages} messages "
                  f"({time.perf_counter() - t0:.1f} s to check them all again)")
    app.extensions["hub.engine"].dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=15_514)
    ap.add_argument("--lines", type=int, default=2)
    ap.add_argument("--max", type=int, default=1_000, help="batch_max_messages of the batched run")
    ap.add_argument("--skip-unbatched", action="store_true")
    args = ap.parse_args()
    os.chdir(tempfile.mkdtemp())
    data = generate(args.messages, args.lines)
    print(f"{args.messages} ORDERS, {len(data) / 1e6:.1f} MB, to another partner of the hub")
    if not args.skip_unbatched:
        run(data, None)
    run(data, args.max)


if __name__ == "__main__":
    main()
