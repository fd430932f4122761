"""REST: the hub's outbox for ERPs that poll, ERP inbound posts, and delivery administration.

ERPs authenticate with their connector token (`flask hub connector-token`); each sees only its own
connector's documents. Admins and operators list deliveries and replay dead ones.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy import select

from hub.access import Permission
from hub.api.auth import current_principal, require
from hub.api.params import id_list, int_arg, json_body, paging
from hub.db import get_session, transaction
from hub.erp.delivery import DeliveryPolicy
from hub.erp.handlers import issue_invoices, parse_stock_levels, record_stock_levels
from hub.erp.models import ErpConnector, OutboundDelivery, OutboxEntry
from hub.erp.outbox import (
    acknowledge,
    delivery_as_dict,
    fetch_batch,
    redeliver,
    visible_entry,
)
from hub.erp.queries import current_connector
from hub.records.models import Document

bp = Blueprint("outbox", __name__, url_prefix="/api/v1/outbox")
erp_bp = Blueprint("erp", __name__, url_prefix="/api/v1/erp")

MAX_BATCH = 500


require_connector = require(Permission.erp)


def _actor() -> str:
    return current_principal().actor


def policy_of(app: Flask) -> DeliveryPolicy:
    """The delivery policy for this app, read once."""
    policy = app.extensions.get("hub.delivery_policy")
    if policy is None:
        policy = DeliveryPolicy.from_settings(app.config["HUB_SETTINGS"])
        app.extensions["hub.delivery_policy"] = policy
    return policy


def outbox_document(entry: OutboxEntry, document: Document) -> dict[str, Any]:
    """One outbox document as a polling ERP sees it."""
    return {"id": document.id, "type": document.doc_type, "number": document.number,
            "cursor": entry.seq, "canonical": None if document.purged_at else document.canonical,
            "purged_at": document.purged_at.isoformat() if document.purged_at else None,
            "rendered": base64.b64encode(entry.payload).decode("ascii") if entry.payload else None,
            "content_type": entry.content_type, "fetch_count": entry.fetch_count}


@bp.get("")
@require_connector
def fetch() -> Response:
    """The next batch after `cursor`, leased for the visibility timeout."""
    cursor = int_arg("cursor", 0, minimum=0)
    limit = int_arg("limit", 50, maximum=MAX_BATCH)
    visibility = timedelta(seconds=policy_of(current_app).visibility_timeout)
    session = get_session()
    with transaction(session):
        batch = fetch_batch(session, current_connector(), cursor=cursor, limit=limit, visibility=visibility,
                            actor=_actor(), settings=current_app.config["HUB_SETTINGS"])
        items = [outbox_document(e, d) for e, d in batch.items]
    return jsonify(items=items, next_cursor=batch.next_cursor)


@bp.post("/ack")
@require_connector
def ack() -> Response:
    """Acknowledge documents by id: they are never handed out again."""
    ids = id_list(json_body(), MAX_BATCH, what="document id")
    session = get_session()
    with transaction(session):
        acked, unknown = acknowledge(session, current_connector(), ids, actor=_actor())
    return jsonify(acknowledged=acked, unknown=unknown)


@bp.get("/documents/<document_id>")
@require_connector
def get_document(document_id: str) -> Response:
    """One of this connector's outbox documents (404 for any other)."""
    entry, document = visible_entry(get_session(), current_principal(), document_id)
    return jsonify({**outbox_document(entry, document), "acknowledged": entry.acked_at is not None})


@bp.get("/deliveries")
@require(Permission.read_all)
def list_deliveries() -> Response:
    """Push deliveries, newest first; filters `state`, `document_id`, `connector` (name)."""
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    stmt = select(OutboundDelivery, ErpConnector.name).join(
        ErpConnector, ErpConnector.id == OutboundDelivery.connector_id)
    if state := request.args.get("state"):
        stmt = stmt.where(OutboundDelivery.state == state)
    if document_id := request.args.get("document_id"):
        stmt = stmt.where(OutboundDelivery.document_id == document_id)
    if name := request.args.get("connector"):
        stmt = stmt.where(ErpConnector.name == name)
    rows = get_session().execute(stmt.order_by(OutboundDelivery.created_at.desc(), OutboundDelivery.id)
                                 .limit(per_page + 1).offset((page - 1) * per_page)).all()
    return jsonify(items=[delivery_as_dict(d, n) for d, n in rows[:per_page]], page=page,
                   per_page=per_page, has_more=len(rows) > per_page)


@bp.post("/deliveries/<delivery_id>/redeliver")
@require(Permission.operate)
def redeliver_view(delivery_id: str) -> Response:
    """Replay a dead delivery: back to pending, due now."""
    session = get_session()
    with transaction(session):
        delivery = redeliver(session, delivery_id, actor=current_principal().actor)
    scheduler = current_app.extensions.get("hub.scheduler")
    if scheduler is not None and hasattr(scheduler, "wake_delivery"):
        scheduler.wake_delivery()
    return jsonify(delivery_as_dict(delivery))


@erp_bp.post("/stock-levels")
@require_connector
def post_stock_levels() -> Response:
    """Stock levels from the ERP: `{"items": [{item, location, quantity, unit, as_of}, ...]}`."""
    levels = parse_stock_levels(json_body())
    session = get_session()
    with transaction(session):
        counts = record_stock_levels(session, levels, connector=current_connector(), actor=_actor())
    return jsonify(received=len(levels), **counts)


@erp_bp.post("/invoices")
@require_connector
def post_invoices() -> tuple[Response, int]:
    """Invoices to issue: each becomes a canonical Invoice document (idempotent by the request id)."""
    session = get_session()
    with transaction(session):
        issued = issue_invoices(session, json_body(), connector=current_connector(), actor=_actor())
    items = [{"id": i.request_id, "document_id": i.document_id, "exchange_id": i.exchange_id,
              "duplicate": i.duplicate} for i in issued]
    created = any(not i.duplicate for i in issued)
    return jsonify(items=items), 201 if created else 200
