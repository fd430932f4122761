"""REST under /api/v1/routing/: the routing rules (admins change them; operators and auditors read
them) and the outbound batches (staff read them)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import func, select

from hub.access import Permission
from hub.api.auth import current_principal, require
from hub.api.params import BadParameter, int_arg, json_body, paging
from hub.db import get_session, transaction
from hub.domain.errors import NotFound
from hub.routing import batching, service
from hub.routing.models import BatchMessage, OutboundBatch

bp = Blueprint("routing", __name__, url_prefix="/api/v1/routing")
reader = require(Permission.read_all)
admin = require(Permission.administer)
BATCH_ITEMS_SHOWN = 1000


def _rule_body() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise BadParameter("body: send the rule as a JSON object")
    return body


@bp.get("/rules")
@reader
def list_rules() -> Response:
    session = get_session()
    return jsonify(items=[service.rule_json(session, r) for r in service.list_rules(session)])


@bp.post("/rules")
@admin
def add_rule() -> tuple[Response, int]:
    session = get_session()
    with transaction(session):
        row = service.add_rule(session, _rule_body(), actor=current_principal().actor)
    return jsonify(service.rule_json(session, row)), 201


@bp.get("/rules/<int:rule_id>")
@reader
def get_rule(rule_id: int) -> Response:
    session = get_session()
    return jsonify(service.rule_json(session, service.get_rule(session, rule_id)))


@bp.put("/rules/<int:rule_id>")
@admin
def change_rule(rule_id: int) -> Response:
    session = get_session()
    with transaction(session):
        row = service.change_rule(session, rule_id, _rule_body(), actor=current_principal().actor)
    return jsonify(service.rule_json(session, row))


@bp.delete("/rules/<int:rule_id>")
@admin
def remove_rule(rule_id: int) -> Response:
    session = get_session()
    with transaction(session):
        service.remove_rule(session, rule_id, actor=current_principal().actor)
    return jsonify(deleted=rule_id)


@bp.get("/batches")
@reader
def list_batches() -> Response:
    page, per_page = paging(current_app.config["HUB_SETTINGS"].page_size_max)
    query = select(OutboundBatch)
    state = request.args.get("state")
    if state:
        if state not in (batching.OPEN, batching.CLOSED):
            raise BadParameter("state must be open or closed")
        query = query.where(OutboundBatch.state == state)
    partner_id = int_arg("partner_id", 0, minimum=0)
    if partner_id:
        query = query.where(OutboundBatch.partner_id == partner_id)
    session = get_session()
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(OutboundBatch.opened_at.desc(), OutboundBatch.id)
                           .offset((page - 1) * per_page).limit(per_page))
    return jsonify(items=[batching.batch_json(b) for b in rows], page=page, per_page=per_page,
                   total=total)


@bp.get("/batches/<batch_id>")
@reader
def get_batch(batch_id: str) -> Response:
    session = get_session()
    batch = session.get(OutboundBatch, batch_id) if len(batch_id) <= 36 else None
    if batch is None:
        raise NotFound(f"no batch {batch_id[:40]}")
    items = session.scalars(select(BatchMessage).where(BatchMessage.batch_id == batch.id)
                            .order_by(BatchMessage.id).limit(BATCH_ITEMS_SHOWN)).all()
    return jsonify(batching.batch_json(batch, items))
