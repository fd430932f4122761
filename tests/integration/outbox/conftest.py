"""Fixtures for the outbox: connectors on the test ERPs, documents queued the way the pipeline does."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from hub.db import new_session
from hub.domain.documents import Invoice, Line, PurchaseOrder, Quantity
from hub.erp.connectors import ConnectorSpec, add_connector, issue_connector_token
from hub.erp.delivery import DeliveryPolicy, deliver_due
from hub.erp.outbox import enqueue_document
from hub.exchanges.documents import store
from hub.models import Exchange
from tests.support.erp_state import TestErp
from tests.support.servers import ErpServer, running_rest_erp, running_soap_erp

# Fast retries so a test sees many attempts in a second or two.
FAST = DeliveryPolicy(max_attempts=6, backoff_base=0.01, backoff_max=0.05, sending_timeout=30,
                      visibility_timeout=30)


@pytest.fixture
def rest_erp() -> Iterator[tuple[TestErp, ErpServer]]:
    with running_rest_erp() as pair:
        yield pair


@pytest.fixture
def soap_erp() -> Iterator[tuple[TestErp, ErpServer]]:
    with running_soap_erp() as pair:
        yield pair


@pytest.fixture
def make_connector(app: Flask) -> Callable[..., int]:
    """Add a connector row: make_connector("erp", "rest", endpoint, doc_types=(...), **options)."""
    def make(name: str, key: str, endpoint: str | None = None, doc_types: tuple[str, ...] = (),
             read_timeout: float = 5.0, **options: Any) -> int:
        spec = ConnectorSpec(name=name, key=key, endpoint=endpoint, document_types=doc_types,
                             options={"allow_loopback": True, **options} if key != "poll" else options,
                             connect_timeout=1.0, read_timeout=read_timeout)
        with app.app_context(), new_session() as session:
            row = add_connector(session, spec, actor="test", secret_key=app.config["HUB_SETTINGS"].secret_key)
            session.commit()
            return row.id
    return make


@pytest.fixture
def connector_token(app: Flask) -> Callable[[int], dict[str, str]]:
    """Authorization headers of a new token for the connector id."""
    def make(connector_id: int) -> dict[str, str]:
        from hub.models import ErpConnector

        with app.app_context(), new_session() as session:
            row = session.get(ErpConnector, connector_id)
            assert row is not None
            _, secret = issue_connector_token(session, row, actor="test")
            session.commit()
        return {"Authorization": f"Bearer {secret}"}
    return make


def _canonical(doc_type: str, number: str) -> PurchaseOrder | Invoice:
    lines = [Line(number="1", quantities=[Quantity(value=Decimal("3"))])]
    if doc_type == "invoice":
        return Invoice(number=number, currency="EUR", lines=lines)
    return PurchaseOrder(number=number, currency="EUR", lines=lines)


@pytest.fixture
def make_documents(app: Flask, make_partner: Callable[..., Any]) -> Callable[..., list[str]]:
    """Persist N documents and queue them in the same transaction, as the pipeline does."""
    partner_ids: dict[str, int] = {}

    def make(count: int = 1, doc_type: str = "purchase_order", partner: str = "buyer-co",
             rendered: bytes | None = None) -> list[str]:
        if partner not in partner_ids:
            partner_ids[partner] = make_partner(partner).id
        ids = []
        with app.app_context(), new_session() as session:
            for _ in range(count):
                number = f"PO-{uuid.uuid4().hex[:8]}"
                raw = number.encode()
                exchange = Exchange(direction="inbound", partner_id=partner_ids[partner],
                                    state="processed", syntax="edifact", size=len(raw), raw=raw,
                                    sha256=hashlib.sha256(raw).hexdigest(), warnings=[], result={})
                session.add(exchange)
                session.flush()
                doc, _ = store(session, _canonical(doc_type, number), exchange_id=exchange.id,
                               partner_id=partner_ids[partner], direction="inbound", actor="test",
                               message_type=None)
                enqueue_document(session, doc, actor="test", rendered=rendered,
                                 content_type="application/edifact" if rendered else None)
                ids.append(doc.id)
            session.commit()
        return ids
    return make


def sessions(app: Flask) -> Callable[[], Any]:
    return lambda: new_session(app)


def deliver(app: Flask, *, limit: int, policy: DeliveryPolicy) -> int:
    """One run of the delivery job, with the app's settings (its secret key), as the scheduler runs it."""
    return deliver_due(sessions(app), secret_key=app.config["HUB_SETTINGS"].secret_key, limit=limit,
                       policy=policy)
