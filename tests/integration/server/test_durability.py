"""2xx means committed: a hub killed right after answering still has the file, and processes it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from tests.integration.api.test_receive import interchange
from tests.integration.server.hubserver import ROOT, HubServer

pytestmark = pytest.mark.slow


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "wsgi.py").write_text((ROOT / "wsgi.py").read_text())
    return tmp_path


def test_kill_after_202_then_restart_finds_the_file_and_processes_it(database_url, workdir,
                                                                     make_partner):
    acme = make_partner("acme")
    server = HubServer(database_url, workdir)
    body = interchange(acme.edi_id, "90001")
    try:
        resp = requests.post(server.url + "/api/v1/exchanges", data=body, headers=acme.headers,
                             timeout=10)
        assert resp.status_code == 202
        server.kill()  # nothing after the answer gets to run
    finally:
        server.stop()
    exchange_id = resp.json()["id"]
    restarted = HubServer(database_url, workdir, scheduler=True)
    try:
        url = f"{restarted.url}/api/v1/exchanges/{exchange_id}"
        shown = requests.get(url, headers=acme.headers, timeout=10).json()
        assert shown["sha256"] and shown["size"] == len(body)
        raw = requests.get(url + "/raw", headers=acme.headers, timeout=10)
        assert raw.content == body
        deadline = time.monotonic() + 20
        while shown["state"] in ("received", "processing") and time.monotonic() < deadline:
            time.sleep(0.2)
            shown = requests.get(url, headers=acme.headers, timeout=10).json()
        # the scheduler of the restarted hub picked it up on its own
        assert shown["state"] in ("processed", "failed"), shown
        assert shown["attempts"] == 1
        if shown["state"] == "failed":
            assert shown["error"]["code"] != "INTERNAL_ERROR", shown["error"]
    finally:
        restarted.stop()


def test_only_one_gunicorn_worker_runs_the_scheduler(database_url, workdir, make_partner):
    acme = make_partner("acme")
    server = HubServer(database_url, workdir, workers=3, scheduler=True)
    try:
        ids = []
        for i in range(6):
            r = requests.post(server.url + "/api/v1/exchanges", headers=acme.headers, timeout=10,
                              data=interchange(acme.edi_id, f"8{i}"))
            assert r.status_code == 202
            ids.append(r.json()["id"])
        deadline = time.monotonic() + 60
        pending = set(ids)
        while pending and time.monotonic() < deadline:
            for exchange_id in list(pending):
                shown = requests.get(f"{server.url}/api/v1/exchanges/{exchange_id}",
                                     headers=acme.headers, timeout=5).json()
                if shown["state"] not in ("received", "processing"):
                    assert shown["attempts"] == 1
                    pending.discard(exchange_id)
            time.sleep(0.2)
        assert not pending, f"still waiting after 60 s: {pending}"
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert log.count("scheduler started in process") == 1, log


def test_a_big_interchange_is_mapped_by_worker_processes_under_gunicorn(database_url, workdir,
                                                                       make_partner):
    """The scheduler's process starts the mapping pool (a fork server beside gunicorn's worker)."""
    from bench.edifact_parse import generate

    buyer = make_partner("big-buyer", edi_id="5412345000013")
    server = HubServer(database_url, workdir, scheduler=True,
                       env={"HUB_INGEST_WORKERS": "2", "HUB_INGEST_PARALLEL_BYTES": "100000"})
    try:
        r = requests.post(server.url + "/api/v1/exchanges", headers=buyer.headers, timeout=30,
                          data=generate(800, 3))
        assert r.status_code == 202
        url = f"{server.url}/api/v1/exchanges/{r.json()['id']}"
        deadline = time.monotonic() + 60
        shown = requests.get(url, headers=buyer.headers, timeout=10).json()
        while shown["state"] in ("received", "processing") and time.monotonic() < deadline:
            time.sleep(0.2)
            shown = requests.get(url, headers=buyer.headers, timeout=10).json()
        assert shown["state"] == "processed", shown["error"]
        assert shown["result"]["documents_total"] == 800
        assert any("forkserver" in cmd for cmd in server.descendants())
    finally:
        server.stop()
    assert "Traceback" not in server.log_path.read_text()
