"""Retention: how long a purge takes and how much the SQLite file shrinks.

N processed inbound files of S bytes are stored 200 days back, plus a tenth as many still waiting
(`received`); `purge` removes the bytes of the processed ones (raw class, older than 90 days), then
`VACUUM` gives the space back. Prints the purge time, the VACUUM time and the file size before and after.

    .venv/bin/python bench/retention_purge.py [--files 40] [--size 1000000]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python bench/retention_purge.py

Without DATABASE_URL it uses a fresh SQLite file in a temporary folder (on PostgreSQL the space is
reused by autovacuum, so only the purge time is printed). On PostgreSQL it empties the database's
public schema first: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_AUDIT_KEY, fresh_database_url
from hub import create_app
from hub.config import Settings
from hub.db import get_engine, new_session, transaction
from hub.migrate import upgrade
from hub.partners import service as partners
from hub.records.models import Exchange
from hub.retention import service


def _store(app: object, files: int, size: int) -> None:
    back = datetime.now(UTC) - timedelta(days=200)
    with new_session(app) as session, transaction(session):  # type: ignore[arg-type]
        partner = partners.add_partner(session, "bench", edi_id="5412345000013", qualifier="14",
                                       roles=["buyer"], actor="bench")
        for n in range(files + files // 10):
            raw = os.urandom(size)  # what a file costs on disk: SQLite does not compress
            session.add(Exchange(direction="inbound", partner_id=partner.id, received_at=back,
                                 state="processed" if n < files else "received", syntax="edifact",
                                 sha256=hashlib.sha256(raw).hexdigest(), size=size, raw=raw))
            session.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        app = create_app(Settings(database_url=fresh_database_url(folder), audit_key=BENCH_AUDIT_KEY),
                         start_scheduler=False)
        engine = get_engine(app)
        upgrade(engine)
        _store(app, args.files, args.size)
        path = engine.url.database if engine.dialect.name == "sqlite" else None
        before = os.path.getsize(path) if path else 0
        started = time.perf_counter()
        with new_session(app) as session, transaction(session):
            report = service.purge(session, {"raw": timedelta(days=90)}, datetime.now(UTC),
                                   invoice_min_years=5, actor="bench")
        purged = time.perf_counter() - started
        raw = report["classes"]["raw"]
        print(f"{engine.dialect.name}: {raw['purged']} files purged ({raw['bytes'] / 1e6:.1f} MB), "
              f"{raw['not_final']} kept (not final), purge {purged:.2f} s")
        if path:
            started = time.perf_counter()
            service.compact(engine)
            print(f"VACUUM {time.perf_counter() - started:.2f} s; file {before / 1e6:.1f} MB -> "
                  f"{os.path.getsize(path) / 1e6:.1f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()
