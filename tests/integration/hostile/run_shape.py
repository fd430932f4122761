"""Receive and process hostile files one after another in this process; print what became of
each as a JSON line, with the peak memory its processing reached.

    python tests/integration/hostile/run_shape.py WORKDIR SHAPE:SIZE[:WORKERS] ...

Run as a child process by the hostile-input tests: a fresh SQLite database under WORKDIR, one
partner, each file received and processed as the hub does it. Before each file the kernel's
peak-resident mark of this process is reset (/proc/self/clear_refs), so each line's peak is that
file's own: this process's, plus the mapping workers' and their fork server's when WORKERS > 0.
"""

from __future__ import annotations

import json
import multiprocessing.forkserver
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.integration.hostile.shapes import SHAPES  # noqa: E402


def peak_mb(pid: int | str = "self") -> int:
    """VmHWM, the peak resident size of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def main() -> None:
    workdir = Path(sys.argv[1])
    from hub import create_app
    from hub.config import Settings
    from hub.db import new_session
    from hub.exchanges.processing import process_exchange
    from hub.exchanges.receive import Upload, receive
    from hub.ingest import pool
    from hub.migrate import upgrade
    from hub.models import Exchange
    from hub.partners import credentials
    from hub.partners import service as partners

    settings = Settings(database_url=f"sqlite:///{workdir / 'hub.db'}", ingest_parallel_bytes=0,
                        max_upload_bytes=64 * 1024 * 1024)
    app = create_app(settings, start_scheduler=False)
    upgrade(app.extensions["hub.engine"])
    with app.app_context(), new_session() as session:
        partner = partners.add_partner(session, "hostile", edi_id="5412345000013", qualifier="14",
                                       roles=["buyer"], actor="test")
        session.commit()
        principal = credentials.Principal(kind="partner", name="hostile", partner_id=partner.id)
    for index, spec in enumerate(sys.argv[2:]):
        shape, size, *rest = spec.split(":")
        settings.ingest_workers = int(rest[0]) if rest else 0
        reset_peak()
        data = SHAPES[shape](int(size)).replace(b"HOSTILE1", f"H{index:07d}".encode())
        kind = "application/xml" if shape.endswith("xml") or "_xml_" in shape else (
            "application/edifact")
        start = time.perf_counter()
        with app.app_context(), new_session() as session:
            exchange_id = receive(session, principal, Upload(data, kind)).exchange.id
        del data
        state = process_exchange(lambda: new_session(app), exchange_id, settings=app.config["HUB_SETTINGS"])
        seconds = time.perf_counter() - start
        server = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
        helpers = pool.process_ids() + ([server] if server and settings.ingest_workers else [])
        with app.app_context(), new_session() as session:
            exchange = session.get(Exchange, exchange_id)
            assert exchange is not None
            error = exchange.error or {}
        print(json.dumps({
            "shape": shape, "workers": settings.ingest_workers, "state": state,
            "seconds": round(seconds, 2), "code": error.get("code"),
            "problems": [p.get("code") for p in error.get("problems", [])][:5],
            "problems_total": error.get("problems_total"),
            "message": str(error.get("message"))[:300],
            "rss_mb": peak_mb(), "workers_mb": sum(peak_mb(pid) for pid in helpers)}), flush=True)
        pool.shutdown()
    app.extensions["hub.engine"].dispose()


if __name__ == "__main__":
    main()
