"""The served hub while it processes a big interchange: the API keeps answering, and a graceful
stop is prompt and leaves no process behind (the exchange goes back to the queue, uncounted)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests
from flask import Flask

from bench.edifact_parse import generate
from hub.db import new_session
from hub.models import Exchange
from tests.conftest import ON_POSTGRES
from tests.integration.server.hubserver import ROOT, HubServer

pytestmark = pytest.mark.slow

BIG = {"HUB_MAX_UPLOAD_BYTES": str(32 * 1024 * 1024), "HUB_INGEST_WORKERS": "1"}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "wsgi.py").write_text((ROOT / "wsgi.py").read_text())
    return tmp_path


@pytest.fixture
def sender(make_partner):  # type: ignore[no-untyped-def]
    return make_partner("bench", edi_id="5412345000013")  # the sender of bench's interchanges


def _upload(server: HubServer, sender, body: bytes) -> str:  # type: ignore[no-untyped-def]
    resp = requests.post(server.url + "/api/v1/exchanges", data=body, headers=sender.headers,
                         timeout=30)
    assert resp.status_code == 202, resp.text
    return str(resp.json()["id"])


def _wait_for_mapping_workers(server: HubServer) -> None:
    deadline = time.monotonic() + 30
    while not any("forkserver" in cmd for cmd in server.descendants()):
        assert time.monotonic() < deadline, "the mapping workers never started"
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _state(app: Flask, exchange_id: str) -> tuple[str, int]:
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, exchange_id)
        return exchange.state, exchange.attempts


def test_health_checks_answer_within_a_second_while_a_big_file_is_processed(
        app, database_url, workdir, sender):
    server = HubServer(database_url, workdir, scheduler=True, env=BIG)
    try:
        exchange_id = _upload(server, sender, generate(6_000, 3))
        slowest, deadline = 0.0, time.monotonic() + 60
        while _state(app, exchange_id)[0] in ("received", "processing"):
            assert time.monotonic() < deadline, "not processed within a minute"
            started = time.monotonic()
            assert requests.get(server.url + "/healthz", timeout=10).ok
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.05)
        assert _state(app, exchange_id) == ("processed", 1)
        assert slowest < 1.0
    finally:
        server.stop()


def test_a_graceful_stop_while_processing_is_prompt_and_leaves_no_process(
        app, database_url, workdir, sender):
    server = HubServer(database_url, workdir, scheduler=True, env=BIG)
    try:
        exchange_id = _upload(server, sender, generate(20_000, 3))
        _wait_for_mapping_workers(server)
        assert _state(app, exchange_id)[0] == "processing"
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)  # what a service manager does
        server.proc.wait(timeout=30)
        assert time.monotonic() - started < 8  # gunicorn's graceful timeout is 30 s
        time.sleep(0.5)
        # only zombies may remain (no command line): they hold no memory
        assert [cmd for cmd in server.descendants() if cmd] == []
    finally:
        server.stop()
    assert _state(app, exchange_id) == ("received", 0)  # back in the queue, uncounted


def test_a_killed_web_worker_leaves_no_mapping_process_behind(app, database_url, workdir, sender):
    """What gunicorn does to a worker past its timeout: SIGKILL. Its fork server and mapping
    workers must not live on (they used to, after every such stop)."""
    server = HubServer(database_url, workdir, scheduler=True, env=BIG)
    try:
        _upload(server, sender, generate(20_000, 3))
        _wait_for_mapping_workers(server)
        for pid in _children(server.proc.pid):  # the gunicorn worker running the scheduler
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any("multiprocessing" in cmd for cmd in server.descendants()):
            assert time.monotonic() < deadline, server.descendants()
            time.sleep(0.1)
    finally:
        server.stop()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's single writer; PostgreSQL writers wait on rows only")
def test_uploads_while_a_15_mb_interchange_is_processed_answer_within_5_s_and_every_202_is_kept(
        app, database_url, workdir, sender):
    """The reading of a big interchange writes nothing (hub.exchanges.spill): only its final write
    holds SQLite's one writer, and an upload that meets it answers 503 with Retry-After, never 500."""
    server = HubServer(database_url, workdir, workers=2, scheduler=True, env=BIG)
    small = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()
    try:
        big_id = _upload(server, sender, generate(14_000, 6))  # 15.3 MB
        answers: list[tuple[float, int, str | None]] = []
        stored: list[str] = []
        deadline = time.monotonic() + 150
        while _state(app, big_id)[0] in ("received", "processing") or not answers:
            assert time.monotonic() < deadline, "not processed within 150 s"
            n = len(answers) + 1
            body = (small.replace(b"ORD0001", f"S{n:06d}".encode())
                    .replace(b"PO-2024-0042", f"PX{n:06d}".encode()))
            started = time.monotonic()
            resp = requests.post(server.url + "/api/v1/exchanges", data=body, headers=sender.headers,
                                 timeout=30)
            answers.append((time.monotonic() - started, resp.status_code, resp.headers.get("Retry-After")))
            if resp.status_code == 202:
                stored.append(resp.json()["id"])
            time.sleep(0.2)
        assert _state(app, big_id) == ("processed", 1)
        assert all(seconds < 5 for seconds, _, _ in answers), answers
        assert all(code == 202 or (code == 503 and retry) for _, code, retry in answers), answers
        assert len(stored) >= len(answers) // 2 and all(_state(app, x)[0] for x in stored)
    finally:
        server.stop()
