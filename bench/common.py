"""What the benchmarks share: the audit key their hubs run with, and a fresh database to run on."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

BENCH_AUDIT_KEY = "bench-audit-key-not-secret-0123456789abcdef"  # bench data only, never a real trail


def fresh_database_url(folder: str | Path) -> str:
    """DATABASE_URL with its public schema emptied, or a new SQLite file in `folder`."""
    # imported here: the ingest bench's worker processes import its module, and this one, again
    from sqlalchemy import create_engine, text

    from hub.config import normalise_database_url

    url = normalise_database_url(os.environ.get("DATABASE_URL", ""))
    if not url:
        return f"sqlite:///{Path(folder) / 'bench.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def timed(engine: Any, call: Callable[[], T]) -> tuple[float, float, int, T]:
    """(wall seconds, this process's CPU seconds, SQL statements sent, result) of one call."""
    import time

    from sqlalchemy import event

    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return time.perf_counter() - start, time.process_time() - cpu, statements, result
