"""Fixtures for routing: polling ERP connectors, and counting what each one was queued."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import new_session
from hub.erp.connectors import ConnectorSpec, add_connector
from hub.models import Document, OutboxEntry


@pytest.fixture
def make_erp(app: Flask) -> Callable[..., int]:
    """A polling ERP connector (every document type unless told): its id."""
    def make(name: str, doc_types: tuple[str, ...] = ()) -> int:
        with app.app_context(), new_session() as session:
            row = add_connector(session, ConnectorSpec(name=name, key="poll",
                                                       document_types=doc_types), actor="test",
                                secret_key=app.config["HUB_SETTINGS"].secret_key)
            session.commit()
            return row.id
    return make


@pytest.fixture
def queued(app: Flask) -> Callable[[int], list[tuple[str, str]]]:
    """(document type, number) of every document queued for a connector, in order."""
    def read(connector_id: int) -> list[tuple[str, str]]:
        with app.app_context(), new_session() as session:
            rows = session.execute(select(Document.doc_type, Document.number).join(
                OutboxEntry, OutboxEntry.document_id == Document.id)
                .where(OutboxEntry.connector_id == connector_id).order_by(OutboxEntry.id))
            return [(t, n) for t, n in rows]
    return read
