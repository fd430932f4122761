"""POST throughput: gunicorn (4 workers) on PostgreSQL, 20 concurrent clients posting 10 KB files.

Creates its own database (`hub_bench` by default), a partner and a key, starts gunicorn on a
loopback port, posts unique EDIFACT interchanges for a fixed time, then checks that every 202
is in the database exactly once. Prints requests/s and latency percentiles.

    .venv/bin/python bench/receive_throughput.py [--seconds 30] [--clients 20] [--workers 4]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import BENCH_AUDIT_KEY  # noqa: E402
from hub.db import Base  # noqa: E402
from hub.migrate import upgrade  # noqa: E402
from hub.records.models import Exchange  # noqa: E402

# a bench needs an audit key like any hub on PostgreSQL; its value does not matter here


def interchange(client: int, n: int, size: int = 10_240) -> bytes:
    head = (f"UNA:+.? 'UNB+UNOC:3+5790000000005:14+HUB:ZZ+240101:1200+C{client}N{n}'"
            f"UNH+1+ORDERS:D:96A:UN'BGM+220+PO{client}-{n}+9'")
    filler = "FTX+AAI+++" + "X" * 60 + "'"
    body = head + filler * ((size - len(head)) // len(filler))
    return (body + f"UNT+3+1'UNZ+1+C{client}N{n}'").encode()


def client_loop(args: tuple[str, str, int, float, int]) -> list[tuple[int, str, float]]:
    url, key, client, seconds, threads = args
    import threading

    out: list[tuple[int, str, float]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def run(tid: int) -> None:
        session = requests.Session()
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/edifact"}
        n = 0
        local = []
        while time.monotonic() < stop_at:
            n += 1
            t0 = time.perf_counter()
            r = session.post(url, data=interchange(client * 100 + tid, n), headers=headers,
                             timeout=30)
            local.append((r.status_code, r.json().get("id", ""), time.perf_counter() - t0))
        with lock:
            out.extend(local)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def prepare(admin_dsn: str, db: str) -> tuple[str, str]:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
    upgrade(create_engine(url))
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi", "HUB_AUDIT_KEY": BENCH_AUDIT_KEY}
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run([flask, "hub", "partner-add", "bench", "--edi-id", "5790000000005",
                    "--qualifier", "14"], env=env, cwd=ROOT, check=True, capture_output=True)
    out = subprocess.run([flask, "hub", "key-add", "bench"], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    seed_history(db)
    return url, out.strip().splitlines()[-1]


HISTORY = 5000


def seed_history(db: str) -> None:
    """Exchanges from earlier days, then ANALYZE: the planner sees a database in use, not an
    empty one (on an empty table it may pick the wrong unique index for the duplicate check)."""
    with psycopg.connect(f"dbname={db} user=postgres host=127.0.0.1", autocommit=True) as conn:
        conn.execute(
            "INSERT INTO exchanges (id, direction, partner_id, state, syntax, doc_type, control_ref,"
            " dedup_ref, sha256, size, raw, received_at, updated_at, attempts, warnings, result)"
            " SELECT md5(g::text || 'id'), 'inbound', 1, 'processed', 'edifact', 'ORDERS',"
            " 'H' || g, 'edifact:5790000000005:14:H' || g, md5(g::text) || md5(g::text || 'x'),"
            " 10, 'x', now() - interval '1 day', now() - interval '1 day', 1, '[]', '{}'"
            f" FROM generate_series(1, {HISTORY}) g")
        conn.execute("ANALYZE")


def run_wrk(base: str, key: str, a: argparse.Namespace, url: str) -> None:
    """Drive the load with wrk, then check the database holds exactly the 202s it counted."""
    script = Path(__file__).with_name("receive_wrk.lua")
    out = subprocess.run(["wrk", "-t2", f"-c{a.clients}", f"-d{int(a.seconds)}s", "--timeout", "30s",
                          "-s", str(script), base, "--", key], capture_output=True, text=True,
                         check=True).stdout
    statuses = {int(s): int(n) for s, n in (line.split()[1:3] for line in out.splitlines()
                                             if line.startswith("STATUS"))}
    rate = next(line for line in out.splitlines() if line.startswith("Requests/sec"))
    latency = next(line for line in out.splitlines() if line.startswith("LATENCY"))
    with create_engine(url).connect() as conn:
        stored = (conn.scalar(select(func.count()).select_from(Exchange)) or 0) - HISTORY
    accepted = statuses.get(202, 0)
    print(f"clients={a.clients} workers={a.workers} seconds={a.seconds:.0f} (wrk)")
    print(f"statuses={statuses} {rate.strip()}")
    print(latency.replace("LATENCY", "latency"))
    print(f"stored={stored} accepted_202={accepted}")
    # Requests still in flight when wrk stops may commit without wrk counting their answer.
    assert accepted <= stored <= accepted + a.clients, f"{stored} stored, {accepted} answered 202"
    print(f"every 202 is in the database, none twice ({stored - accepted} more were committed "
          "for requests still in flight when wrk stopped)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--database", default="hub_bench")
    ap.add_argument("--port", type=int, default=18765)
    ap.add_argument("--client", choices=("python", "wrk"), default="python",
                    help="wrk (Debian package) leaves more CPU to the server than Python clients")
    a = ap.parse_args()
    url, key = prepare("dbname=postgres user=postgres host=127.0.0.1", a.database)
    workdir = Path(tempfile.mkdtemp())
    env = {**os.environ, "DATABASE_URL": url, "HUB_SCHEDULER": "0", "PYTHONPATH": str(ROOT),
           "HUB_AUDIT_KEY": BENCH_AUDIT_KEY}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen([gunicorn, "-w", str(a.workers), "-b", f"127.0.0.1:{a.port}",
                               "--chdir", str(ROOT), "--log-level", "warning", "wsgi:app"],
                              env=env, cwd=workdir)
    base = f"http://127.0.0.1:{a.port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=5).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        if a.client == "wrk":
            run_wrk(base, key, a, url)
            return
        procs = 2
        per_proc = a.clients // procs
        started = time.monotonic()
        with mp.Pool(procs) as pool:
            parts = pool.map(client_loop, [(base + "/api/v1/exchanges", key, p, a.seconds, per_proc)
                                           for p in range(procs)])
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    results = [r for part in parts for r in part]
    accepted = [r[1] for r in results if r[0] == 202]
    other = [r[0] for r in results if r[0] != 202]
    latencies = sorted(r[2] for r in results)
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = (conn.scalar(select(func.count()).select_from(Exchange)) or 0) - HISTORY
        stored_ids = set(conn.scalars(select(Exchange.id)))
    missing = [i for i in accepted if i not in stored_ids]
    print(f"clients={a.clients} workers={a.workers} seconds={elapsed:.1f}")
    print(f"requests={len(results)} accepted_202={len(accepted)} other={len(other)} "
          f"rate={len(results) / elapsed:.0f} req/s")
    print(f"latency p50={statistics.median(latencies) * 1000:.1f} ms "
          f"p99={latencies[int(len(latencies) * 0.99)] * 1000:.1f} ms")
    print(f"stored={stored} missing_202s={len(missing)} duplicate_ids={len(accepted) - len(set(accepted))}")
    assert not missing and len(set(accepted)) == len(accepted) == stored, "durability check failed"
    print("every 202 is in the database, none twice")
    _ = Base


if __name__ == "__main__":
    main()
