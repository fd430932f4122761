"""REST: a partner's mailbox, the files the hub has for it until it acknowledges taking them."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, jsonify, request

from hub.access import Permission
from hub.api.auth import current_principal, require
from hub.api.params import id_list, int_arg, json_body
from hub.db import get_session, transaction, utcnow
from hub.domain.errors import NotFound
from hub.exchanges.api import download
from hub.exchanges.lifecycle import get_visible
from hub.exchanges.mailbox import acknowledge, list_waiting, mailbox_item

bp = Blueprint("mailbox", __name__, url_prefix="/api/v1/mailbox")

MAX_BATCH = 500


def pickup_limit() -> timedelta:
    """How long a file may wait before it is flagged (HUB_MAILBOX_PICKUP_HOURS)."""
    return timedelta(hours=current_app.config["HUB_SETTINGS"].mailbox_pickup_hours)


@bp.get("")
@require(Permission.post_files)
def list_mailbox() -> Response:
    """The partner's untaken files, oldest first; pass `next_cursor` back as `cursor`."""
    limit = int_arg("limit", 50, maximum=MAX_BATCH)
    page = list_waiting(get_session(), current_principal(), cursor=request.args.get("cursor") or None,
                        limit=limit)
    now, limit_age = utcnow(), pickup_limit()
    return jsonify(items=[mailbox_item(e, pickup_limit=limit_age, now=now) for e in page.items],
                   next_cursor=page.next_cursor)


@bp.get("/<exchange_id>")
@require(Permission.post_files)
def get_file(exchange_id: str) -> Response:
    """One file the hub has (or had) for the partner, as a download; 404 for any other."""
    exchange = get_visible(get_session(), exchange_id, current_principal())
    if exchange.direction != "outbound":
        raise NotFound(f"no file {exchange_id} in your mailbox")
    return download(exchange)


@bp.post("/ack")
@require(Permission.post_files)
def ack() -> Response:
    """`{"ids": [...]}`: the files are taken (their exchanges become `sent`); idempotent."""
    ids = id_list(json_body(), MAX_BATCH, what="exchange id")
    session = get_session()
    with transaction(session):
        acked, unknown = acknowledge(session, current_principal(), ids, actor=current_principal().actor)
    return jsonify(acknowledged=acked, unknown=unknown)
