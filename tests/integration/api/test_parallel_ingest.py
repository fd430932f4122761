"""A big interchange is mapped in worker processes: the outcome must be exactly the in-process one.

Each file is translated twice in one transaction that is rolled back in between: once in-process,
once with the mapping worker pool forced on (every file counts as big). Documents, their lines,
the warnings and, for a rejected file, every problem must be the same, in the same order.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from bench.edifact_parse import generate
from hub.db import new_session
from hub.domain.errors import HubError
from hub.exchanges.processing import process_pending
from hub.exchanges.translators import translate
from hub.ingest import pool
from hub.ingest.messages import Context
from hub.models import Document, DocumentLine, Exchange, Partner
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Separators
from tests.support.conformance import EDIFACT_CORPUS, corpus_files

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures" / "edifact"

FILES = sorted(FIXTURES.glob("*.edi")) + corpus_files(EDIFACT_CORPUS, "*/*", expected=15)


@pytest.fixture(autouse=True)
def _fresh_pool() -> Iterator[None]:
    yield
    pool.shutdown()


def _outcome(app: Flask, exchange_id: str, workers: int) -> dict[str, Any]:
    """Translate the exchange with `workers` mapping processes; what it produced, then roll back."""
    settings = app.config["HUB_SETTINGS"]
    with app.app_context(), new_session() as session:
        # workers=0: every file counts as small, so it is mapped in-process
        settings.ingest_workers = workers
        settings.ingest_parallel_bytes = 0 if workers else 10**12
        exchange = session.get(Exchange, exchange_id)
        partner = session.get(Partner, exchange.partner_id)
        try:
            outcome = translate(session, exchange, partner, settings)
        except HubError as exc:
            session.rollback()
            return {"error": type(exc).__name__, "message": str(exc),
                    "problems": [p.as_dict() for p in exc.problems]}
        docs = session.scalars(select(Document).where(Document.exchange_id == exchange_id)
                               .order_by(Document.position)).all()
        lines = session.execute(
            select(DocumentLine.line_number, DocumentLine.gtin, DocumentLine.buyer_item,
                   DocumentLine.quantity, DocumentLine.unit, DocumentLine.price,
                   DocumentLine.amount, Document.position)
            .join(Document).where(Document.exchange_id == exchange_id)
            .order_by(Document.position, DocumentLine.id)).all()
        result = {
            "documents": [(d.position, d.message_ref, d.message_type, d.doc_type, d.number,
                           d.issued, d.currency, d.total, d.canonical) for d in docs],
            "lines": [tuple(row) for row in lines],
            "warnings": [w.as_dict() for w in outcome.warnings],
            "total": outcome.result["documents_total"],
        }
        session.rollback()
        return result


def _received(app: Flask, client, make_partner, body: bytes, name: str = "sender") -> str:
    ic = parse_interchange(body)
    partner = make_partner(name[:40], edi_id=ic.sender, qualifier=ic.sender_qualifier or "")
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    assert resp.status_code == 202, resp.json
    return str(resp.json["id"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fixture_and_corpus_files_come_out_the_same_from_the_workers(app, client, make_partner,
                                                                     path: Path):
    exchange_id = _received(app, client, make_partner, path.read_bytes(), path.stem)
    in_process = _outcome(app, exchange_id, workers=0)
    assert _outcome(app, exchange_id, workers=2) == in_process


def test_a_big_interchange_spread_over_many_batches_is_stored_in_message_order(
        app, client, make_partner):
    body = generate(1_100, 3)  # several batches per worker
    exchange_id = _received(app, client, make_partner, body)
    in_process = _outcome(app, exchange_id, workers=0)
    parallel = _outcome(app, exchange_id, workers=2)
    assert parallel == in_process
    assert [d[0] for d in parallel["documents"]] == list(range(1, 1_101))
    assert len(parallel["lines"]) == 3_300


def test_defects_in_several_batches_are_reported_as_in_process(app, client, make_partner):
    """A structure error early and a bad number late: the same problems, in the same order, and
    the late message's mapping is ignored (the interchange is already rejected) both ways."""
    head, *messages = generate(900, 2).decode("latin-1").split("\nUNH+")
    messages[6] = messages[6].replace("BGM+220+PO00000007+9", "BGM+220+PO00000007+9+X+Y+Z+W")
    messages[699] = messages[699].replace("QTY+21:", "QTY+21:x", 1)  # not a number
    text = "\nUNH+".join([head, *messages])
    exchange_id = _received(app, client, make_partner, text.encode("latin-1"))
    in_process = _outcome(app, exchange_id, workers=0)
    assert in_process["error"] == "InterchangeRejected"
    assert [(p["code"], p["message_ref"]) for p in in_process["problems"]] == [
        ("TOO_MANY_ELEMENTS", "7"), ("NOT_NUMERIC", "700")]
    assert _outcome(app, exchange_id, workers=2) == in_process


def _force_workers(app: Flask) -> None:
    settings = app.config["HUB_SETTINGS"]
    settings.ingest_workers, settings.ingest_parallel_bytes = 2, 0


def _state(app: Flask, exchange_id: str) -> Exchange:
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, exchange_id)
        session.expunge(exchange)
        return exchange


def test_workers_that_died_while_idle_are_replaced(app, client, make_partner):
    exchange_id = _received(app, client, make_partner, generate(300, 2))
    _force_workers(app)
    context = Context(Separators(), {}, "warm-up")
    assert list(pool.map_batches(context, [[], []], 2)) == [[], []]  # up, and has answered
    for pid in pool.process_ids():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)  # the pool notices its dead processes
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    exchange = _state(app, exchange_id)
    assert exchange.state == "processed", exchange.error
    assert exchange.result["documents_total"] == 300


def _fail_to_start(memory_mb: int, owner: int) -> None:
    os._exit(3)  # e.g. a main module that cannot be imported again in a worker


def test_workers_that_cannot_start_leave_mapping_in_process(app, client, make_partner,
                                                              monkeypatch):
    """A pool whose processes die before they answer a first probe would fail every big file:
    this process maps in-process from then on, and the exchange is processed all the same."""
    exchange_id = _received(app, client, make_partner, generate(600, 2))
    _force_workers(app)
    monkeypatch.setattr(pool, "_start_worker", _fail_to_start)
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
    exchange = _state(app, exchange_id)
    assert exchange.state == "processed", exchange.error
    assert exchange.result["documents_total"] == 600
    assert pool.process_ids() == []  # mapped in-process: no pool is running
