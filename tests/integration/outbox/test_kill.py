"""The hub process is killed while a delivery is in flight: nothing is lost, the ERP sees no duplicate."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import new_session
from hub.models import OutboundDelivery
from tests.integration.server.hubserver import HubServer
from tests.support.erp_state import Mode, TestErp
from tests.support.servers import ErpServer

pytestmark = pytest.mark.slow


def _states(app: Flask) -> dict[str, str]:
    with new_session(app) as session:
        return {d.document_id: d.state for d in session.scalars(select(OutboundDelivery))}


def test_killed_during_delivery_then_restarted_delivers_everything_once(
        app: Flask, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        rest_erp: tuple[TestErp, ErpServer], make_connector: Callable[..., int],
        make_documents: Callable[..., list[str]]) -> None:
    erp, server = rest_erp
    make_connector("erp", "rest", server.url, read_timeout=30)
    docs = make_documents(4)
    monkeypatch.setenv("HUB_DELIVERY_SENDING_TIMEOUT", "1")
    monkeypatch.setenv("HUB_DELIVERY_BACKOFF_BASE", "0.05")
    erp.fail(Mode.slow, delay=20)  # the ERP stores the document, then takes its time to answer

    hub = HubServer(database_url, tmp_path, scheduler=True)
    try:
        assert erp.wait_for(lambda e: e.unique_count >= 1, timeout=20), "no delivery reached the ERP"
        hub.kill()  # mid-call: the ERP has the document, the hub never heard back
    finally:
        hub.stop()
    in_flight = [d for d, s in _states(app).items() if s == "sending"]
    assert in_flight, _states(app)
    assert set(erp.deliveries) <= set(in_flight)

    erp.reset()
    restarted = HubServer(database_url, tmp_path, scheduler=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and set(_states(app).values()) != {"sent"}:
            time.sleep(0.1)
    finally:
        restarted.stop()
    assert set(_states(app).values()) == {"sent"}
    assert set(erp.deliveries) == set(docs)  # nothing lost, one effect per document
    assert erp.unique_count == len(docs)
    assert sum(erp.attempts.values()) >= len(docs) + 1  # the interrupted one was sent again...
    assert erp.duplicate_count >= 1  # ...and the ERP recognised it by its idempotency key
