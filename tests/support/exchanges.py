"""Posting a partner's file through the API, processing it and reading the exchange back."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from hub.db import new_session
from hub.services.processing import process_pending
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Interchange


def process(app: Flask) -> None:
    """Process every waiting exchange, as the scheduler does."""
    process_pending(lambda: new_session(app))


def post(client: FlaskClient, partner: Any, body: bytes) -> str:
    """POST `body` as `partner`; the new exchange's id (a duplicate fails the test)."""
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    assert resp.status_code == 202, resp.json
    return str(resp.json["id"])


def shown(client: FlaskClient, partner: Any, exchange_id: str) -> dict[str, Any]:
    """The exchange as the API shows it to `partner`."""
    return dict(client.get(f"/api/v1/exchanges/{exchange_id}", headers=partner.headers).json)


def raw_interchange(client: FlaskClient, partner: Any, exchange_id: str) -> Interchange:
    """An exchange's bytes, as `partner` downloads them, parsed as EDIFACT."""
    return parse_interchange(client.get(f"/api/v1/exchanges/{exchange_id}/raw",
                                        headers=partner.headers).data)
