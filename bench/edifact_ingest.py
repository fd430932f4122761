"""End-to-end EDIFACT ingest: one interchange of 10,000 ORDERS (10 lines each), about 15 MB.

Stored (receive), parsed, validated, mapped, persisted with lines and audit events, on SQLite (or
on DATABASE_URL). Prints per-stage times measured separately, then the real end-to-end run through
`process_exchange`, with messages/s and the process's peak memory (ru_maxrss).

    .venv/bin/python bench/edifact_ingest.py [--messages 10000] [--lines 10]
    DATABASE_URL=postgresql://postgres@127.0.0.1/hub_bench .venv/bin/python bench/edifact_ingest.py
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.edifact_parse import generate  # noqa: E402
from hub import create_app  # noqa: E402
from hub.config import Settings, normalise_database_url  # noqa: E402
from hub.db import new_session  # noqa: E402
from hub.migrate import upgrade  # noqa: E402
from hub.models import Document, DocumentLine, Exchange  # noqa: E402
from hub.services import credentials, partners, profiles  # noqa: E402
from hub.services.processing import process_exchange  # noqa: E402
from hub.services.receive import Upload, receive  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_database(url: str | None) -> str:
    if not url:
        return f"sqlite:///{tempfile.mkdtemp()}/ingest.db"
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(normalise_database_url(url))
    with psycopg.connect(host=parsed.host, user=parsed.username, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')
    return normalise_database_url(url)


def stages(data: bytes) -> None:
    """Each stage on its own, to see where the time goes (not the end-to-end figure)."""
    from mappings.edifact import registry
    from mappings.edifact.envelope import parse_interchange
    from mappings.edifact.structure import validate_message

    t = time.perf_counter()
    ic = parse_interchange(data)
    t_parse = time.perf_counter() - t
    t = time.perf_counter()
    for m in ic.messages:
        validate_message(m)
    t_validate = time.perf_counter() - t
    profile = profiles.build({})
    t = time.perf_counter()
    for m in ic.messages:
        registry.lookup(m.type, m.directory).parse(m, profile, decimal_mark=".")
    t_map = time.perf_counter() - t
    n = len(ic.messages)
    for name, secs in (("parse", t_parse), ("validate", t_validate), ("map", t_map)):
        print(f"  stage {name:9s} {secs:6.2f} s  {n / secs:8.0f} messages/s")
    del ic
    gc.collect()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--lines", type=int, default=10)
    ap.add_argument("--no-stages", action="store_true")
    a = ap.parse_args()
    data = generate(a.messages, a.lines)
    print(f"interchange: {len(data) / 1e6:.1f} MB, {a.messages} ORDERS x {a.lines} lines")
    if not a.no_stages:
        stages(data)
    url = fresh_database(os.environ.get("DATABASE_URL"))
    os.chdir(tempfile.mkdtemp())
    app = create_app(Settings(database_url=url), start_scheduler=False)
    upgrade(app.extensions["hub.engine"])
    with app.app_context(), new_session() as session:
        partner = partners.add_partner(session, "bench", edi_id="5412345000013", qualifier="14",
                                       roles=["buyer"], actor="bench")
        credentials.issue_partner_key(session, partner, actor="bench")
        session.commit()
        principal = credentials.Principal(kind="partner", name="bench", partner_id=partner.id)
    rss_before = peak_mb()
    start = time.perf_counter()
    with app.app_context(), new_session() as session:
        exchange_id = receive(session, principal, Upload(data, "application/edifact")).exchange.id
    t_store = time.perf_counter() - start
    t0 = time.perf_counter()
    state = process_exchange(lambda: new_session(app), exchange_id)
    t_process = time.perf_counter() - t0
    total = time.perf_counter() - start
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, exchange_id)
        assert exchange is not None
        docs = session.query(Document).count()
        lines = session.query(DocumentLine).count()
        error = exchange.error
    assert state == "processed", error
    print(f"backend: {url.split(':')[0]}")
    print(f"  store     {t_store:6.2f} s")
    print(f"  process   {t_process:6.2f} s  (parse + validate + map + persist + commit)")
    print(f"end to end: {total:.2f} s, {a.messages / total:.0f} messages/s; "
          f"{docs} documents, {lines} lines persisted")
    print(f"peak memory (ru_maxrss): {peak_mb():.0f} MB (before ingest {rss_before:.0f} MB)")


if __name__ == "__main__":
    main()
