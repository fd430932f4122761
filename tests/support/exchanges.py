"""Posting a partner's file through the API, processing it and reading the exchange back."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from hub.db import new_session
from hub.exchanges.processing import process_pending
from hub.models import Exchange
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Interchange


def process(app: Flask) -> None:
    """Process every waiting exchange, as the scheduler does."""
    process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])


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


def rendered(app: Flask, item: dict[str, Any]) -> bytes:
    """What the hub rendered for an outbound exchange (as staff see it): its file when it is sendable,
    or, when it is held `invalid`, the rendering kept beside its canonical document."""
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, item["id"])
        assert exchange is not None
        raw = bytes(exchange.raw)
    if item["state"] != "invalid" or exchange.content_type != "application/json":
        return raw
    return str(json.loads(raw)["rendered"]).encode()


def held_or_sendable(item: dict[str, Any]) -> None:
    """An outbound exchange is `pending` exactly when its checks found nothing fatal, and an
    `invalid` one names what it breaks. (Until the renderers write only what the target standard
    allows (issue 13, points 2 and 4), much of what the hub renders is rightly held.)"""
    validation = item["result"]["validation"]
    if item["state"] == "invalid":
        assert validation["fatal"] > 0 and item["error"]["problems"], item
    else:
        assert (item["state"], validation["fatal"]) == ("pending", 0), item


def use_syntax(app: Flask, partner: Any, syntax: str) -> Any:
    """Make `partner` (a make_partner handle) prefer `syntax` (edifact or ubl); returns the handle."""
    from hub.models import Partner

    with app.app_context(), new_session() as session:
        stored = session.get(Partner, partner.id)
        assert stored is not None
        stored.syntax = syntax
        session.commit()
    return partner
