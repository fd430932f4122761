"""A partner's interchange reaches the outbox of every ERP that wants its documents, once each."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from bench.edifact_parse import generate
from hub.db import get_engine, new_session
from hub.exchanges.processing import process_pending
from hub.models import AuditEvent, OutboundDelivery, OutboxEntry


def test_an_interchange_is_queued_for_each_connector_in_a_bounded_number_of_queries(
        app: Flask, client: FlaskClient, make_partner, make_connector) -> None:
    make_connector("poller", "poll", doc_types=("purchase_order",))
    make_connector("invoices-only", "poll", doc_types=("invoice",))
    buyer = make_partner("bench", edi_id="5412345000013")
    resp = client.post("/api/v1/exchanges", data=generate(300, 2), headers=buyer.headers)
    assert resp.status_code == 202
    statements: list[str] = []
    with app.app_context():
        engine = get_engine()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    shown = client.get(resp.headers["Location"], headers=buyer.headers).json
    assert shown["state"] == "processed", shown["error"]
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 300
        assert session.scalar(select(func.count()).select_from(OutboundDelivery)) == 0
        queued = session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "outbox.queued"))
        assert queued == 300
    # no lookup per document (the ORM may still write the queue rows one INSERT each)
    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) < 30, len(selects)
