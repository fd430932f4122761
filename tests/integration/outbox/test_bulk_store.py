"""One exchange factory, one document store path, one queue: an exchange, a document and a queue row
made in bulk (new_exchanges, store_documents, enqueue_rendered: what a reconciliation run uses) read back
exactly as ones made one at a time (new_exchange, store, enqueue_document), in the REST detail, the ERP's
REST outbox and its SOAP FetchBatch."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests
import zeep
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import new_session
from hub.domain.documents import Line, PurchaseOrder, Quantity, Totals
from hub.domain.records import record_of
from hub.domain.states import Direction, ExchangeState
from hub.erp.outbox import Rendered, enqueue_document, enqueue_rendered
from hub.exchanges.documents import NewDocument, store, store_documents
from hub.exchanges.service import NewExchange, new_exchange, new_exchanges
from hub.models import AuditEvent, DocumentLine, ErpConnector, OutboxEntry
from tests.support.servers import ErpServer

ORDER = PurchaseOrder(number="PO-77", currency="EUR", issued=date(2026, 11, 30),
                      lines=[Line(number="1", quantities=[Quantity(value=Decimal("2"))]),
                             Line(number="2", quantities=[Quantity(value=Decimal("5"))])],
                      totals=Totals(tax_exclusive=Decimal("70.00")))
PAYLOAD = b'{"number":"PO-77"}'
# what the two ways are told differs only in the bytes, so that both can be stored: same length
RAW = {"single": b"ORDERS PO-77 #1", "bulk": b"ORDERS PO-77 #2"}
COLUMNS: dict[str, Any] = {"syntax": "edifact", "doc_type": "ORDERS", "control_ref": "PO-77",
                           "sender": "5412345000013", "content_type": "application/edifact"}
VOLATILE = {"id", "sha256", "received_at", "updated_at", "created_at", "links", "cursor", "exchange_id",
            "exchange"}


@pytest.fixture
def live_hub(app: Flask) -> Iterator[str]:
    app.extensions["hub.delivery_policy"] = None
    with ErpServer(app) as server:
        yield server.url.rstrip("/")


def _single(app: Flask, partner_id: int) -> tuple[str, str]:
    with app.app_context(), new_session() as session:
        exchange = new_exchange(session, Direction.inbound, partner_id, RAW["single"],
                                state=ExchangeState.processed, **COLUMNS)
        doc, _ = store(session, ORDER, exchange_id=exchange.id, partner_id=partner_id, direction="inbound",
                       actor="test", message_type="ORDERS:D96A")
        enqueue_document(session, doc, actor="test", rendered=PAYLOAD, content_type="application/json")
        session.commit()
        return exchange.id, doc.id


def _bulk(app: Flask, partner_id: int) -> tuple[str, str]:
    with app.app_context(), new_session() as session:
        [exchange_id] = new_exchanges(session, Direction.inbound, [NewExchange(partner_id, RAW["bulk"])],
                                      state=ExchangeState.processed, **COLUMNS)
        [doc] = store_documents(session, [NewDocument(exchange_id, partner_id, "inbound",
                                                      record_of(1, None, "ORDERS:D96A", ORDER))])
        connectors = list(session.scalars(select(ErpConnector)))
        assert enqueue_rendered(session, [Rendered(doc.id, doc.doc_type, partner_id, PAYLOAD)],
                                connectors=connectors, content_type="application/json", actor="test",
                                batch="batch-1", details={"event": "test"}) == 1
        session.commit()
        return exchange_id, doc.id


def _same(view: Any) -> Any:
    """A view without what must differ between two rows (ids, times, digests, links)."""
    if isinstance(view, dict):
        return {k: _same(v) for k, v in view.items() if k not in VOLATILE}
    if isinstance(view, list):
        return [_same(v) for v in view]
    return view


def test_a_bulk_made_exchange_document_and_queue_row_read_back_as_single_made_ones(
        app: Flask, client: FlaskClient, live_hub: str, make_partner: Callable[..., Any],
        make_connector: Callable[..., int], connector_token: Callable[[int], dict[str, str]]) -> None:
    buyer = make_partner("buyer-co")
    erp = connector_token(make_connector("poller", "poll"))
    made = {"single": _single(app, buyer.id), "bulk": _bulk(app, buyer.id)}

    exchanges = {how: client.get(f"/api/v1/exchanges/{e}", headers=buyer.headers).get_json()
                 for how, (e, _) in made.items()}
    for how, view in exchanges.items():
        assert view["sha256"] == hashlib.sha256(RAW[how]).hexdigest()
        assert client.get(f"/api/v1/exchanges/{made[how][0]}/raw", headers=buyer.headers).data == RAW[how]
    assert exchanges["bulk"]["state"] == "processed" and exchanges["bulk"]["size"] == len(RAW["bulk"])
    assert _same(exchanges["bulk"]) == _same(exchanges["single"])

    documents = {how: client.get(f"/api/v1/documents/{d}", headers=buyer.headers).get_json()
                 for how, (_, d) in made.items()}
    assert documents["bulk"]["document"]["number"] == "PO-77"
    assert _same(documents["bulk"]) == _same(documents["single"])
    with app.app_context(), new_session() as session:
        lines = {how: [(ln.line_number, ln.quantity) for ln in session.scalars(
            select(DocumentLine).where(DocumentLine.document_id == d).order_by(DocumentLine.line_number))]
            for how, (_, d) in made.items()}
        assert lines["bulk"] == lines["single"] == [("1", Decimal("2")), ("2", Decimal("5"))]
        assert len(session.scalars(select(OutboxEntry)).all()) == 2
        [batch] = session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.batch_queued")).all()
        assert (batch.object_id, batch.details["count"], batch.details["connector"]) == (
            "batch-1", 1, "poller")

    fetched = client.get("/api/v1/outbox?limit=10", headers=erp).get_json()["items"]
    assert [item["id"] for item in fetched] == [made["single"][1], made["bulk"][1]]
    assert _same(fetched[1]) == _same(fetched[0]) and fetched[0]["canonical"]["number"] == "PO-77"

    session_ = requests.Session()
    session_.headers.update(erp)
    soap = zeep.Client(f"{live_hub}/soap?wsdl", transport=zeep.Transport(session=session_, timeout=10,
                                                                         operation_timeout=10),
                       settings=zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True,
                                              forbid_external=True, xml_huge_tree=False))
    for item in fetched:  # leased by the REST fetch: released so that SOAP fetches them again
        with app.app_context(), new_session() as session:
            entry = session.scalars(select(OutboxEntry).where(OutboxEntry.document_id == item["id"])).one()
            entry.leased_until = None
            session.commit()
    batch_ = soap.service.FetchBatch(Cursor=0, Limit=10).Documents.OutboxDocument
    assert [d.Id for d in batch_] == [made["single"][1], made["bulk"][1]]
    assert (batch_[1].Type, batch_[1].Canonical, batch_[1].Rendered) == (
        batch_[0].Type, batch_[0].Canonical, batch_[0].Rendered)
    assert (batch_[1].Type, batch_[1].Rendered) == ("purchase_order", PAYLOAD)
    assert json.loads(batch_[1].Canonical) == fetched[1]["canonical"]
