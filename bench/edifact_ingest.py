"""End-to-end EDIFACT ingest: one interchange of 10,000 ORDERS (10 lines each), about 15 MB.

Stored (receive), parsed, validated, mapped, persisted with lines and audit events, on SQLite (or
on DATABASE_URL). Prints per-stage figures measured in one process (each stage clocked on its own,
per message), then the real end-to-end run through `process_exchange`: the envelope read and
persistence in this process, the messages mapped by the worker pool (`--workers`, the hub's default
is one per CPU), with the CPU time each process spent (steadier than the wall clock on a shared
machine). Memory is the peak of the summed PSS of this process, the workers and their fork server,
sampled every 50 ms (what they use together, shared pages counted once), and each one's peak
resident size.

    .venv/bin/python bench/edifact_ingest.py [--messages 10000] [--lines 10] [--workers N] [--runs 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1/hub_bench .venv/bin/python bench/edifact_ingest.py
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing.forkserver
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Only light imports at the top: the worker processes import this main module again (as
# multiprocessing does with a script); the hub itself is imported inside main().
from bench.common import BENCH_AUDIT_KEY  # noqa: E402
from bench.edifact_parse import generate  # noqa: E402
from hub.ingest import pool  # noqa: E402

# a bench needs an audit key like any hub on PostgreSQL; its value does not matter here


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb_of(pid: int) -> float:
    """VmHWM, the peak resident size of a live process."""
    return _proc_field(f"/proc/{pid}/status", "VmHWM:")


def pss_mb_of(pid: int) -> float:
    """The proportional set size: the process's own pages plus its share of pages it shares
    (with the fork server and the other workers); summed over processes, what they use together."""
    return _proc_field(f"/proc/{pid}/smaps_rollup", "Pss:")


def cpu_seconds_of(pid: int) -> float:
    """User plus system CPU time a live process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_field(path: str, name: str) -> float:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PssPeak:
    """Samples the summed PSS of this process and its helpers every 50 ms, keeping the peak; and
    the CPU time of every mapping worker seen meanwhile (`worker_cpu`, by pid), so that a worker
    that exits (a pool replaced) keeps the CPU it was last seen with, and one started during the
    run counts from zero."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.worker_cpu: dict[int, float] = {}
        self._cpu_before: dict[int, float] = {pid: cpu_seconds_of(pid) for pid in pool.process_ids()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _sample(self) -> None:
        total = sum(pss_mb_of(pid) for pid in [os.getpid(), *helper_pids()])
        self.peak = max(self.peak, total)
        for pid in pool.process_ids():
            used = cpu_seconds_of(pid)  # 0.0 once it has exited: keep what was seen before
            if used:
                self.worker_cpu[pid] = max(self.worker_cpu.get(pid, 0.0),
                                           used - self._cpu_before.get(pid, 0.0))

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self._sample()


def helper_pids() -> list[int]:
    server = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
    return pool.process_ids() + ([server] if server else [])


def fresh_database(url: str | None) -> str:
    from hub.config import normalise_database_url

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


def stages(data: bytes, count: int) -> None:
    """Each stage's own cost, streamed as the hub does it but in one process: every message goes
    through all stages, and each stage's time is clocked around that stage alone (best of three
    passes per stage). Not the end-to-end figure."""
    from hub.domain.records import record_of
    from hub.ingest.messages import MessageJob
    from hub.partners import domain as profiles
    from mappings.edifact import registry
    from mappings.edifact.controls import line_count_problems
    from mappings.edifact.envelope import open_interchange
    from mappings.edifact.structure import validate_message

    profile = profiles.build({})
    clock = time.perf_counter

    def run() -> list[float]:
        spent = [0.0] * 5
        start = clock()
        reader = open_interchange(data, lazy=True)
        seps = reader.interchange.separators
        messages = reader.messages()
        position = 0
        while True:
            t0 = clock()
            lazy = next(messages, None)
            t1 = clock()
            spent[0] += t1 - t0
            if lazy is None:
                break
            position += 1
            job = MessageJob.of(position, lazy, seps)
            message = job.message(seps)
            t2 = clock()
            validate_message(message)
            line_count_problems(message)
            t3 = clock()
            doc = registry.lookup(message.type, message.directory).parse(message, profile,
                                                                        decimal_mark=".")
            t4 = clock()
            record_of(position, message.reference, job.message_type, doc, keep_document=False)
            t5 = clock()
            spent[1] += t2 - t1
            spent[2] += t3 - t2
            spent[3] += t4 - t3
            spent[4] += t5 - t4
        spent[0] += clock() - start - sum(spent)  # opening the interchange and the loop itself
        return spent

    names = ["envelope (lazy read)", "split segments", "validate", "map", "record (rows, JSON)"]
    gc.disable()
    try:
        passes = [run() for _ in range(3)]
    finally:
        gc.enable()
    gc.collect()
    for index, name in enumerate(names):
        secs = min(p[index] for p in passes)
        print(f"  stage {name:22s} {secs:6.2f} s  {count / secs:8.0f} messages/s  "
              f"{secs / count * 1e6:5.0f} us/message")


def persist_stage(data: bytes, count: int, url: str) -> None:
    """Inserting the documents with their lines and audit events, and the commit, timed alone
    (the records are made outside the clock), on a database of its own."""
    from hub import create_app
    from hub.audit.service import record_events
    from hub.config import Settings
    from hub.db import new_session
    from hub.domain.records import record_of
    from hub.exchanges import documents
    from hub.exchanges.receive import Upload, receive
    from hub.ingest.messages import MessageJob
    from hub.migrate import upgrade
    from hub.partners import credentials
    from hub.partners import domain as profiles
    from hub.partners import service as partners
    from mappings.edifact import registry
    from mappings.edifact.envelope import open_interchange

    app = create_app(Settings(database_url=url, ingest_workers=0, audit_key=BENCH_AUDIT_KEY),
                     start_scheduler=False)
    upgrade(app.extensions["hub.engine"])
    profile = profiles.build({})
    with app.app_context(), new_session() as session:
        partner = partners.add_partner(session, "stage", edi_id="5412345000013", qualifier="14",
                                       roles=["buyer"], actor="bench")
        session.commit()
        principal = credentials.Principal(kind="partner", name="stage", partner_id=partner.id)
        exchange_id = receive(session, principal, Upload(data, "application/edifact")).exchange.id
        reader = open_interchange(data, lazy=True)
        seps = reader.interchange.separators
        batch, clock = [], 0.0

        def persist() -> float:
            start = time.perf_counter()
            _, events = documents.persist(session, exchange_id, partner.id, "inbound", batch,
                                          actor="bench")
            record_events(session, events)
            batch.clear()
            return time.perf_counter() - start

        for position, lazy in enumerate(reader.messages(), 1):
            job = MessageJob.of(position, lazy, seps)
            message = job.message(seps)
            doc = registry.lookup(message.type, message.directory).parse(message, profile)
            batch.append(record_of(position, message.reference, job.message_type, doc,
                                   keep_document=False))
            if len(batch) >= 250:
                clock += persist()
        clock += persist()
        start = time.perf_counter()
        session.commit()
        clock += time.perf_counter() - start
    app.extensions["hub.engine"].dispose()
    print(f"  stage {'persist (rows, commit)':22s} {clock:6.2f} s  {count / clock:8.0f} messages/s  "
          f"{clock / count * 1e6:5.0f} us/message")


def end_to_end(data: bytes, count: int, workers_wanted: int, run: int,
               profile_to: str | None = None) -> dict[str, float]:
    """One real run through `process_exchange` on a fresh database; prints and returns its figures."""
    from hub import create_app
    from hub.config import Settings
    from hub.db import new_session
    from hub.exchanges.processing import process_exchange
    from hub.exchanges.receive import Upload, receive
    from hub.migrate import upgrade
    from hub.partners import credentials
    from hub.partners import service as partners
    from hub.records.models import Document, DocumentLine, Exchange

    database = os.environ.get("DATABASE_URL")
    url = fresh_database(database)
    os.chdir(tempfile.mkdtemp())
    settings = Settings(database_url=url, ingest_workers=workers_wanted,
                        audit_key=BENCH_AUDIT_KEY)
    workers = settings.ingest_worker_count()
    app = create_app(settings, start_scheduler=False)
    upgrade(app.extensions["hub.engine"])
    with app.app_context(), new_session() as session:
        partner = partners.add_partner(session, "bench", edi_id="5412345000013", qualifier="14",
                                       roles=["buyer"], actor="bench")
        credentials.issue_partner_key(session, partner, actor="bench")
        session.commit()
        principal = credentials.Principal(kind="partner", name="bench", partner_id=partner.id)
    rss_before = peak_mb()
    t0 = time.perf_counter()
    if workers:  # a running hub starts its pool with its first big interchange and keeps it
        from hub.exchanges.processing import ProcessingPolicy
        from hub.ingest.limits import limited
        from hub.ingest.messages import Context
        from mappings.edifact.model import Separators

        # under the limits processing runs with: a pool of another shape (memory budget) would
        # be replaced by the run itself, its start counted in the run
        with limited(ProcessingPolicy.from_settings(settings).limits):
            list(pool.map_batches(Context(Separators(), {}, "bench"), [[]] * workers, workers))
    t_pool = time.perf_counter() - t0
    start = time.perf_counter()
    with app.app_context(), new_session() as session:
        exchange_id = receive(session, principal, Upload(data, "application/edifact")).exchange.id
    t_store = time.perf_counter() - start
    t0 = time.perf_counter()
    pids_before = pool.process_ids()
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    with PssPeak() as memory:
        if profile_to:  # this process only (the workers are not profiled)
            import cProfile
            with cProfile.Profile(time.process_time, builtins=False) as profiler:  # CPU, not waits
                state = process_exchange(lambda: new_session(app), exchange_id, settings=settings)
            profiler.dump_stats(profile_to)
        else:
            state = process_exchange(lambda: new_session(app), exchange_id, settings=settings)
    t_process = time.perf_counter() - t0
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    own_cpu = (own_after.ru_utime + own_after.ru_stime) - (own_before.ru_utime + own_before.ru_stime)
    worker_cpu = memory.worker_cpu
    replaced = pids_before != pool.process_ids()
    total = time.perf_counter() - start
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, exchange_id)
        assert exchange is not None
        docs = session.query(Document).count()
        lines = session.query(DocumentLine).count()
        error = exchange.error
    assert state == "processed", error
    app.extensions["hub.engine"].dispose()
    helpers = {pid: peak_mb_of(pid) for pid in helper_pids()}
    print(f"run {run}: backend {url.split(':')[0]}, {workers} mapping worker processes "
          f"(ready in {t_pool:.2f} s, before the run)")
    print(f"  store     {t_store:6.2f} s")
    print(f"  process   {t_process:6.2f} s  (parse + validate + map + persist + commit)")
    print(f"  CPU time while processing: this process {own_cpu:.2f} s"
          + (f", mapping workers {' + '.join(f'{v:.2f}' for v in worker_cpu.values())} s"
             if worker_cpu else ", no mapping worker ran")
          + (" (the pool was replaced during the run)" if replaced else ""))
    print(f"  end to end: {total:.2f} s, {count / total:.0f} messages/s; "
          f"{docs} documents, {lines} lines persisted")
    print(f"  peak memory: all processes together (summed PSS, sampled) {memory.peak:.0f} MB")
    if run > 1:  # resident sizes are high-water marks: only the first run's say something
        return {"rate": count / total, "memory": memory.peak, "pool": t_pool, "cpu": own_cpu,
            "workers_cpu": sum(worker_cpu.values())}
    print(f"    peak resident sizes: this process {peak_mb():.0f} MB (before ingest "
          f"{rss_before:.0f} MB)" + (
              f", workers and fork server {' + '.join(f'{v:.0f}' for v in helpers.values())} MB"
              f" (they share pages: their sum, {peak_mb() + sum(helpers.values()):.0f} MB, "
              "counts those twice)" if helpers else ""))
    return {"rate": count / total, "memory": memory.peak, "pool": t_pool, "cpu": own_cpu,
            "workers_cpu": sum(worker_cpu.values())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--lines", type=int, default=10)
    ap.add_argument("--workers", type=int, default=-1, help="mapping processes (-1: one per CPU)")
    ap.add_argument("--runs", type=int, default=3,
                    help="end-to-end runs, each on a fresh database (their median is the figure)")
    ap.add_argument("--no-stages", action="store_true")
    ap.add_argument("--profile", metavar="PATH",
                    help="cProfile this process's processing of the last run into PATH")
    a = ap.parse_args()
    data = generate(a.messages, a.lines)
    print(f"interchange: {len(data) / 1e6:.1f} MB, {a.messages} ORDERS x {a.lines} lines")
    database = os.environ.get("DATABASE_URL")
    if not a.no_stages:
        stages(data, a.messages)
        persist_stage(data, a.messages, fresh_database(database and database + "_stage"))
    results = []
    for run in range(1, a.runs + 1):
        results.append(end_to_end(data, a.messages, a.workers, run,
                                  a.profile if run == a.runs else None))
        gc.collect()
        time.sleep(1)  # let the last run's writes settle before the next one starts
    rates = sorted(r["rate"] for r in results)
    print(f"end to end, {len(rates)} runs: median {statistics.median(rates):.0f} messages/s "
          f"(lowest {rates[0]:.0f}, highest {rates[-1]:.0f}); peak memory at most "
          f"{max(r['memory'] for r in results):.0f} MB; worker start {results[0]['pool']:.2f} s, "
          "once per process")
    print(f"CPU seconds while processing (median): this process "
          f"{statistics.median(r['cpu'] for r in results):.2f} s, mapping workers together "
          f"{statistics.median(r['workers_cpu'] for r in results):.2f} s")
    pool.shutdown()


if __name__ == "__main__":
    main()
