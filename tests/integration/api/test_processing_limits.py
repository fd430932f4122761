"""A file whose processing dies, runs out of memory or of time is retried a few times, then fails
with that error named; it never loops, and the files queued behind it are processed.

The deaths are real: mapping worker processes are SIGKILLed from outside while they work, and the
memory budget is the workers' real RLIMIT_AS.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from bench.edifact_parse import generate
from hub.db import new_session
from hub.exchanges.processing import ProcessingPolicy, process_pending, requeue_stale
from hub.ingest import pool
from hub.models import Document, Exchange
from tests.integration.api.test_receive import interchange

POISON = generate(2_000, 5)  # about a second of mapping in one worker: long enough to be killed


@pytest.fixture(autouse=True)
def _fresh_pool() -> Iterator[None]:
    yield
    pool.shutdown()


@pytest.fixture
def bench_partner(make_partner):  # type: ignore[no-untyped-def]
    return make_partner("bench", edi_id="5412345000013")


def _settings(app: Flask, **values: object) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    settings = app.config["HUB_SETTINGS"]
    settings.ingest_workers, settings.ingest_parallel_bytes = 1, 100_000
    for name, value in values.items():
        setattr(settings, name, value)


def _post(client, partner, body: bytes) -> str:  # type: ignore[no-untyped-def]
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    assert resp.status_code == 202, resp.json
    return str(resp.json["id"])


def _shown(client, partner, exchange_id: str) -> dict:  # type: ignore[no-untyped-def]
    return dict(client.get(f"/api/v1/exchanges/{exchange_id}", headers=partner.headers).json)


class WorkerKiller:
    """SIGKILLs every mapping worker process as soon as it is up (after the pool's probe)."""

    def __init__(self) -> None:
        self.killed: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerKiller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            for pid in pool.process_ids():
                if pid not in self.killed:
                    self.killed.add(pid)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)


def test_a_file_whose_worker_dies_three_times_fails_and_the_queue_moves(
        app, client, bench_partner, make_partner):
    _settings(app)
    other = make_partner("other")
    poison = _post(client, bench_partner, POISON)
    good = _post(client, other, interchange(other.edi_id, "G1"))
    with WorkerKiller() as killer:
        process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
        assert _shown(client, other, good)["state"] == "processed"  # not stuck behind it
        first = _shown(client, bench_partner, poison)
        assert first["state"] == "received" and first["attempts"] == 1
        assert first["error"]["code"] == "WORKER_LOST"
        process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
        process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    assert len(killer.killed) >= 3
    shown = _shown(client, bench_partner, poison)
    assert shown["state"] == "failed" and shown["attempts"] == 3
    assert shown["error"]["code"] == "WORKER_LOST"
    assert "attempt 3 of 3" in shown["error"]["message"]
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])  # never picked up again
    assert _shown(client, bench_partner, poison)["attempts"] == 3
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count(Document.id))) == 1  # the good file's only


def test_a_file_that_outgrows_the_workers_memory_budget_fails_resource_limit(
        app, client, bench_partner):
    _settings(app, ingest_worker_memory_mb=48, processing_max_attempts=2)
    exchange_id = _post(client, bench_partner, generate(300, 120))  # big messages
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    assert _shown(client, bench_partner, exchange_id)["state"] == "received"
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    shown = _shown(client, bench_partner, exchange_id)
    assert shown["state"] == "failed" and shown["attempts"] == 2, shown["error"]
    assert shown["error"]["code"] == "RESOURCE_LIMIT"
    assert "48 MiB" in shown["error"]["message"]
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count(Document.id))) == 0  # nothing half-kept


@pytest.mark.parametrize("workers", [1, 0], ids=["in-workers", "in-process"])
def test_a_file_past_the_time_limit_fails_time_limit(app, client, bench_partner, workers):
    _settings(app, processing_time_limit_seconds=0.001, processing_max_attempts=1)
    if not workers:
        _settings(app, ingest_parallel_bytes=10**9)
    exchange_id = _post(client, bench_partner, generate(1_000, 3))
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    shown = _shown(client, bench_partner, exchange_id)
    assert shown["state"] == "failed" and shown["error"]["code"] == "TIME_LIMIT"
    assert pool.process_ids() == []  # workers possibly stuck in a batch are gone


def test_an_exchange_left_processing_by_a_dead_process_fails_at_its_last_attempt(
        app, client, bench_partner):
    exchange_id = _post(client, bench_partner, generate(2, 1))
    for attempts, state in [(1, "received"), (3, "failed")]:
        with app.app_context(), new_session() as session:
            exchange = session.get(Exchange, exchange_id)
            exchange.state, exchange.attempts = "processing", attempts  # its process died
            session.commit()
        assert requeue_stale(lambda: new_session(app), timedelta(seconds=-1), max_attempts=3) == 1
        shown = _shown(client, bench_partner, exchange_id)
        assert shown["state"] == state and shown["error"]["code"] == "WORKER_LOST"


def test_the_cli_sweeps_with_the_stale_setting(app, client, bench_partner, runner):
    exchange_id = _post(client, bench_partner, generate(2, 1))
    with app.app_context(), new_session() as session:
        session.get(Exchange, exchange_id).state = "processing"  # a second ago
        session.commit()
    app.config["HUB_SETTINGS"].processing_stale_seconds = 0
    result = runner.invoke(args=["hub", "process"])
    assert result.exit_code == 0, result.output
    assert _shown(client, bench_partner, exchange_id)["state"] == "processed"


def test_the_policy_comes_from_the_environment() -> None:
    from hub.config import Settings

    settings = Settings.from_env({"HUB_PROCESSING_MAX_ATTEMPTS": "5",
                                  "HUB_PROCESSING_TIME_LIMIT_SECONDS": "42",
                                  "HUB_INGEST_WORKER_MEMORY_MB": "256",
                                  "HUB_PROCESSING_STALE_SECONDS": "90"})
    policy = ProcessingPolicy.from_settings(settings)
    assert (policy.max_attempts, policy.stale_after, policy.limits.seconds,
            policy.limits.memory_mb) == (5, timedelta(seconds=90), 42, 256)

